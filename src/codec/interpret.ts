/**
 * One generic codec for every Kafka message, driven by the schemas in `protocol/messages/`.
 *
 * For a (message, version) pair the schema is compiled once into a tree of small closures with every
 * version question already answered: which fields exist, which are tagged, which are nullable, and
 * whether strings, bytes and arrays use the classic (int16/int32 length) or the compact (unsigned
 * varint length + 1) form of flexible versions. Decoding and encoding then only walk that tree; no
 * per-version code is written by hand anywhere.
 *
 * Rules taken from Kafka's generated code:
 * - Fields a version lacks decode to their default; encoding a non-default value into such a field
 *   throws unless the field is `ignorable` (it catches handler bugs).
 * - In flexible versions every struct ends with a tagged-field section. Known tags are decoded,
 *   unknown tags are skipped, and a tagged field is written only when it differs from its default.
 * - Nullable structs are prefixed by an int8: -1 for null, 1 for present.
 */
import { ZERO_UUID, type FieldSpec, type MessageOf, type MessageSpec } from '../../protocol/schema.js';
import { ProtocolError } from './errors.js';
import { Reader, TracingReader, type FieldSpan } from './reader.js';
import { inRange, parseRange } from './versions.js';
import { Writer, sizeOfUnsignedVarint } from './writer.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a bare Codec holds any field's values; the schema, not TypeScript, knows which
export interface Codec<T = any> {
  read(r: Reader): T;
  size(v: T): number;
  write(w: Writer, v: T): void;
}

export interface MessageCodec<T> extends Codec<T> {
  readonly version: number;
  readonly flexible: boolean;
  decode(buf: Buffer, start?: number, end?: number): T;
  /** Encoded bytes; more than one Buffer when `records` fields were passed through as chunks. */
  encode(value: T): Buffer[];
}

// ---------------------------------------------------------------------------------------------
// Primitives

const fixed = <T>(n: number, read: (r: Reader) => T, write: (w: Writer, v: T) => void): Codec<T> => ({
  read,
  size: () => n,
  write,
});

const PRIMITIVES: Record<string, Codec> = {
  int8: fixed(1, (r) => r.int8(), (w, v: number) => w.int8(v)),
  int16: fixed(2, (r) => r.int16(), (w, v: number) => w.int16(v)),
  int32: fixed(4, (r) => r.int32(), (w, v: number) => w.int32(v)),
  int64: fixed(8, (r) => r.int64(), (w, v: bigint) => w.int64(v)),
  uint16: fixed(2, (r) => r.uint16(), (w, v: number) => w.uint16(v)),
  uint32: fixed(4, (r) => r.uint32(), (w, v: number) => w.uint32(v)),
  float64: fixed(8, (r) => r.float64(), (w, v: number) => w.float64(v)),
  bool: fixed(1, (r) => r.bool(), (w, v: boolean) => w.bool(v)),
  uuid: fixed(16, (r) => r.uuid(), (w, v: string) => w.uuid(v)),
};

function stringCodec(flexible: boolean, nullable: boolean): Codec<string | null> {
  const read = flexible
    ? nullable
      ? (r: Reader) => r.compactNullableString()
      : (r: Reader) => r.compactString()
    : nullable
      ? (r: Reader) => r.nullableString()
      : (r: Reader) => r.string();
  const prefix = (len: number) => (flexible ? sizeOfUnsignedVarint(len + 1) : 2);
  return {
    read,
    size(v) {
      if (v === null) return flexible ? 1 : 2;
      return prefix(Buffer.byteLength(v, 'utf8')) + Buffer.byteLength(v, 'utf8');
    },
    write(w, v) {
      if (v === null) {
        if (!nullable) throw new Error('null written to a non-nullable string');
        if (flexible) w.unsignedVarint(0);
        else w.int16(-1);
        return;
      }
      const len = Buffer.byteLength(v, 'utf8');
      if (flexible) w.unsignedVarint(len + 1);
      else {
        if (len > 0x7fff) throw new Error(`string of ${len} bytes is too long`);
        w.int16(len);
      }
      w.utf8(v, len);
    },
  };
}

function bytesCodec(flexible: boolean, nullable: boolean): Codec<Buffer | null> {
  const read = flexible
    ? nullable
      ? (r: Reader) => r.compactNullableBytes()
      : (r: Reader) => r.compactBytes()
    : nullable
      ? (r: Reader) => r.nullableBytes()
      : (r: Reader) => r.bytes();
  return {
    read,
    size: (v) => (v === null ? (flexible ? 1 : 4) : (flexible ? sizeOfUnsignedVarint(v.length + 1) : 4) + v.length),
    write(w, v) {
      writeLength(w, flexible, nullable, v === null ? -1 : v.length);
      if (v !== null) w.raw(v);
    },
  };
}

type RecordsValue = Buffer | readonly Buffer[] | null;

const recordsLength = (v: RecordsValue): number =>
  v === null ? -1 : Buffer.isBuffer(v) ? v.length : v.reduce((n, b) => n + b.length, 0);

/** `records` are nullable bytes on the wire, passed through as chunks when encoding. */
function recordsCodec(flexible: boolean): Codec<RecordsValue> {
  const bytes = bytesCodec(flexible, true);
  return {
    read: bytes.read,
    size(v) {
      const len = recordsLength(v);
      if (len > 0) zeroCopyBytes += len;
      return len === -1 ? (flexible ? 1 : 4) : (flexible ? sizeOfUnsignedVarint(len + 1) : 4) + len;
    },
    write(w, v) {
      writeLength(w, flexible, true, recordsLength(v));
      if (v === null) return;
      if (Buffer.isBuffer(v)) {
        if (v.length) w.chunk(v);
      } else for (const b of v) if (b.length) w.chunk(b);
    },
  };
}

function writeLength(w: Writer, flexible: boolean, nullable: boolean, len: number): void {
  if (len === -1 && !nullable) throw new Error('null written to a non-nullable field');
  if (flexible) w.unsignedVarint(len + 1);
  else w.int32(len);
}

function arrayCodec(element: Codec, flexible: boolean, nullable: boolean, traced = false): Codec<unknown[] | null> {
  if (traced) element = tracedField(undefined, element);
  return {
    read(r) {
      const n = flexible ? r.compactArrayLength(nullable) : r.arrayLength(nullable);
      if (n === -1) return null;
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = element.read(r);
      return out;
    },
    size(v) {
      if (v === null) return flexible ? 1 : 4;
      let n = flexible ? sizeOfUnsignedVarint(v.length + 1) : 4;
      for (let i = 0; i < v.length; i++) n += element.size(v[i]);
      return n;
    },
    write(w, v) {
      writeLength(w, flexible, nullable, v === null ? -1 : v.length);
      if (v !== null) for (let i = 0; i < v.length; i++) element.write(w, v[i]);
    },
  };
}

function nullableStructCodec(struct: Codec): Codec {
  return {
    read: (r) => (r.int8() < 0 ? null : struct.read(r)),
    size: (v) => 1 + (v === null ? 0 : struct.size(v)),
    write(w, v) {
      w.int8(v === null ? -1 : 1);
      if (v !== null) struct.write(w, v);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Defaults

/** A fresh default value for a field (fresh, so nobody shares a mutable array). */
export function defaultOf(f: FieldSpec): unknown {
  if (f.default !== undefined) return f.default;
  if (f.type.startsWith('[]')) return [];
  if (f.type === '{}') return f.nullableVersions ? null : defaultStruct(f.fields!);
  switch (f.type) {
    case 'int64':
      return 0n;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    default:
      return 0;
  }
}

export function defaultStruct(fields: readonly FieldSpec[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) o[f.name] = defaultOf(f);
  return o;
}

export function isDefault(f: FieldSpec, v: unknown): boolean {
  if (v === undefined) return true;
  // null is the default exactly when the schema's default is null (arrays and bytes included).
  if (v === null) return defaultOf(f) === null;
  if (f.type === '{}') {
    const d = defaultOf(f);
    if (d === null) return false;
    return f.fields!.every((sub) => isDefault(sub, (v as Record<string, unknown>)[sub.name]));
  }
  if (f.type.startsWith('[]')) return Array.isArray(v) && v.length === 0 && f.default === undefined;
  if (f.type === 'bytes') return v !== null && f.default === undefined && (v as Buffer).length === 0;
  if (f.type === 'records') return v === null || recordsLength(v as RecordsValue) === 0;
  return v === defaultOf(f);
}

// ---------------------------------------------------------------------------------------------
// Fields and structs

function fieldCodec(f: FieldSpec, version: number, flexible: boolean, traced: boolean): Codec {
  const flex = flexible && f.flexibleVersions !== 'none';
  const nullable = inRange(version, f.nullableVersions);
  if (f.type === '[]') return arrayCodec(structCodec(f.fields!, version, flex, traced), flex, nullable, traced);
  if (f.type === '{}') {
    const struct = structCodec(f.fields!, version, flex, traced);
    return nullable ? nullableStructCodec(struct) : struct;
  }
  if (f.type.startsWith('[]')) return arrayCodec(primitiveCodec(f.type.slice(2), flex, false), flex, nullable, traced);
  return primitiveCodec(f.type, flex, nullable);
}

/** `codec`, recording its span on a TracingReader (named `name`, or by array index). */
function tracedField(name: string | undefined, codec: Codec): Codec {
  return {
    read(r) {
      const t = r as TracingReader;
      t.enter(name);
      const v = codec.read(r);
      t.leave(v);
      return v;
    },
    size: codec.size,
    write: codec.write,
  };
}

function primitiveCodec(type: string, flexible: boolean, nullable: boolean): Codec {
  if (type === 'string') return stringCodec(flexible, nullable);
  if (type === 'bytes') return bytesCodec(flexible, nullable);
  if (type === 'records') return recordsCodec(flexible);
  const codec = PRIMITIVES[type];
  if (!codec) throw new Error(`unknown type ${type}`);
  return codec;
}

interface Step {
  readonly field: FieldSpec;
  readonly name: string;
  /** Set for fields present in this version and not tagged. */
  readonly codec?: Codec;
}

/** Bytes of `records` counted by the size pass: they are sent as their own chunks, not copied. */
let zeroCopyBytes = 0;

interface TaggedStep {
  readonly field: FieldSpec;
  readonly name: string;
  readonly tag: number;
  readonly codec: Codec;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a struct's shape comes from its FieldSpecs at run time
function structCodec(fields: readonly FieldSpec[], version: number, flexible: boolean, traced = false): Codec<Record<string, any>> {
  const compile = (f: FieldSpec) => (traced ? tracedField(f.name, fieldCodec(f, version, flexible, true)) : fieldCodec(f, version, flexible, false));
  const steps: Step[] = [];
  const tagged: TaggedStep[] = [];
  const absent: FieldSpec[] = [];
  for (const f of fields) {
    const present = inRange(version, f.versions);
    const isTagged = present && flexible && inRange(version, f.taggedVersions);
    if (present && !isTagged) steps.push({ field: f, name: f.name, codec: compile(f) });
    else {
      steps.push({ field: f, name: f.name });
      if (isTagged) tagged.push({ field: f, name: f.name, tag: f.tag!, codec: compile(f) });
      else if (!f.ignorable) absent.push(f);
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const byTag = new Map(tagged.map((t) => [t.tag, t]));

  const checkAbsent = (o: Record<string, unknown>) => {
    for (const f of absent) {
      if (!isDefault(f, o[f.name])) {
        throw new Error(`field ${f.name} has a non-default value but does not exist in version ${version}`);
      }
    }
  };

  return {
    read(r) {
      const o: Record<string, unknown> = {};
      for (const s of steps) o[s.name] = s.codec ? s.codec.read(r) : defaultOf(s.field);
      if (flexible) {
        if (traced) (r as TracingReader).enter('_tagged_fields');
        const count = r.unsignedVarint();
        for (let i = 0; i < count; i++) {
          const tag = r.unsignedVarint();
          const size = r.unsignedVarint();
          if (size > r.remaining) throw new ProtocolError(`tagged field ${tag} of ${size} bytes overruns the message`);
          const known = byTag.get(tag);
          if (known) o[known.name] = known.codec.read(r.sub(r.pos, r.pos + size));
          r.skip(size);
        }
        if (traced) (r as TracingReader).leave(count);
      }
      return o;
    },
    size(o) {
      let n = 0;
      for (const s of steps) if (s.codec) n += s.codec.size(o[s.name]);
      if (flexible) {
        let count = 0;
        for (const t of tagged) {
          const v = o[t.name];
          if (isDefault(t.field, v)) continue;
          count++;
          const size = t.codec.size(v);
          n += sizeOfUnsignedVarint(t.tag) + sizeOfUnsignedVarint(size) + size;
        }
        n += sizeOfUnsignedVarint(count);
      }
      return n;
    },
    write(w, o) {
      checkAbsent(o);
      for (const s of steps) if (s.codec) s.codec.write(w, o[s.name]);
      if (flexible) {
        let count = 0;
        for (const t of tagged) if (!isDefault(t.field, o[t.name])) count++;
        w.unsignedVarint(count);
        for (const t of tagged) {
          const v = o[t.name];
          if (isDefault(t.field, v)) continue;
          w.unsignedVarint(t.tag);
          w.unsignedVarint(t.codec.size(v));
          t.codec.write(w, v);
        }
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Messages

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one cache for every message type; codecFor() restores the type
type Cache = WeakMap<MessageSpec, Map<number, MessageCodec<any>>>;
const compiled: Cache = new WeakMap();
const tracedCompiled: Cache = new WeakMap();

export function isFlexible(spec: MessageSpec, version: number): boolean {
  return inRange(version, spec.flexibleVersions);
}

/** The compiled codec of `spec` at `version`; built on first use, then cached. */
export function codecFor<M extends MessageSpec>(spec: M, version: number): MessageCodec<MessageOf<M>> {
  return compileMessage(spec, version, false, compiled);
}

/**
 * The same codec compiled a second time, with every field read wrapped to record its span: it must
 * be given a TracingReader (src/codec/reader.ts). The inspector decodes captured frames with it;
 * the broker never does, so the codecs that serve requests carry no tracing code at all.
 */
export function tracedCodecFor<M extends MessageSpec>(spec: M, version: number): MessageCodec<MessageOf<M>> {
  return compileMessage(spec, version, true, tracedCompiled);
}

/** Decodes one message with field spans: its value and the span tree (the root covers start..end). */
export function decodeTraced<M extends MessageSpec>(
  spec: M,
  version: number,
  buf: Buffer,
  start = 0,
  end = buf.length,
): { value: MessageOf<M>; spans: FieldSpan } {
  const r = new TracingReader(buf, start, end);
  const value = tracedCodecFor(spec, version).read(r);
  r.root.end = r.pos;
  return { value, spans: r.root };
}

function compileMessage<M extends MessageSpec>(spec: M, version: number, traced: boolean, cache: Cache): MessageCodec<MessageOf<M>> {
  let byVersion = cache.get(spec);
  if (!byVersion) cache.set(spec, (byVersion = new Map()));
  let codec = byVersion.get(version);
  if (codec) return codec;
  const valid = parseRange(spec.validVersions);
  if (version < valid.min || version > valid.max) {
    throw new ProtocolError(`${spec.name} has no version ${version} (valid: ${spec.validVersions})`);
  }
  const flexible = isFlexible(spec, version);
  const struct = structCodec(spec.fields, version, flexible, traced);
  const reader = traced ? TracingReader : Reader;
  codec = {
    version,
    flexible,
    read: struct.read,
    size: struct.size,
    write: struct.write,
    decode(buf, start = 0, end = buf.length) {
      return struct.read(new reader(buf, start, end));
    },
    encode(value) {
      zeroCopyBytes = 0;
      const total = struct.size(value);
      const w = new Writer(total - zeroCopyBytes);
      struct.write(w, value);
      return w.finish();
    },
  };
  byVersion.set(version, codec);
  return codec;
}
