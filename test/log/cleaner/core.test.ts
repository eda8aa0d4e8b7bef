/**
 * The cleaner's CPU half (src/log/cleaner/core.ts), batch by batch: Kafka's RecordFilter rules for
 * tombstones and their delete horizon, batches kept empty, producer metadata, transaction markers
 * and aborted transactions, codecs, and a map that fills up.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompress } from '../../../src/codec/compression.js';
import {
  batchSizeAt,
  checkBatchIntegrity,
  Compression,
  compressionOf,
  CONTROL_BIT,
  decodeRecords,
  encodeBatch,
  encodeRecords,
  readBatchHeader,
  RECORDS,
  TRANSACTIONAL_BIT,
  type BatchHeader,
} from '../../../src/codec/record-batch.js';
import { CleanerCore, type FilterJob } from '../../../src/log/cleaner/core.js';
import { DELETE_HORIZON_BIT } from '../../../src/log/cleaner/records.js';
import type { AbortedTxn } from '../../../src/log/cleaner/transactions.js';
import { keyedBatch, type Update } from './helpers.js';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;

/** A zstd frame holding `data` in one raw block (what fzstd reads; Tafka has no zstd compressor). */
function rawZstdFrame(data: Buffer): Buffer {
  if (data.length > 255) throw new Error('one-byte content size only');
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, data.length]); // magic, single segment, content size
  const block = Buffer.alloc(3);
  block.writeUIntLE(1 | (data.length << 3), 0, 3); // last block, raw, size
  return Buffer.concat([header, block, data]);
}

/** A batch placed at `baseOffset`, as the log stores it. */
function at(baseOffset: number, batch: Buffer): Buffer {
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
  return batch;
}

const kv = (pairs: [string, string | null][]): Update[] => pairs.map(([key, value]) => ({ key, value }));

interface Out {
  header: BatchHeader;
  records: { offset: bigint; key: string | null; value: string | null; timestamp: number }[];
}

function batchesOf(buf: Buffer): Out[] {
  const out: Out[] = [];
  for (let pos = 0; pos < buf.length; pos += batchSizeAt(buf, pos)) {
    const header = readBatchHeader(buf, pos)!;
    expect(checkBatchIntegrity(buf, pos)).toBe(0);
    const section = decompress(compressionOf(header.attributes), buf.subarray(pos + RECORDS, pos + header.size));
    out.push({
      header,
      records: decodeRecords(section, header.recordsCount).map((r) => ({
        offset: header.baseOffset + BigInt(r.offsetDelta), key: r.key?.toString() ?? null,
        value: r.value?.toString() ?? null, timestamp: header.baseTimestamp + r.timestampDelta,
      })),
    });
  }
  return out;
}

/** Maps `dirty` (offsets from `startOffset`), then filters `all` through the map. */
function clean(all: Buffer, opts: { startOffset?: number; dirty?: Buffer; job?: Partial<FilterJob>; memoryBytes?: number; aborted?: AbortedTxn[] } = {}) {
  const core = new CleanerCore();
  core.beginMap({ memoryBytes: opts.memoryBytes ?? 1024 * 1024, loadFactor: 0.9, startOffset: opts.startOffset ?? 0, aborted: opts.aborted ?? [] });
  const mapped = core.mapChunk(opts.dirty ?? all);
  const summary = core.mapSummary();
  core.beginFilter({
    now: NOW, deleteRetentionMs: DAY, upperBoundOffset: summary.latestOffset + 1, activeProducers: [], aborted: opts.aborted ?? [], ...opts.job });
  const result = core.filterChunk(all);
  return { mapped, summary, result, batches: batchesOf(result.output) };
}

describe('CleanerCore: records', () => {
  it('keeps the latest record of each key and copies untouched batches byte for byte', () => {
    const b1 = at(0, keyedBatch(kv([['a', '1'], ['b', '1']]), NOW - 10));
    const b2 = at(2, keyedBatch(kv([['c', '1'], ['d', '1']]), NOW - 9));
    const b3 = at(4, keyedBatch(kv([['a', '2'], ['e', '1']]), NOW - 8));
    const { batches, result, summary } = clean(Buffer.concat([b1, b2, b3]));
    expect(summary).toMatchObject({ latestOffset: 5, keys: 5 });
    expect(batches.map((b) => b.records.map((r) => `${r.offset}:${r.key}=${r.value}`))).toEqual([['1:b=1'], ['2:c=1', '3:d=1'], ['4:a=2', '5:e=1']]);
    // b2 and b3 kept whole: the same bytes; b1 rebuilt, keeping its offsets (lastOffsetDelta 1) and timestamps.
    expect(result.output.subarray(batches[0]!.header.size)).toEqual(Buffer.concat([b2, b3]));
    expect(batches[0]!.header).toMatchObject({ baseOffset: 0n, lastOffsetDelta: 1, recordsCount: 1, maxTimestamp: NOW - 9 });
    expect(batches[0]!.records[0]!.timestamp).toBe(NOW - 9);
    expect(result.stats).toMatchObject({ messagesRead: 6, messagesRetained: 5, invalidMessages: 0 });
  });

  it('records after the mapped section are kept whatever their key; records before it only if no newer one was mapped', () => {
    const old = at(0, keyedBatch(kv([['a', 'old'], ['z', 'old']]), NOW));
    const dirty = at(2, keyedBatch(kv([['a', 'new']]), NOW));
    const beyond = at(3, keyedBatch(kv([['a', 'newer'], ['z', 'newer']]), NOW));
    const { batches } = clean(Buffer.concat([old, dirty, beyond]), { startOffset: 2, dirty });
    expect(batches.flatMap((b) => b.records.map((r) => `${r.offset}:${r.key}=${r.value}`))).toEqual(['1:z=old', '2:a=new', '3:a=newer', '4:z=newer']);
  });

  it('drops records without a key from a stored log, counting them as Kafka does', () => {
    const records = encodeRecords([{ key: null, value: Buffer.from('x') }, { key: Buffer.from('k'), value: Buffer.from('y') }]);
    const batch = at(0, encodeBatch({ lastOffsetDelta: 1, recordsCount: 2, baseTimestamp: NOW, records }));
    const { batches, result } = clean(Buffer.concat([batch, at(2, keyedBatch(kv([['k2', 'v']]), NOW))]));
    expect(batches[0]!.records.map((r) => r.key)).toEqual(['k']);
    expect(result.stats.invalidMessages).toBe(1);
  });

  it('rewrites a compressed batch with its codec (gzip), and a zstd one uncompressed (no zstd compressor)', () => {
    const gz = at(0, keyedBatch(kv([['a', '1'], ['b', '1']]), NOW, { attributes: Compression.gzip, compress: (r) => gzipSync(r) }));
    const newer = at(2, keyedBatch(kv([['a', '2']]), NOW));
    const { batches } = clean(Buffer.concat([gz, newer]));
    expect(compressionOf(batches[0]!.header.attributes)).toBe(Compression.gzip);
    expect(batches[0]!.records.map((r) => r.key)).toEqual(['b']);
    const zstd = at(0, keyedBatch(kv([['a', '1'], ['b', '1']]), NOW, { attributes: Compression.zstd, compress: rawZstdFrame }));
    const rewritten = clean(Buffer.concat([zstd, newer])).batches[0]!;
    expect([compressionOf(rewritten.header.attributes), rewritten.records.map((r) => r.key)]).toEqual([Compression.none, ['b']]);
  });
});

describe('CleanerCore: tombstones and the delete horizon (KIP-534)', () => {
  const tomb = () => at(2, keyedBatch(kv([['a', null], ['c', '1']]), NOW - 5));
  const rest = () => Buffer.concat([at(0, keyedBatch(kv([['a', '1'], ['b', '1']]), NOW - 10)), tomb(), at(4, keyedBatch(kv([['d', '1']]), NOW))]);

  it('a tombstone survives its first cleaning, which stamps the horizon now + delete.retention.ms into its batch', () => {
    const { batches } = clean(rest());
    const t = batches.find((b) => b.header.baseOffset === 2n)!;
    expect(t.header.attributes & DELETE_HORIZON_BIT).toBe(DELETE_HORIZON_BIT);
    expect(t.header.baseTimestamp).toBe(NOW + DAY); // the horizon lives in baseTimestamp
    // The records keep their own timestamps (deltas now count from the horizon).
    expect(t.records.map((r) => [r.key, r.value, r.timestamp])).toEqual([['a', null, NOW - 5], ['c', '1', NOW - 4]]);
  });

  it('is kept by later passes before the horizon, and dropped by the first pass after it', () => {
    const first = clean(rest()).result.output;
    const again = clean(first, { job: { now: NOW + DAY - 1 } });
    expect(again.batches.flatMap((b) => b.records.map((r) => r.key))).toContain('a');
    // Passes keep a batch that already has a horizon as it is.
    const t = again.batches.find((b) => b.header.baseOffset === 2n)!;
    expect(t.header.baseTimestamp).toBe(NOW + DAY);
    const after = clean(first, { job: { now: NOW + DAY } });
    expect(after.batches.flatMap((b) => b.records.map((r) => r.key))).toEqual(['b', 'c', 'd']);
  });
});

describe('CleanerCore: batches kept without records', () => {
  it('keeps the last batch of the cleaned section as an empty header, so its last offset survives', () => {
    const b1 = at(0, keyedBatch(kv([['a', '1']]), NOW));
    const b2 = at(1, keyedBatch(kv([['a', '2']]), NOW));
    const b3 = at(2, keyedBatch(kv([['a', '3'], ['b', '1']]), NOW));
    // Only [0, 2) was mapped and the section ends at offset 2 (the active segment starts there).
    const { batches } = clean(Buffer.concat([b1, b2]), { dirty: Buffer.concat([b1, b2]), job: { upperBoundOffset: 2 } });
    expect(batches.map((b) => [b.header.baseOffset, b.header.lastOffsetDelta, b.header.recordsCount])).toEqual([[1n, 0, 1]]);
    void b3;
    // With a newer value of `a` mapped, the batch ending the section loses its record but stays.
    const both = Buffer.concat([b1, b2, b3]);
    const { batches: kept } = clean(Buffer.concat([b1, b2]), { dirty: both, job: { upperBoundOffset: 2 } });
    expect(kept.map((b) => [b.header.baseOffset, b.header.recordsCount, b.header.baseTimestamp, b.header.maxTimestamp])).toEqual([[1n, 0, -1, NOW]]);
  });

  it("keeps an idempotent producer's last batch, emptied, with its producer id, epoch and sequences", () => {
    const produced = (base: number, seq: number, updates: Update[]) => {
      const b = at(base, keyedBatch(updates, NOW));
      const records = b.subarray(RECORDS);
      return at(base, encodeBatch({
        lastOffsetDelta: updates.length - 1, recordsCount: updates.length, baseTimestamp: NOW, producerId: 7n, producerEpoch: 3, baseSequence: seq, records }));
    };
    const p1 = produced(0, 0, kv([['a', '1'], ['b', '1']]));
    const p2 = produced(2, 2, kv([['a', '2'], ['b', '2']]));
    const newer = at(4, keyedBatch(kv([['a', '3'], ['b', '3']]), NOW));
    const all = Buffer.concat([p1, p2, newer]);
    const { batches } = clean(all, { job: { activeProducers: [{ producerId: 7n, lastDataOffset: 3, epoch: 3 }], upperBoundOffset: 100 } });
    const p = batches.find((b) => b.header.baseOffset === 2n)!;
    expect(p.header).toMatchObject({ recordsCount: 0, lastOffsetDelta: 1, producerId: 7n, producerEpoch: 3, baseSequence: 2 });
    expect(batches.find((b) => b.header.baseOffset === 0n)).toBeUndefined();
  });
});

describe('CleanerCore: transactions', () => {
  const PID = 42n;
  const txnBatch = (base: number, updates: Update[]) => {
    const b = keyedBatch(updates, NOW);
    return at(base, encodeBatch({
      attributes: TRANSACTIONAL_BIT, lastOffsetDelta: updates.length - 1, recordsCount: updates.length, baseTimestamp: NOW,
      producerId: PID, producerEpoch: 0, baseSequence: 0, records: b.subarray(RECORDS),
    }));
  };
  /** A transaction marker: control record key (version 0, type), value (version 0, coordinator epoch 0). */
  const marker = (base: number, type: 0 | 1) => {
    const key = Buffer.alloc(4);
    key.writeInt16BE(type, 2);
    const records = encodeRecords([{ key, value: Buffer.alloc(6) }]);
    return at(base, encodeBatch({
      attributes: TRANSACTIONAL_BIT | CONTROL_BIT, lastOffsetDelta: 0, recordsCount: 1, baseTimestamp: NOW, producerId: PID, producerEpoch: 0, records }));
  };
  const aborted: AbortedTxn[] = [{ producerId: PID, firstOffset: 0n, lastOffset: 2n, lastStableOffset: 3n }];

  it("drops an aborted transaction's records but keeps its ABORT marker while a batch of it was seen, recording it for the cleaned .txnindex", () => {
    const all = Buffer.concat([txnBatch(0, kv([['a', 'x'], ['b', 'x']])), marker(2, 0), at(3, keyedBatch(kv([['c', '1']]), NOW))]);
    const { batches, result, summary } = clean(all, { aborted, job: { upperBoundOffset: 100 } });
    expect(summary.keys).toBe(1); // the aborted records were never mapped
    expect(batches.map((b) => [b.header.baseOffset, (b.header.attributes & CONTROL_BIT) !== 0])).toEqual([[2n, true], [3n, false]]);
    expect(result.retainedAborted).toEqual(aborted);
  });

  it('an ABORT marker whose transaction has no batch left waits for its delete horizon, then goes', () => {
    const all = Buffer.concat([marker(2, 0), at(3, keyedBatch(kv([['c', '1']]), NOW))]);
    const first = clean(all, { aborted, job: { upperBoundOffset: 100 } });
    const m = first.batches.find((b) => b.header.baseOffset === 2n)!;
    expect(m.header.attributes & DELETE_HORIZON_BIT).toBe(DELETE_HORIZON_BIT);
    expect(first.result.retainedAborted).toEqual([]);
    const later = clean(first.result.output, { aborted, job: { upperBoundOffset: 100, now: NOW + DAY } });
    expect(later.batches.map((b) => b.header.baseOffset)).toEqual([3n]);
  });

  it('a COMMIT marker stays while its transaction has records, and goes (after the horizon) once they are compacted away', () => {
    const committed = Buffer.concat([txnBatch(0, kv([['a', 'x']])), marker(1, 1), at(2, keyedBatch(kv([['z', '1']]), NOW))]);
    expect(clean(committed, { job: { upperBoundOffset: 100 } }).batches.map((b) => b.header.baseOffset)).toEqual([0n, 1n, 2n]);
    // Key `a` rewritten later: the transaction's record goes, the marker gets a horizon, then goes.
    const rewritten = Buffer.concat([committed, at(3, keyedBatch(kv([['a', 'y']]), NOW))]);
    const first = clean(rewritten, { job: { upperBoundOffset: 100 } });
    expect(first.batches.map((b) => b.header.baseOffset)).toEqual([1n, 2n, 3n]);
    // The next pass meets the marker without its transaction's batch: it may go, once its horizon
    // (stamped by this pass) has passed — the pass after.
    const second = clean(first.result.output, { job: { upperBoundOffset: 100, now: NOW + DAY } });
    expect(second.batches.map((b) => b.header.baseOffset)).toEqual([1n, 2n, 3n]);
    expect(second.batches[0]!.header.baseTimestamp).toBe(NOW + 2 * DAY);
    const third = clean(second.result.output, { job: { upperBoundOffset: 100, now: NOW + 2 * DAY } });
    expect(third.batches.map((b) => b.header.baseOffset)).toEqual([2n, 3n]);
  });
});

describe('CleanerCore: a full map', () => {
  it('stops mapping when log.cleaner.dedupe.buffer.size × load factor keys are in, at the last offset mapped', () => {
    const batches = Array.from({ length: 20 }, (_, i) => at(i * 5, keyedBatch(Array.from({ length: 5 }, (_, j) => ({ key: `k${i * 5 + j}`, value: 'v' })), NOW)));
    // 24 bytes per key: 10 slots, 9 keys at load factor 0.9.
    const { mapped, summary } = clean(Buffer.concat(batches), { memoryBytes: 240 });
    expect(mapped.full).toBe(true);
    expect(summary).toMatchObject({ keys: 9, latestOffset: 8 });
  });
});
