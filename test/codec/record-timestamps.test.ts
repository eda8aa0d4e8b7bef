import { gzipSync } from 'node:zlib';
import { compress as lz4Compress } from 'lz4js';
import { compress as snappyCompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { Compression, encodeBatch, encodeRecords, setBaseOffset, TIMESTAMP_TYPE_BIT } from '../../src/codec/record-batch.js';
import { forEachRecordTime, maxRecordTimestamp } from '../../src/codec/record-timestamps.js';
import { timedBatch } from '../log/helpers.js';

const T = 1_700_000_000_000;
const times = (batch: Buffer, pos = 0) => {
  const out: [bigint, number, number][] = [];
  forEachRecordTime(batch, pos, (offset, timestamp, index) => void out.push([offset, timestamp, index]));
  return out;
};

describe('record timestamps', () => {
  it.each([
    ['none', Compression.none, (b: Buffer) => b],
    ['gzip', Compression.gzip, (b: Buffer) => gzipSync(b)],
    ['snappy', Compression.snappy, (b: Buffer) => Buffer.from(snappyCompress(b))],
    ['lz4', Compression.lz4, (b: Buffer) => Buffer.from(lz4Compress(b))],
  ])('reads each record\'s offset and timestamp, in order (%s)', (_, codec, compress) => {
    const batch = timedBatch([T + 5, T, T + 9, T + 2], { attributes: codec, compress });
    setBaseOffset(batch, 0, 100n);
    expect(times(batch)).toEqual([[100n, T + 5, 0], [101n, T, 1], [102n, T + 9, 2], [103n, T + 2, 3]]);
    expect(maxRecordTimestamp(batch)).toBe(T + 9);
  });

  it('stops when the visitor returns true', () => {
    const seen: number[] = [];
    forEachRecordTime(timedBatch([1, 2, 3, 4]), 0, (_, ts) => (seen.push(ts), ts === 2));
    expect(seen).toEqual([1, 2]);
  });

  it('gives every record of a LogAppendTime batch the header\'s maxTimestamp (Kafka\'s Record.timestamp())', () => {
    const batch = timedBatch([T, T + 1], { attributes: TIMESTAMP_TYPE_BIT, maxTimestamp: T + 500 });
    expect(times(batch).map(([, ts]) => ts)).toEqual([T + 500, T + 500]);
  });

  it('reads a batch at a position inside a larger buffer', () => {
    const first = timedBatch([10, 20]);
    expect(times(Buffer.concat([first, timedBatch([30])]), first.length)).toEqual([[0n, 30, 0]]);
  });

  it('-1 when no record has a timestamp', () => {
    expect(maxRecordTimestamp(timedBatch([-1, -1], { maxTimestamp: -1 }))).toBe(-1);
  });

  it('throws RangeError on records that do not add up to the header', () => {
    const records = encodeRecords([{ value: Buffer.from('a') }, { value: Buffer.from('b') }]);
    const tooFew = encodeBatch({ lastOffsetDelta: 2, recordsCount: 3, records });
    expect(() => times(tooFew)).toThrow(RangeError);
    const tooMany = encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, records });
    expect(() => times(tooMany)).toThrow(RangeError);
    const garbage = encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, records: Buffer.from([0x7f, 0xff, 0xff]) });
    expect(() => times(garbage)).toThrow(RangeError);
  });
});
