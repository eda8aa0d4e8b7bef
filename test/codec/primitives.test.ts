/**
 * Every primitive of Kafka's wire format at its edges: what bytes each value becomes, what the reader
 * gives back, and which malformed inputs it refuses. The second half drives the interpreter with small
 * hand-written schemas to pin down tagged fields and the "field absent in this version" rule.
 */
import { describe, expect, it, vi } from 'vitest';
import type { FieldSpec, MessageSpec } from '../../protocol/schema.js';
import { MetadataRequest, MetadataResponse } from '../../protocol/messages/03-metadata.js';
import { ProtocolError } from '../../src/codec/errors.js';
import { codecFor } from '../../src/codec/interpret.js';
import { Reader } from '../../src/codec/reader.js';
import { Writer, sizeOfUnsignedVarint, sizeOfVarint, sizeOfVarlong } from '../../src/codec/writer.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const reader = (s: string) => new Reader(hex(s));

/** Writes with a Writer sized exactly `size` bytes and returns the hex (finish() checks the size). */
function written(size: number, write: (w: Writer) => void): string {
  const w = new Writer(size);
  write(w);
  return Buffer.concat(w.finish()).toString('hex');
}

/** Reads with `read` and checks the whole input was consumed. */
function readAll<T>(s: string, read: (r: Reader) => T): T {
  const r = reader(s);
  const v = read(r);
  expect(r.remaining).toBe(0);
  return v;
}

const rejects = (s: string, read: (r: Reader) => unknown, message?: RegExp) =>
  expect(() => read(reader(s))).toThrow(message ?? ProtocolError);

describe('fixed-width integers', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each row's writer takes its own number or bigint type
  const cases: [string, number, (w: Writer, v: any) => void, (r: Reader) => unknown, [unknown, string][]][] = [
    ['int8', 1, (w, v) => w.int8(v), (r) => r.int8(), [[0, '00'], [1, '01'], [-1, 'ff'], [127, '7f'], [-128, '80']]],
    ['int16', 2, (w, v) => w.int16(v), (r) => r.int16(), [[0, '0000'], [-1, 'ffff'], [32767, '7fff'], [-32768, '8000']]],
    ['int32', 4, (w, v) => w.int32(v), (r) => r.int32(), [[0, '00000000'], [-1, 'ffffffff'], [2147483647, '7fffffff'], [-2147483648, '80000000']]],
    ['int64', 8, (w, v) => w.int64(v), (r) => r.int64(), [
      [0n, '0000000000000000'], [-1n, 'ffffffffffffffff'],
      [9223372036854775807n, '7fffffffffffffff'], [-9223372036854775808n, '8000000000000000'],
    ]],
    ['uint16', 2, (w, v) => w.uint16(v), (r) => r.uint16(), [[0, '0000'], [65535, 'ffff'], [32768, '8000']]],
    ['uint32', 4, (w, v) => w.uint32(v), (r) => r.uint32(), [[0, '00000000'], [4294967295, 'ffffffff'], [2147483648, '80000000']]],
  ];
  for (const [name, width, write, read, values] of cases) {
    it(`${name}: extremes are big-endian and read back unchanged`, () => {
      for (const [v, bytes] of values) {
        expect(written(width, (w) => write(w, v))).toBe(bytes);
        expect(readAll(bytes, read)).toBe(v);
      }
    });
    it(`${name}: a truncated value is refused`, () => rejects('00'.repeat(width - 1), read));
  }

  it('writing a value out of range throws instead of wrapping', () => {
    expect(() => written(1, (w) => w.int8(128))).toThrow(RangeError);
    expect(() => written(2, (w) => w.uint16(-1))).toThrow(RangeError);
    expect(() => written(4, (w) => w.int32(2 ** 31))).toThrow(RangeError);
  });
});

describe('float64, bool, uuid', () => {
  it('float64 is an IEEE 754 double, big-endian, keeping -0, infinities and NaN', () => {
    const cases: [number, string][] = [
      [1, '3ff0000000000000'],
      [-0, '8000000000000000'],
      [Number.MAX_VALUE, '7fefffffffffffff'],
      [Number.MIN_VALUE, '0000000000000001'],
      [Infinity, '7ff0000000000000'],
      [-Infinity, 'fff0000000000000'],
    ];
    for (const [v, bytes] of cases) {
      expect(written(8, (w) => w.float64(v))).toBe(bytes);
      expect(Object.is(readAll(bytes, (r) => r.float64()), v)).toBe(true);
    }
    expect(readAll(written(8, (w) => w.float64(NaN)), (r) => r.float64())).toBeNaN();
  });

  it('bool is one byte; any non-zero byte reads as true (as Kafka does)', () => {
    expect(written(1, (w) => w.bool(true))).toBe('01');
    expect(written(1, (w) => w.bool(false))).toBe('00');
    expect(readAll('00', (r) => r.bool())).toBe(false);
    expect(readAll('01', (r) => r.bool())).toBe(true);
    expect(readAll('ff', (r) => r.bool())).toBe(true);
    rejects('', (r) => r.bool());
  });

  it('uuid is 16 raw bytes, read as a lower-case canonical string', () => {
    const cases: [string, string][] = [
      ['00000000-0000-0000-0000-000000000000', '00000000000000000000000000000000'],
      ['ffffffff-ffff-ffff-ffff-ffffffffffff', 'ffffffffffffffffffffffffffffffff'],
      ['0123abcd-4567-89ef-0123-456789abcdef', '0123abcd456789ef0123456789abcdef'],
    ];
    for (const [v, bytes] of cases) {
      expect(written(16, (w) => w.uuid(v))).toBe(bytes);
      expect(readAll(bytes, (r) => r.uuid())).toBe(v);
    }
    expect(written(16, (w) => w.uuid('0123ABCD-4567-89EF-0123-456789ABCDEF'))).toBe(cases[2]![1]);
    expect(() => written(16, (w) => w.uuid('not-a-uuid'))).toThrow();
    rejects('00'.repeat(15), (r) => r.uuid());
  });
});

describe('varints', () => {
  it('unsigned varint: 7 bits per byte, low group first, at most 5 bytes', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [63, '3f'],
      [64, '40'],
      [127, '7f'],
      [128, '8001'],
      [16383, 'ff7f'],
      [16384, '808001'],
      [2147483647, 'ffffffff07'],
      [4294967295, 'ffffffff0f'],
    ];
    for (const [v, bytes] of cases) {
      expect(written(bytes.length / 2, (w) => w.unsignedVarint(v))).toBe(bytes);
      expect(sizeOfUnsignedVarint(v)).toBe(bytes.length / 2);
      expect(readAll(bytes, (r) => r.unsignedVarint())).toBe(v);
    }
  });

  it('unsigned varint: a padded but short-enough encoding is accepted, as Kafka accepts it', () => {
    expect(readAll('8000', (r) => r.unsignedVarint())).toBe(0);
    expect(readAll('8180808000', (r) => r.unsignedVarint())).toBe(1);
  });

  it('unsigned varint: over-long, over-wide and truncated encodings are refused', () => {
    rejects('808080808000', (r) => r.unsignedVarint(), /longer than 5 bytes/); // a 6th byte
    rejects('ffffffffff01', (r) => r.unsignedVarint(), /longer than 5 bytes/);
    rejects('ffffffff1f', (r) => r.unsignedVarint(), /exceeds 32 bits/); // 5 bytes, 33+ bits
    rejects('80', (r) => r.unsignedVarint(), /truncated/);
    rejects('', (r) => r.unsignedVarint(), /truncated/);
  });

  it('varint: zig-zag maps small magnitudes of either sign to short encodings', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [63, '7e'],
      [-64, '7f'],
      [64, '8001'],
      [-65, '8101'],
      [127, 'fe01'],
      [128, '8002'],
      [2147483647, 'feffffff0f'],
      [-2147483648, 'ffffffff0f'],
    ];
    for (const [v, bytes] of cases) {
      expect(written(bytes.length / 2, (w) => w.varint(v))).toBe(bytes);
      expect(sizeOfVarint(v)).toBe(bytes.length / 2);
      expect(readAll(bytes, (r) => r.varint())).toBe(v);
    }
    rejects('ffffffffff01', (r) => r.varint());
  });

  it('varlong: zig-zag int64, at most 10 bytes', () => {
    const cases: [bigint, string][] = [
      [0n, '00'],
      [-1n, '01'],
      [1n, '02'],
      [63n, '7e'],
      [64n, '8001'],
      [2147483647n, 'feffffff0f'],
      [-2147483648n, 'ffffffff0f'],
      [2147483648n, '8080808010'],
      [9223372036854775807n, 'feffffffffffffffff01'],
      [-9223372036854775808n, 'ffffffffffffffffff01'],
    ];
    for (const [v, bytes] of cases) {
      expect(written(bytes.length / 2, (w) => w.varlong(v))).toBe(bytes);
      expect(sizeOfVarlong(v)).toBe(bytes.length / 2);
      expect(readAll(bytes, (r) => r.varlong())).toBe(v);
    }
  });

  it('varlong: over-long, over-wide and truncated encodings are refused', () => {
    rejects('8080808080808080808000', (r) => r.varlong(), /longer than 10 bytes/);
    rejects('ffffffffffffffffff02', (r) => r.varlong(), /exceeds 64 bits/);
    rejects('ffffffff', (r) => r.varlong(), /truncated/);
  });
});

describe('strings and bytes', () => {
  it('classic string: int16 length; -1 is null, 0 is empty, lengths count UTF-8 bytes', () => {
    expect(readAll('ffff', (r) => r.nullableString())).toBeNull();
    expect(readAll('0000', (r) => r.nullableString())).toBe('');
    expect(readAll('0000', (r) => r.string())).toBe('');
    expect(readAll('0003616263', (r) => r.string())).toBe('abc');
    expect(readAll('0002c3a9', (r) => r.string())).toBe('é');
  });

  it('classic string: null where not allowed, other negative lengths, and overruns are refused', () => {
    rejects('ffff', (r) => r.string(), /negative string length -1/);
    rejects('fffe', (r) => r.nullableString(), /negative string length -2/);
    rejects('8000', (r) => r.nullableString(), /negative/);
    rejects('000461626', (r) => r.string(), /needed 4 bytes/);
  });

  it('compact string: unsigned varint length + 1; 0 is null, 1 is empty', () => {
    expect(readAll('00', (r) => r.compactNullableString())).toBeNull();
    expect(readAll('01', (r) => r.compactNullableString())).toBe('');
    expect(readAll('01', (r) => r.compactString())).toBe('');
    expect(readAll('04616263', (r) => r.compactString())).toBe('abc');
    rejects('00', (r) => r.compactString(), /null string/);
    rejects('05616263', (r) => r.compactString(), /needed 4 bytes/);
    rejects('ffffffff0f', (r) => r.compactNullableString(), /needed/);
  });

  it('classic bytes: int32 length; -1 is null; other negatives and overruns are refused', () => {
    expect(readAll('ffffffff', (r) => r.nullableBytes())).toBeNull();
    expect(readAll('00000000', (r) => r.nullableBytes())).toEqual(Buffer.alloc(0));
    expect(readAll('00000002abcd', (r) => r.bytes())).toEqual(hex('abcd'));
    rejects('ffffffff', (r) => r.bytes(), /negative bytes length -1/);
    rejects('fffffffe', (r) => r.nullableBytes(), /negative bytes length -2/);
    rejects('80000000', (r) => r.nullableBytes(), /negative/);
    rejects('7fffffff00', (r) => r.bytes(), /needed 2147483647 bytes/);
  });

  it('compact bytes: 0 is null, 1 is empty', () => {
    expect(readAll('00', (r) => r.compactNullableBytes())).toBeNull();
    expect(readAll('01', (r) => r.compactNullableBytes())).toEqual(Buffer.alloc(0));
    expect(readAll('03abcd', (r) => r.compactBytes())).toEqual(hex('abcd'));
    rejects('00', (r) => r.compactBytes(), /null bytes/);
    rejects('04abcd', (r) => r.compactBytes(), /needed 3 bytes/);
  });

  it('decoded bytes are views of the input, not copies', () => {
    const buf = hex('00000002abcd');
    const b = new Reader(buf).bytes();
    buf[4] = 0x11;
    expect(b[0]).toBe(0x11);
  });
});

describe('array counts', () => {
  it('a count that is exactly what is left is fine; one more is refused before reading elements', () => {
    const r = reader('00000004 01020304');
    expect(r.arrayLength(false)).toBe(4);
    rejects('00000005 01020304', (r) => r.arrayLength(false), /cannot fit in 4 bytes/);
    expect(reader('06 0102030405').compactArrayLength(false)).toBe(5);
    rejects('07 0102030405', (r) => r.compactArrayLength(false), /cannot fit in 5 bytes/);
  });

  // Constant time and no allocation, shown without a clock: the count is refused before the array
  // is made or any element is read, so a claim of 2^31 elements costs what a claim of 2 does.
  it('a hostile count is refused before any element is read, whatever it claims', () => {
    const spec = message('[]int64');
    const elementReads = vi.spyOn(Reader.prototype, 'int64');
    try {
      expect(() => codecFor(spec, 0).decode(hex('7fffffff 00'))).toThrow(/array of 2147483647 elements cannot fit in 1 bytes/);
      expect(() => codecFor(spec, 1).decode(hex('ffffffff0f 00'))).toThrow(/array of 4294967294 elements cannot fit in 1 bytes/);
      expect(() => codecFor(spec, 0).decode(hex('00000002 00'))).toThrow(/array of 2 elements cannot fit in 1 bytes/);
      expect(elementReads).not.toHaveBeenCalled();
    } finally {
      elementReads.mockRestore();
    }
  });

  it('null counts only where nullable; other negative counts never', () => {
    expect(readAll('ffffffff', (r) => r.arrayLength(true))).toBe(-1);
    expect(readAll('00', (r) => r.compactArrayLength(true))).toBe(-1);
    rejects('ffffffff', (r) => r.arrayLength(false), /negative array length -1/);
    rejects('fffffffe', (r) => r.arrayLength(true), /negative array length -2/);
    rejects('00', (r) => r.compactArrayLength(false), /null array/);
  });
});

/** A one-field message `{ v: <type> }`, flexible from version 1. */
function message(type: FieldSpec['type'], extra: Partial<FieldSpec> = {}): MessageSpec {
  return {
    name: 'Test',
    type: 'data',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [{ name: 'v', type, versions: '0+', ...extra }],
  };
}

const encodeHex = (spec: MessageSpec, version: number, value: object) =>
  Buffer.concat(codecFor(spec, version).encode(value as never)).toString('hex');
const decodeHex = (spec: MessageSpec, version: number, bytes: string) => codecFor(spec, version).decode(hex(bytes));

describe('interpreter: classic vs compact forms of one field', () => {
  it('nullable string: int16 at v0, compact at v1 (plus the empty tag section)', () => {
    const spec = message('string', { nullableVersions: '0+' });
    expect(encodeHex(spec, 0, { v: null })).toBe('ffff');
    expect(encodeHex(spec, 1, { v: null })).toBe('00' + '00');
    expect(encodeHex(spec, 0, { v: '' })).toBe('0000');
    expect(encodeHex(spec, 1, { v: '' })).toBe('01' + '00');
    expect(encodeHex(spec, 1, { v: 'abc' })).toBe('04616263' + '00');
  });

  it('null into a non-nullable string, bytes or array throws on encode', () => {
    expect(() => encodeHex(message('string'), 0, { v: null })).toThrow(/non-nullable/);
    expect(() => encodeHex(message('bytes'), 1, { v: null })).toThrow(/non-nullable/);
    expect(() => encodeHex(message('[]int32'), 0, { v: null })).toThrow(/non-nullable/);
  });

  it('nullable array: int32 -1 / compact 0 for null', () => {
    const spec = message('[]int32', { nullableVersions: '0+' });
    expect(encodeHex(spec, 0, { v: null })).toBe('ffffffff');
    expect(encodeHex(spec, 1, { v: null })).toBe('00' + '00');
    expect(encodeHex(spec, 1, { v: [] })).toBe('01' + '00');
    expect(encodeHex(spec, 1, { v: [7] })).toBe('0200000007' + '00');
    expect(decodeHex(spec, 1, '00 00')).toEqual({ v: null });
  });

  it('nullable struct: an int8 marker, -1 for null and 1 for present', () => {
    const spec = message('{}', { nullableVersions: '0+', default: null, fields: [{ name: 'a', type: 'int16', versions: '0+' }] });
    expect(encodeHex(spec, 0, { v: null })).toBe('ff');
    expect(encodeHex(spec, 0, { v: { a: 2 } })).toBe('010002');
    expect(decodeHex(spec, 0, 'ff')).toEqual({ v: null });
    expect(decodeHex(spec, 0, '010002')).toEqual({ v: { a: 2 } });
  });

  it('a string longer than an int16 length can carry is refused in classic form', () => {
    expect(() => encodeHex(message('string'), 0, { v: 'x'.repeat(0x8000) })).toThrow(/too long/);
    expect(encodeHex(message('string'), 1, { v: 'x'.repeat(0x8000) }).length).toBe((3 + 0x8000 + 1) * 2);
  });
});

describe('interpreter: tagged fields (KIP-482)', () => {
  const spec: MessageSpec = {
    name: 'Tagged',
    type: 'data',
    validVersions: '0-2',
    flexibleVersions: '1+',
    fields: [
      { name: 'a', type: 'int16', versions: '0+' },
      { name: 'count', type: 'int32', versions: '1+', taggedVersions: '1+', tag: 0, default: 7 },
      { name: 'label', type: 'string', versions: '1+', nullableVersions: '1+', taggedVersions: '1+', tag: 1, default: null },
      { name: 'ids', type: '[]int32', versions: '1+', taggedVersions: '1+', tag: 5, ignorable: true },
      { name: 'maybe', type: '[]int32', versions: '2+', nullableVersions: '2+', taggedVersions: '2+', tag: 6, default: null },
    ],
  };
  const defaults = { a: 1, count: 7, label: null, ids: [], maybe: null };

  it('a tagged field at its default is not written at all', () => {
    expect(encodeHex(spec, 1, defaults)).toBe('0001' + '00');
    expect(encodeHex(spec, 2, defaults)).toBe('0001' + '00');
  });

  it('non-default tagged fields are written in tag order: tag, size, value', () => {
    expect(encodeHex(spec, 2, { ...defaults, ids: [3], label: 'x', count: 8, maybe: [] })).toBe(
      '0001' + '04' + '00' + '04' + '00000008' + '01' + '02' + '0278' + '05' + '05' + '0200000003' + '06' + '01' + '01',
    );
  });

  it('known tags are decoded; absent ones take their defaults', () => {
    expect(decodeHex(spec, 1, '0001 01 01 02 0278')).toEqual({ ...defaults, label: 'x' });
    expect(decodeHex(spec, 1, '0001 00')).toEqual(defaults);
  });

  it('unknown tags are skipped, never fatal, wherever they appear', () => {
    // tags 2 (3 bytes) and 9 (0 bytes) are unknown; 0 is known.
    expect(decodeHex(spec, 1, '0001 03 02 03 aabbcc 00 04 00000009 09 00')).toEqual({ ...defaults, count: 9 });
    // a field tagged only from v2 is unknown at v1
    expect(decodeHex(spec, 1, '0001 01 06 01 01')).toEqual(defaults);
  });

  it('a tagged field whose size runs past the message is refused', () => {
    expect(() => decodeHex(spec, 1, '0001 01 02 05 aabb')).toThrow(/overruns/);
    expect(() => decodeHex(spec, 1, '0001 02 02 00')).toThrow(ProtocolError); // second tag missing
  });

  it('tagged fields do not exist in non-flexible versions', () => {
    expect(decodeHex(spec, 0, '0001')).toEqual(defaults);
    expect(encodeHex(spec, 0, { ...defaults, ids: [1] })).toBe('0001'); // ignorable: dropped
    expect(() => encodeHex(spec, 0, { ...defaults, count: 8 })).toThrow(/count has a non-default value/);
  });
});

describe('interpreter: fields a version lacks', () => {
  it('a non-ignorable field with a non-default value throws on encode', () => {
    const req = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
    expect(() => codecFor(MetadataRequest, 3).encode(req)).toThrow(/allowAutoTopicCreation/);
    expect(() => codecFor(MetadataRequest, 4).encode(req)).not.toThrow();
    const v11 = { ...req, includeClusterAuthorizedOperations: true };
    expect(() => codecFor(MetadataRequest, 11).encode(v11)).toThrow(/includeClusterAuthorizedOperations/);
  });

  it('at its default it is fine, and so is any value of an ignorable field', () => {
    const req = { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
    expect(codecFor(MetadataRequest, 3).encode(req)).toEqual([hex('ffffffff')]);
    const res = { throttleTimeMs: 99, brokers: [], clusterId: 'dropped', controllerId: 5, topics: [], clusterAuthorizedOperations: -2147483648, errorCode: 0 };
    expect(codecFor(MetadataResponse, 0).encode(res)).toEqual([hex('00000000 00000000')]);
  });

  it('decodes to the defaults given by the schema', () => {
    expect(codecFor(MetadataRequest, 3).decode(hex('ffffffff'))).toEqual({
      topics: null,
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  });
});
