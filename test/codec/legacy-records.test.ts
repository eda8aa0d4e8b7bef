/**
 * The magic 0/1 message format against byte layouts built by hand from Kafka's protocol guide
 * ("Message sets": Offset MessageSize Crc MagicByte Attributes [Timestamp] Key Value) and against
 * messages as sarama 1.22 encodes them (its message_test.go vectors, an independent implementation).
 */
import { crc32, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  encodeMessage,
  encodeMessageSet,
  entrySizeAt,
  innerMessages,
  readMessage,
  type LegacyMessage,
} from '../../src/codec/legacy-records.js';
import { Compression } from '../../src/codec/record-batch.js';

/** An entry around a message's bytes: offset and size. */
function entry(offset: bigint, message: number[] | Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeBigInt64BE(offset);
  head.writeInt32BE(message.length, 8);
  return Buffer.concat([head, Buffer.from(message)]);
}

const read = (buf: Buffer): LegacyMessage => readMessage(buf, 0, entrySizeAt(buf, 0)!);

// sarama 1.22's message_test.go: a magic 0 gzip wrapper, a magic 0 xerial-snappy wrapper and a magic 1
// lz4 wrapper (an LZ4 frame with a content checksum), each holding two empty magic 0 messages at 0 and 1.
const saramaBulkGzip = [139, 160, 63, 141, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x27, 0x1f, 0x8b, 0x08,
  0, 0, 0, 0, 0, 0, 0, 99, 96, 128, 3, 190, 202, 112, 143, 7, 12, 12, 255, 129, 0, 33, 200, 192, 136, 41, 3, 0, 199, 226, 155, 70, 52, 0, 0, 0];
const saramaBulkSnappy = [180, 47, 53, 209, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 42, 130, 83, 78, 65, 80, 80, 89, 0, 0, 0, 0, 1, 0, 0, 0, 1,
  0, 0, 0, 22, 52, 0, 0, 25, 1, 16, 14, 227, 138, 104, 118, 25, 15, 13, 1, 8, 1, 0, 0, 62, 26, 0];
const saramaBulkLz4 = [246, 12, 188, 129, 0x01, 0x03, 255, 255, 249, 209, 212, 181, 73, 201, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x47,
  0x04, 0x22, 0x4d, 0x18, 100, 112, 185, 52, 0, 0, 128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 14, 121, 87, 72, 224, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 14, 121, 87, 72, 224, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 71, 129, 23, 111];

describe('legacy messages', () => {
  it('writes a magic 0 message field by field, CRC-32 over magic .. value', () => {
    const e = encodeMessage(0, 0, { offset: 7n, timestamp: -1, key: Buffer.from('k'), value: Buffer.from('hello') });
    const message = Buffer.concat([
      Buffer.from([0, 0]), // magic 0, attributes
      Buffer.from([0, 0, 0, 1]), Buffer.from('k'),
      Buffer.from([0, 0, 0, 5]), Buffer.from('hello'),
    ]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(message));
    expect(e).toEqual(entry(7n, Buffer.concat([crc, message])));
  });

  it('writes a magic 1 message with its timestamp and LogAppendTime bit, null key and value as -1', () => {
    const e = encodeMessage(1, 0x08, { offset: 0n, timestamp: 1479847795000, key: null, value: null });
    const message = Buffer.from([1, 0x08, 0, 0, 1, 0x58, 0x8d, 0xcd, 0x59, 0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(message));
    expect(e).toEqual(entry(0n, Buffer.concat([crc, message])));
    expect(read(e)).toEqual({ offset: 0n, magic: 1, attributes: 8, timestamp: 1479847795000, key: null, value: null, sizeInBytes: e.length, valid: true });
  });

  it('matches sarama\'s empty magic 0 and magic 1 messages byte for byte', () => {
    expect(encodeMessage(0, 0, { offset: 0n, timestamp: -1, key: null, value: null })).toEqual(
      entry(0n, [167, 236, 104, 3, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    );
    expect(encodeMessage(1, 0, { offset: 0n, timestamp: 0, key: null, value: null })).toEqual(
      entry(0n, [204, 47, 121, 217, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    );
  });

  it('notices a CRC that does not match', () => {
    const e = encodeMessage(0, 0, { offset: 0n, timestamp: -1, key: null, value: Buffer.from('v') });
    e[e.length - 1] ^= 1;
    expect(read(e).valid).toBe(false);
  });

  it('sizes entries as Kafka does: partial ones undefined, a too-small size or a bad magic corrupt', () => {
    const e = encodeMessage(0, 0, { offset: 0n, timestamp: -1, key: null, value: Buffer.from('v') });
    expect(entrySizeAt(e, 0)).toBe(e.length);
    expect(entrySizeAt(e.subarray(0, e.length - 1), 0)).toBeUndefined();
    expect(entrySizeAt(e.subarray(0, 11), 0)).toBeUndefined();
    const small = Buffer.from(e);
    small.writeInt32BE(13, 8);
    expect(() => entrySizeAt(small, 0)).toThrow(expect.objectContaining({ errorCode: 2 }));
    const magic = Buffer.from(e);
    magic[16] = 3;
    expect(() => entrySizeAt(magic, 0)).toThrow(expect.objectContaining({ errorCode: 2 }));
  });

  it.each([
    ['gzip (magic 0 wrapper)', saramaBulkGzip],
    ['xerial snappy (magic 0 wrapper)', saramaBulkSnappy],
    ['lz4 (magic 1 wrapper)', saramaBulkLz4],
  ])('reads the inner messages of sarama\'s %s', (_, bytes) => {
    const wrapper = read(entry(1n, bytes));
    expect(wrapper.valid).toBe(true);
    const inner = innerMessages(wrapper);
    expect(inner.map((m) => [m.message.offset, m.message.magic, m.timestamp, m.message.value?.length, m.message.valid])).toEqual([
      [0n, 0, -1, 0, true],
      [1n, 0, -1, 0, true],
    ]);
  });

  it('writes a compressed set as one wrapper: last offset, relative inner offsets (magic 1), max timestamp', () => {
    const messages = [
      { offset: 10n, timestamp: 5, key: null, value: Buffer.from('a') },
      { offset: 11n, timestamp: 9, key: Buffer.from('k'), value: Buffer.from('b') },
    ];
    for (const codec of [Compression.gzip, Compression.snappy, Compression.lz4]) {
      const [bytes, ...more] = encodeMessageSet(messages, { magic: 1, codec, logAppendTime: false });
      expect(more).toEqual([]);
      const wrapper = read(bytes!);
      expect([wrapper.offset, wrapper.magic, wrapper.attributes, wrapper.timestamp, wrapper.key, wrapper.valid]).toEqual([11n, 1, codec, 9, null, true]);
      expect(innerMessages(wrapper).map((m) => [m.message.offset, m.timestamp, m.message.key, m.message.value])).toEqual([
        [0n, 5, null, Buffer.from('a')],
        [1n, 9, Buffer.from('k'), Buffer.from('b')],
      ]);
    }
    // Magic 0 inner messages keep absolute offsets; uncompressed sets are one entry per message.
    const [v0] = encodeMessageSet(messages, { magic: 0, codec: Compression.gzip, logAppendTime: false });
    expect(innerMessages(read(v0!)).map((m) => m.message.offset)).toEqual([10n, 11n]);
    expect(encodeMessageSet(messages, { magic: 1, codec: Compression.none, logAppendTime: false }).map((e) => read(e).offset)).toEqual([10n, 11n]);
  });

  it('gives inner messages the wrapper\'s time when the wrapper says LogAppendTime', () => {
    const messages = [{ offset: 0n, timestamp: 42, key: null, value: Buffer.from('a') }];
    const [bytes] = encodeMessageSet(messages, { magic: 1, codec: Compression.gzip, logAppendTime: true });
    const wrapper = read(bytes!);
    expect(wrapper.attributes).toBe(Compression.gzip | 0x08);
    const inner = Buffer.from(wrapper.value!);
    expect(innerMessages({ ...wrapper, timestamp: 777, value: inner })[0]!.timestamp).toBe(777);
  });

  it('refuses bad wrappers as Kafka\'s deep iterator does', () => {
    const one = [{ offset: 5n, timestamp: 1, key: null, value: Buffer.from('a') }];
    const wrapper = read(encodeMessageSet(one, { magic: 1, codec: Compression.gzip, logAppendTime: false })[0]!);
    expect(() => innerMessages({ ...wrapper, attributes: Compression.zstd })).toThrow(expect.objectContaining({ errorCode: 87 }));
    expect(() => innerMessages({ ...wrapper, value: null })).toThrow(expect.objectContaining({ errorCode: 87 }));
    expect(() => innerMessages({ ...wrapper, value: Buffer.from('not gzip') })).toThrow(expect.objectContaining({ errorCode: -1 }));
    const empty = encodeMessage(1, Compression.gzip, { offset: 0n, timestamp: 0, key: null, value: gzipSync(Buffer.alloc(0)) });
    expect(() => innerMessages(read(empty))).toThrow(expect.objectContaining({ errorCode: 87, message: expect.stringMatching(/no inner records/) }));
    const tooSmall = encodeMessage(1, Compression.gzip, { offset: 0n, timestamp: 0, key: null, value: gzipSync(entry(0n, Buffer.alloc(13))) });
    expect(() => innerMessages(read(tooSmall))).toThrow(expect.objectContaining({ errorCode: 2 }));
    // A magic 1 wrapper's offset below its last inner offset, unless 0 (as some librdkafka versions send).
    const two = [...one, { offset: 6n, timestamp: 1, key: null, value: null }];
    const wrapper2 = read(encodeMessageSet(two, { magic: 1, codec: Compression.gzip, logAppendTime: false })[0]!);
    expect(() => innerMessages({ ...wrapper2, offset: 0n })).not.toThrow();
    expect(() => innerMessages({ ...wrapper2, offset: -1n })).toThrow(expect.objectContaining({ errorCode: 87, message: expect.stringMatching(/wrapper offset/) }));
    // A truncated tail of the inner set is dropped, not an error.
    const inner = gzipSync(Buffer.concat([encodeMessage(1, 0, one[0]!), Buffer.alloc(5)]));
    expect(innerMessages({ ...wrapper, value: inner })).toHaveLength(1);
  });
});
