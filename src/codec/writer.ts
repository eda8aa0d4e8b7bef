/**
 * Writes Kafka's primitive types into one pre-sized Buffer.
 *
 * Encoding is two passes (as Kafka's generated code does): the message is sized first, one Buffer of
 * exactly that size is allocated, then written. `records` fields are not copied into it: the writer
 * cuts its output into chunks around them, so file bytes read for a fetch go to the socket as they are.
 */
export class Writer {
  readonly buf: Buffer;
  pos = 0;
  private readonly chunks: Buffer[] = [];
  private chunkStart = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  int8(v: number): void {
    this.pos = this.buf.writeInt8(v, this.pos);
  }
  int16(v: number): void {
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }
  int32(v: number): void {
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }
  int64(v: bigint): void {
    this.pos = this.buf.writeBigInt64BE(v, this.pos);
  }
  uint16(v: number): void {
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }
  uint32(v: number): void {
    this.pos = this.buf.writeUInt32BE(v, this.pos);
  }
  float64(v: number): void {
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }
  bool(v: boolean): void {
    this.buf[this.pos++] = v ? 1 : 0;
  }

  uuid(v: string): void {
    const hex = v.length === 36 ? v.replace(/-/g, '') : v;
    if (hex.length !== 32) throw new Error(`invalid uuid "${v}"`);
    this.pos += this.buf.write(hex, this.pos, 16, 'hex');
  }

  unsignedVarint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  varint(v: number): void {
    this.unsignedVarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  varlong(v: bigint): void {
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  /** UTF-8 bytes of a string whose byte length the caller already knows. */
  utf8(v: string, byteLength: number): void {
    this.pos += this.buf.write(v, this.pos, byteLength, 'utf8');
  }

  raw(v: Uint8Array): void {
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Hand a records buffer over as its own chunk instead of copying it. */
  chunk(v: Buffer): void {
    if (this.pos > this.chunkStart) this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
    this.chunks.push(v);
    this.chunkStart = this.pos;
  }

  /** The encoded message: one Buffer, or several when records were handed over as chunks. */
  finish(): Buffer[] {
    if (this.pos !== this.buf.length) throw new Error(`encoder wrote ${this.pos} bytes of ${this.buf.length} sized`);
    if (this.chunks.length === 0) return [this.buf];
    if (this.pos > this.chunkStart) this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
    return this.chunks;
  }
}

/** Bytes an unsigned varint takes. */
export function sizeOfUnsignedVarint(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

export function sizeOfVarint(v: number): number {
  return sizeOfUnsignedVarint(v >= 0 ? v * 2 : -v * 2 - 1);
}

export function sizeOfVarlong(v: bigint): number {
  let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  let n = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    n++;
  }
  return n;
}
