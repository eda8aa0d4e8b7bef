import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import {
  buildBatch,
  checkBatchIntegrity,
  CONTROL_BIT,
  decodeRecords,
  encodeBatch,
  encodeRecords,
  HEADER_SIZE,
  readBatchHeader,
  RECORDS,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateBatch,
} from '../../src/codec/record-batch.js';

const twoRecords = () =>
  buildBatch(
    [
      { key: Buffer.from('k'), value: Buffer.from('hello'), headers: [{ key: 'h', value: Buffer.from('v') }] },
      { key: null, value: null, timestampDelta: 300 },
    ],
    { baseTimestamp: 1_700_000_000_000 },
  );

describe('record batch v2 header', () => {
  it('reads every field at its Kafka offset', () => {
    const b = encodeBatch({
      baseOffset: 0x0102030405060708n,
      partitionLeaderEpoch: 9,
      attributes: 0x13,
      lastOffsetDelta: 4,
      baseTimestamp: 111,
      maxTimestamp: 222,
      producerId: 77n,
      producerEpoch: 3,
      baseSequence: 12,
      recordsCount: 5,
      records: Buffer.alloc(10),
    });
    expect(b.length).toBe(HEADER_SIZE + 10);
    expect(readBatchHeader(b)).toEqual({
      baseOffset: 0x0102030405060708n,
      batchLength: b.length - 12,
      size: b.length,
      partitionLeaderEpoch: 9,
      magic: 2,
      crc: crc32c(b.subarray(21)) >>> 0,
      attributes: 0x13,
      lastOffsetDelta: 4,
      baseTimestamp: 111,
      maxTimestamp: 222,
      producerId: 77n,
      producerEpoch: 3,
      baseSequence: 12,
      recordsCount: 5,
    });
    expect(readBatchHeader(b.subarray(0, 60))).toBeUndefined();
  });

  it('answers Kafka error codes for bad batches', () => {
    const good = twoRecords();
    expect(validateBatch(good)).toBe(0);
    const crc = Buffer.from(good);
    crc[RECORDS] ^= 1;
    expect(validateBatch(crc)).toBe(2);
    expect(validateBatch(good.subarray(0, good.length - 1))).toBe(2); // torn
    expect(validateBatch(good.subarray(0, 10))).toBe(2);
    const short = Buffer.from(good);
    short.writeInt32BE(20, 8);
    expect(validateBatch(short)).toBe(2);
    const magic1 = Buffer.from(good);
    magic1[16] = 1;
    expect(validateBatch(magic1)).toBe(87);
    const records = encodeRecords([{ value: Buffer.from('x') }]);
    expect(validateBatch(encodeBatch({ lastOffsetDelta: 1, recordsCount: 1, records }))).toBe(87);
    expect(validateBatch(encodeBatch({ lastOffsetDelta: -1, recordsCount: 0, records }))).toBe(87);
    expect(validateBatch(encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, records, attributes: CONTROL_BIT }))).toBe(87);
    expect(validateBatch(encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, records, attributes: 7 }))).toBe(76);
    expect(validateBatch(encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, records, producerId: 5n, baseSequence: -1 }))).toBe(87);
    // Integrity alone (what recovery checks) accepts what only client rules reject.
    expect(checkBatchIntegrity(encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, records, attributes: CONTROL_BIT }))).toBe(0);
  });

  it('sets base offset and leader epoch without touching the CRC', () => {
    const b = twoRecords();
    const before = readBatchHeader(b)!.crc;
    setBaseOffset(b, 0, 42n);
    setPartitionLeaderEpoch(b, 0, 5);
    expect(readBatchHeader(b)).toMatchObject({ baseOffset: 42n, partitionLeaderEpoch: 5, crc: before });
    expect(validateBatch(b)).toBe(0);
  });

  it('stamps LogAppendTime and recomputes the CRC', () => {
    const b = twoRecords();
    setLogAppendTime(b, 0, 1_800_000_000_000);
    const h = readBatchHeader(b)!;
    expect(h.attributes & 0x08).toBe(0x08);
    expect(h.maxTimestamp).toBe(1_800_000_000_000);
    expect(validateBatch(b)).toBe(0);
  });
});

describe('records', () => {
  it('decode what encodeRecords wrote: keys, values, nulls, headers, deltas', () => {
    const b = twoRecords();
    const h = readBatchHeader(b)!;
    const recs = decodeRecords(b.subarray(RECORDS), h.recordsCount);
    expect(recs).toHaveLength(2);
    expect(recs[0]).toMatchObject({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k'), value: Buffer.from('hello') });
    expect(recs[0]!.headers).toEqual([{ key: 'h', value: Buffer.from('v') }]);
    expect(recs[1]).toMatchObject({ offsetDelta: 1, timestampDelta: 300, key: null, value: null, headers: [] });
    expect(h.maxTimestamp - h.baseTimestamp).toBe(300);
  });

  it('throws RangeError on truncated records instead of reading out of bounds', () => {
    const b = twoRecords();
    const section = b.subarray(RECORDS, b.length - 3);
    expect(() => decodeRecords(section, 2)).toThrow(RangeError);
    expect(() => decodeRecords(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 1)).toThrow(RangeError);
  });
});
