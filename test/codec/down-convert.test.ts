/**
 * Record batches into message sets for Fetch v0-3, as Kafka 3.9's RecordsUtil.downConvert and
 * LazyDownConversionRecords answered old consumers.
 */
import { describe, expect, it } from 'vitest';
import { compress } from '../../src/codec/compression.js';
import { downConvert } from '../../src/codec/down-convert.js';
import { entrySizeAt, innerMessages, readMessage, type LegacyMessage } from '../../src/codec/legacy-records.js';
import {
  buildBatch,
  Compression,
  CONTROL_BIT,
  encodeBatch,
  encodeRecords,
  setBaseOffset,
  setLogAppendTime,
  type RecordInput,
} from '../../src/codec/record-batch.js';

const T = 1_700_000_000_000;
const records = (n: number, from = 0): RecordInput[] =>
  Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`k${from + i}`),
    value: Buffer.from(`v${from + i}`),
    timestampDelta: i * 10,
    headers: [{ key: 'dropped', value: Buffer.from('x') }],
  }));

/** A stored batch: `n` records at `baseOffset`, compressed with `codec`. */
function stored(baseOffset: bigint, n: number, codec: number = Compression.none, attributes = 0): Buffer {
  const batch = encodeBatch({
    attributes: codec | attributes,
    lastOffsetDelta: n - 1,
    recordsCount: n,
    baseTimestamp: T,
    maxTimestamp: T + (n - 1) * 10,
    records: compress(codec, encodeRecords(records(n, Number(baseOffset))), 2),
  });
  setBaseOffset(batch, 0, baseOffset);
  return batch;
}

/** The message set's entries, as an old client reads them. */
function entries(set: Buffer): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  for (let pos = 0; pos < set.length;) {
    const size = entrySizeAt(set, pos);
    if (size === undefined) break;
    out.push(readMessage(set, pos, size));
    pos += size;
  }
  return out;
}
/** Every message with its absolute offset, wrappers opened (magic 1 inner offsets count from the first). */
function flat(set: Buffer): LegacyMessage[] {
  return entries(set).flatMap((m) => {
    if ((m.attributes & 7) === 0) return [m];
    const inner = innerMessages(m);
    const base = m.magic === 1 ? m.offset - BigInt(inner.length - 1) : 0n;
    return inner.map((i) => ({ ...i.message, offset: base + i.message.offset, timestamp: i.timestamp }));
  });
}

describe('down-conversion for old fetch versions', () => {
  it('writes one message per record of an uncompressed batch, at its offset, with its timestamp (magic 1)', () => {
    const out = entries(downConvert(stored(5n, 3), 1, 5n));
    expect(out.map((m) => [m.offset, m.magic, m.attributes, m.timestamp, m.key?.toString(), m.value?.toString(), m.valid])).toEqual([
      [5n, 1, 0, T, 'k5', 'v5', true],
      [6n, 1, 0, T + 10, 'k6', 'v6', true],
      [7n, 1, 0, T + 20, 'k7', 'v7', true],
    ]);
  });

  it('writes magic 0 (Fetch v0-1): no timestamp', () => {
    const out = entries(downConvert(stored(0n, 2), 0, 0n));
    expect(out.map((m) => [m.offset, m.magic, m.timestamp, m.valid])).toEqual([[0n, 0, -1, true], [1n, 0, -1, true]]);
  });

  it('drops the records of an uncompressed batch before the fetch offset, but keeps a compressed batch whole', () => {
    const batches = Buffer.concat([stored(0n, 4), stored(4n, 3, Compression.gzip)]);
    expect(flat(downConvert(batches, 1, 2n)).map((m) => m.offset)).toEqual([2n, 3n, 4n, 5n, 6n]);
    expect(flat(downConvert(stored(4n, 3, Compression.gzip), 1, 6n)).map((m) => m.offset)).toEqual([4n, 5n, 6n]);
  });

  it.each([
    ['gzip', Compression.gzip],
    ['snappy', Compression.snappy],
    ['lz4', Compression.lz4],
  ])('turns a %s batch into one wrapper of the same codec: last offset, max timestamp, relative inner offsets', (_, codec) => {
    for (const magic of [0, 1] as const) {
      const [wrapper, ...rest] = entries(downConvert(stored(10n, 3, codec), magic, 10n));
      expect(rest).toEqual([]);
      expect([wrapper!.offset, wrapper!.magic, wrapper!.attributes & 7, wrapper!.valid]).toEqual([12n, magic, codec, true]);
      if (magic === 1) expect(wrapper!.timestamp).toBe(T + 20);
      const inner = innerMessages(wrapper!);
      expect(inner.map((i) => [i.message.offset, i.message.key?.toString()])).toEqual(
        magic === 1 ? [[0n, 'k10'], [1n, 'k11'], [2n, 'k12']] : [[10n, 'k10'], [11n, 'k11'], [12n, 'k12']],
      );
    }
  });

  it('gives every message of a LogAppendTime batch the append time, marked on each (magic 1)', () => {
    const batch = stored(0n, 2);
    setLogAppendTime(batch, 0, T + 999);
    expect(entries(downConvert(batch, 1, 0n)).map((m) => [m.timestamp, m.attributes])).toEqual([[T + 999, 8], [T + 999, 8]]);
    const gz = stored(0n, 2, Compression.gzip);
    setLogAppendTime(gz, 0, T + 999);
    const [wrapper] = entries(downConvert(gz, 1, 0n));
    expect([wrapper!.timestamp, wrapper!.attributes]).toEqual([T + 999, Compression.gzip | 8]);
    expect(innerMessages(wrapper!).map((i) => [i.timestamp, i.message.attributes])).toEqual([[T + 999, 8], [T + 999, 8]]);
  });

  it('skips control batches; with nothing else to send, answers Kafka\'s 12-byte overflow stub', () => {
    const control = stored(0n, 1, Compression.none, CONTROL_BIT);
    expect(flat(downConvert(Buffer.concat([control, stored(1n, 1)]), 1, 0n)).map((m) => m.offset)).toEqual([1n]);
    const stub = downConvert(control, 1, 0n);
    expect(stub).toEqual(Buffer.from([255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 61]));
    expect(entrySizeAt(stub, 0)).toBeUndefined(); // a partial entry, which clients skip
    expect(downConvert(Buffer.alloc(0), 1, 0n)).toEqual(Buffer.alloc(0));
  });

  it('answers 76 for a zstd batch first in line; after converted data, stops before it', () => {
    const zstdBatch = encodeBatch({ attributes: Compression.zstd, lastOffsetDelta: 0, recordsCount: 1, records: Buffer.from('never read') });
    expect(() => downConvert(zstdBatch, 1, 0n)).toThrow(expect.objectContaining({ errorCode: 76 }));
    setBaseOffset(zstdBatch, 0, 1n);
    expect(flat(downConvert(Buffer.concat([stored(0n, 1), zstdBatch]), 1, 0n)).map((m) => m.offset)).toEqual([0n]);
  });

  it('sends the first converted batch whole, and the rest up to the size read, cut between messages', () => {
    // Magic 1 messages are larger than v2 records: converted, one batch alone outgrows what was read.
    const one = stored(0n, 50);
    const first = downConvert(one, 1, 0n);
    expect(first.length).toBeGreaterThan(one.length);
    expect(flat(first)).toHaveLength(50);
    // Two batches: the first whole, then messages of the second while they fit in the bytes read.
    const read = Buffer.concat([one, stored(50n, 50)]);
    const out = downConvert(read, 1, 0n);
    expect(out.length).toBeLessThanOrEqual(read.length);
    const offsets = flat(out).map((m) => m.offset);
    expect(offsets.length).toBeGreaterThan(50);
    expect(offsets.length).toBeLessThan(100);
    expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => BigInt(i)));
    expect(read.length - out.length).toBeLessThan(first.length / 50); // less than one more message would need
  });
});

// `buildBatch` is the writer clients use in other tests; a batch it builds converts too.
it('converts a batch built like a client\'s', () => {
  expect(entries(downConvert(buildBatch([{ value: Buffer.from('x') }], { baseTimestamp: T }), 1, 0n)).map((m) => m.value?.toString())).toEqual(['x']);
});
