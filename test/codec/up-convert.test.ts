/**
 * Produce v0-2 message sets into one record batch, with Kafka 3.9's checks (LogValidator) in
 * Kafka's order. Message sets are built by hand with the format module's writer.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompress } from '../../src/codec/compression.js';
import { encodeMessage, encodeMessageSet, type LegacyMessageInput } from '../../src/codec/legacy-records.js';
import { buildBatch, Compression, decodeRecords, readBatchHeader, RECORDS, validateBatch } from '../../src/codec/record-batch.js';
import { startsWithRecordBatch, upConvert, type UpConvertOptions } from '../../src/codec/up-convert.js';

const NOW = 1_700_000_000_000;
const opts: UpConvertOptions = {
  now: NOW,
  maxMessageBytes: 1_048_588,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: 3_600_000,
  compacted: false,
};

const msg = (i: number, timestamp = NOW - 1000 + i, key: Buffer | null = Buffer.from(`k${i}`)): LegacyMessageInput => ({
  offset: BigInt(i),
  timestamp,
  key,
  value: Buffer.from(`value ${i}`),
});
const set = (magic: 0 | 1, codec: number, messages: LegacyMessageInput[], logAppendTime = false) =>
  Buffer.concat(encodeMessageSet(messages, { magic, codec, logAppendTime }));

/** The converted batch's header and records, as a consumer would read them. */
function contents(batch: Buffer) {
  const h = readBatchHeader(batch)!;
  const records = decodeRecords(decompress(h.attributes & 7, batch.subarray(RECORDS)), h.recordsCount);
  return {
    header: h,
    records: records.map((r) => ({
      offsetDelta: r.offsetDelta,
      timestamp: h.baseTimestamp + r.timestampDelta,
      key: r.key?.toString() ?? null,
      value: r.value?.toString() ?? null,
    })),
  };
}

const fails = (records: Buffer, errorCode: number, o: Partial<UpConvertOptions> = {}) =>
  expect(() => upConvert(records, { ...opts, ...o })).toThrow(expect.objectContaining({ errorCode }));

describe('up-conversion of produced message sets', () => {
  it('tells record batches from message sets by their magic', () => {
    expect(startsWithRecordBatch(set(0, Compression.none, [msg(0)]))).toBe(false);
    expect(startsWithRecordBatch(set(1, Compression.gzip, [msg(0)]))).toBe(false);
    expect(startsWithRecordBatch(buildBatch([{ value: Buffer.from('v') }]))).toBe(true);
    expect(startsWithRecordBatch(Buffer.alloc(16, 2))).toBe(false); // too short to say: Kafka reads no entry
  });

  it('turns uncompressed magic 1 messages into one valid batch: offsets 0.., keys, values, timestamps', () => {
    const batch = upConvert(set(1, Compression.none, [msg(0), msg(1), msg(2, NOW - 5000)]), opts)!;
    expect(validateBatch(batch)).toBe(0);
    const { header, records } = contents(batch);
    expect(header).toMatchObject({
      baseOffset: 0n, magic: 2, attributes: 0, lastOffsetDelta: 2, recordsCount: 3,
      baseTimestamp: NOW - 1000, maxTimestamp: NOW - 999, producerId: -1n, producerEpoch: -1, baseSequence: -1,
    });
    expect(records).toEqual([
      { offsetDelta: 0, timestamp: NOW - 1000, key: 'k0', value: 'value 0' },
      { offsetDelta: 1, timestamp: NOW - 999, key: 'k1', value: 'value 1' },
      { offsetDelta: 2, timestamp: NOW - 5000, key: 'k2', value: 'value 2' },
    ]);
  });

  it('gives magic 0 messages no timestamp (-1), as Kafka does', () => {
    const { header, records } = contents(upConvert(set(0, Compression.none, [msg(0), msg(1)]), opts)!);
    expect([header.baseTimestamp, header.maxTimestamp]).toEqual([-1, -1]);
    expect(records.map((r) => r.timestamp)).toEqual([-1, -1]);
  });

  it.each([
    ['gzip', Compression.gzip],
    ['snappy', Compression.snappy],
    ['lz4', Compression.lz4],
  ])('recompresses a %s wrapper into a batch of the same codec', (_, codec) => {
    for (const magic of [0, 1] as const) {
      const batch = upConvert(set(magic, codec, [msg(0), msg(1)]), opts)!;
      expect(validateBatch(batch)).toBe(0);
      const { header, records } = contents(batch);
      expect([header.attributes, header.recordsCount]).toEqual([codec, 2]);
      expect(records.map((r) => [r.key, r.value, r.timestamp])).toEqual([
        ['k0', 'value 0', magic === 1 ? NOW - 1000 : -1],
        ['k1', 'value 1', magic === 1 ? NOW - 999 : -1],
      ]);
    }
  });

  it('reads the inner messages of a LogAppendTime wrapper at the wrapper\'s time (a CreateTime topic checks its bounds)', () => {
    const wrapper = set(1, Compression.gzip, [msg(0, 5), msg(1, 6)], true);
    // The wrapper's own timestamp field is the max inner one: 6, far in the past but within the default bounds.
    expect(contents(upConvert(wrapper, opts)!).records.map((r) => r.timestamp)).toEqual([6, 6]);
  });

  it('drops a partial message at the end, and converts nothing from nothing', () => {
    const whole = set(1, Compression.none, [msg(0), msg(1)]);
    expect(contents(upConvert(whole.subarray(0, whole.length - 3), opts)!).header.recordsCount).toBe(1);
    expect(upConvert(whole.subarray(0, 20), opts)).toBeNull();
    expect(upConvert(Buffer.alloc(0), opts)).toBeNull();
  });

  it('refuses what Kafka 3.9 refused, with its error codes', () => {
    const bad = set(1, Compression.none, [msg(0), msg(1)]);
    bad[bad.length - 1] ^= 1;
    fails(bad, 2); // CRC
    fails(set(1, Compression.none, [msg(0)]), 10, { maxMessageBytes: 20 });
    fails(Buffer.concat([set(0, Compression.none, [msg(0)]), set(1, Compression.none, [msg(1)])]), 87); // mixed magic
    fails(Buffer.concat([set(1, Compression.none, [msg(0)]), buildBatch([{ value: null }])]), 87); // then a record batch
    fails(Buffer.concat([set(1, Compression.gzip, [msg(0)]), set(1, Compression.gzip, [msg(1)])]), 87); // two wrappers
    fails(set(1, Compression.none, [msg(0, NOW, null)]), 87, { compacted: true });
    fails(set(1, Compression.gzip, [msg(0), msg(1, NOW, null)]), 87, { compacted: true });
    fails(set(1, Compression.none, [msg(0, NOW + 3_600_001)]), 32); // message.timestamp.after.max.ms
    fails(set(1, Compression.none, [msg(0, NOW - 1001)]), 32, { timestampBeforeMaxMs: 1000 });
    fails(set(1, Compression.gzip, [msg(0), msg(1, NOW + 4_000_000)]), 32);
    // A producer may not claim LogAppendTime (a LogAppendTime topic, or no timestamp to check).
    const lat = Buffer.concat(encodeMessageSet([msg(0)], { magic: 1, codec: Compression.none, logAppendTime: true }));
    fails(lat, 32, { timestampType: 'LogAppendTime' });
    fails(set(1, Compression.none, [{ ...msg(0), timestamp: -1 }], true), 32);
    // 32 wins over 87 among an inner set's record errors, as in Kafka.
    fails(set(1, Compression.gzip, [msg(0, NOW, null), msg(1, NOW + 4_000_000)]), 32, { compacted: true });
  });

  it('refuses bad inner messages: a nested wrapper, another magic, a bad inner CRC, an unknown codec', () => {
    const wrapper = (inner: Buffer) => encodeMessage(1, Compression.gzip, { offset: 0n, timestamp: NOW, key: null, value: gzipSync(inner) });
    fails(wrapper(set(1, Compression.gzip, [msg(0)])), 87); // a wrapper inside a wrapper
    fails(wrapper(set(0, Compression.none, [msg(0)])), 87); // magic 0 inside magic 1
    const badCrc = set(1, Compression.none, [msg(0)]);
    badCrc[badCrc.length - 1] ^= 1;
    fails(wrapper(badCrc), 2);
    fails(encodeMessage(1, 5, msg(0)), -1); // codec 5: Kafka's CompressionType.forId fails
    expect(() => upConvert(wrapper(set(1, Compression.none, [msg(0)])), opts)).not.toThrow();
  });
});
