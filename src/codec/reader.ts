/**
 * Bounds-checked reads of Kafka's primitive types from one Buffer.
 *
 * Every length read from the wire is checked against the bytes that are left *before* anything is
 * allocated: a 4-byte frame claiming a 2-billion-element array costs one comparison, not 16 GB.
 * Any violation throws ProtocolError; nothing here returns partial values.
 */
import { ProtocolError } from './errors.js';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reserve n bytes, returning where they start. */
  private take(n: number): number {
    const at = this.pos;
    if (n > this.end - at) throw new ProtocolError(`needed ${n} bytes at offset ${at}, ${this.end - at} left`);
    this.pos = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.take(8));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.take(2));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.take(8));
  }
  bool(): boolean {
    return this.buf[this.take(1)] !== 0;
  }

  uuid(): string {
    const at = this.take(16);
    const b = this.buf;
    let s = '';
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
      s += HEX[b[at + i]];
    }
    return s;
  }

  /** Unsigned LEB128, at most 5 bytes (32 bits), as Kafka's ByteUtils.readUnsignedVarint. */
  unsignedVarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw new ProtocolError('truncated varint');
      const byte = this.buf[this.pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw new ProtocolError('varint exceeds 32 bits');
        return value;
      }
    }
    throw new ProtocolError('varint longer than 5 bytes');
  }

  /** Zig-zag signed varint (int32). */
  varint(): number {
    const u = this.unsignedVarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zig-zag signed varlong (int64), at most 10 bytes. */
  varlong(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new ProtocolError('truncated varlong');
      const byte = this.buf[this.pos++];
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (value >= 1n << 64n) throw new ProtocolError('varlong exceeds 64 bits');
        return (value >> 1n) ^ -(value & 1n);
      }
    }
    throw new ProtocolError('varlong longer than 10 bytes');
  }

  /** A length as classic fields carry it: int16 for strings, int32 for bytes and arrays; -1 is null. */
  private length(raw: number, nullable: boolean, what: string): number {
    if (raw === -1 && nullable) return -1;
    if (raw < 0) throw new ProtocolError(`negative ${what} length ${raw}`);
    return raw;
  }

  /** A compact length: unsigned varint N+1, with 0 meaning null. */
  private compactLength(nullable: boolean, what: string): number {
    const n = this.unsignedVarint() - 1;
    if (n === -1 && !nullable) throw new ProtocolError(`null ${what} where none is allowed`);
    return n;
  }

  private utf8(len: number): string {
    const at = this.take(len);
    return this.buf.toString('utf8', at, at + len);
  }

  string(): string {
    return this.utf8(this.length(this.int16(), false, 'string'));
  }
  nullableString(): string | null {
    const len = this.length(this.int16(), true, 'string');
    return len === -1 ? null : this.utf8(len);
  }
  compactString(): string {
    return this.utf8(this.compactLength(false, 'string'));
  }
  compactNullableString(): string | null {
    const len = this.compactLength(true, 'string');
    return len === -1 ? null : this.utf8(len);
  }

  /** A view into the underlying buffer, not a copy: decoded requests keep the frame alive. */
  rawBytes(len: number): Buffer {
    const at = this.take(len);
    return this.buf.subarray(at, at + len);
  }

  bytes(): Buffer {
    return this.rawBytes(this.length(this.int32(), false, 'bytes'));
  }
  nullableBytes(): Buffer | null {
    const len = this.length(this.int32(), true, 'bytes');
    return len === -1 ? null : this.rawBytes(len);
  }
  compactBytes(): Buffer {
    return this.rawBytes(this.compactLength(false, 'bytes'));
  }
  compactNullableBytes(): Buffer | null {
    const len = this.compactLength(true, 'bytes');
    return len === -1 ? null : this.rawBytes(len);
  }

  /**
   * An array's element count, checked so that even one byte per element would fit in what is left:
   * a hostile count can never make us allocate.
   */
  arrayLength(nullable: boolean): number {
    return this.checkCount(this.length(this.int32(), nullable, 'array'));
  }
  compactArrayLength(nullable: boolean): number {
    return this.checkCount(this.compactLength(nullable, 'array'));
  }
  private checkCount(n: number): number {
    if (n > this.end - this.pos) throw new ProtocolError(`array of ${n} elements cannot fit in ${this.end - this.pos} bytes`);
    return n;
  }

  skip(n: number): void {
    this.take(n);
  }

  /** A reader over `start..end` of the same buffer (a tagged field's bytes). */
  sub(start: number, end: number): Reader {
    return new Reader(this.buf, start, end);
  }
}

/**
 * Where one field lies in the bytes: `start..end` (end exclusive) in the buffer, with the spans of
 * its sub-fields (struct fields, array elements by index, tagged fields) and, for a leaf, its value.
 */
export interface FieldSpan {
  readonly name: string;
  readonly start: number;
  end: number;
  value?: unknown;
  children?: FieldSpan[];
}

/**
 * A Reader that also records the span of every field it reads, for the inspector's hex view. Only
 * the traced codecs (`tracedCodecFor` in interpret.ts) call `enter`/`leave`; the codecs the broker
 * serves requests with are compiled without them, so recording costs nothing when nobody captures.
 */
export class TracingReader extends Reader {
  readonly root: FieldSpan;
  private readonly stack: FieldSpan[];

  constructor(buf: Buffer, start = 0, end = buf.length, stack?: FieldSpan[]) {
    super(buf, start, end);
    this.root = stack?.[0] ?? { name: '', start, end, children: [] };
    this.stack = stack ?? [this.root];
  }

  /** Opens the span of a field that starts here; an array element is named by its index. */
  enter(name?: string): void {
    const parent = this.stack[this.stack.length - 1]!;
    const children = (parent.children ??= []);
    const span: FieldSpan = { name: name ?? String(children.length), start: this.pos, end: this.pos };
    children.push(span);
    this.stack.push(span);
  }

  /** Closes the innermost span here; a leaf keeps its value. */
  leave(value?: unknown): void {
    const span = this.stack.pop()!;
    span.end = this.pos;
    if (span.children === undefined && value !== undefined) span.value = value;
  }

  override sub(start: number, end: number): Reader {
    return new TracingReader(this.buf, start, end, this.stack);
  }
}
