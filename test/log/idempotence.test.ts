import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { baseOffsetAt, batchSizeAt, lastOffsetDeltaAt } from '../../src/codec/record-batch.js';
import type { PartitionLog } from '../../src/log/partition-log.js';
import type { Storage } from '../../src/log/storage.js';
import { batch, codeOf, ReopenableLog, STORAGE_KINDS, type StorageKind } from './helpers.js';
import { idempotentBatch } from './producer-helpers.js';

const DIR = 'topic-0';

/** Base offsets of every batch in the log, read through the log. */
async function storedBatches(log: PartitionLog): Promise<bigint[]> {
  const out: bigint[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const { records } = await log.read(offset, 1 << 20);
    for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
      out.push(baseOffsetAt(records, pos));
      offset = baseOffsetAt(records, pos) + BigInt(lastOffsetDeltaAt(records, pos)) + 1n;
    }
  }
  return out;
}

const snapshotsIn = async (storage: Storage) => (await storage.listFiles(DIR)).filter((f) => f.endsWith('.snapshot')).sort();

describe.each(STORAGE_KINDS)('idempotent appends on %s storage', (kind: StorageKind) => {
  let h: ReopenableLog;
  beforeEach(async () => {
    h = await ReopenableLog.create(kind);
  });
  afterEach(() => h.dispose());

  it('acknowledges a retried batch with the original offsets and stores it once', async () => {
    const log = await h.open();
    await log.append(batch(3));
    const first = await log.append(idempotentBatch(1000n, 0, 0, 4));
    const retry = await log.append(idempotentBatch(1000n, 0, 0, 4));
    expect(first).toMatchObject({ baseOffset: 3n, lastOffset: 6n });
    expect(retry).toMatchObject({ baseOffset: 3n, lastOffset: 6n, logAppendTime: -1n });
    expect(log.logEndOffset).toBe(7n);
    expect(await storedBatches(log)).toEqual([0n, 3n]);
  });

  it('judges pipelined retries in arrival order: a retry queued behind its original resolves after it is written', async () => {
    const log = await h.open();
    // The high watermark when each append resolves: a duplicate must not be acknowledged before
    // its original is readable.
    const p = [0, 2, 4, 2, 0, 6].map((seq) => log.append(idempotentBatch(5n, 0, seq, 2)).then((r) => ({ ...r, hw: log.highWatermark })));
    const results = await Promise.all(p);
    expect(results.map((r) => r.baseOffset)).toEqual([0n, 2n, 4n, 2n, 0n, 6n]);
    for (const r of results) expect(r.hw).toBeGreaterThan(r.lastOffset);
    expect(results[3]!.hw).toBe(6n); // after everything queued before the retry: offsets 0-5
    expect(await storedBatches(log)).toEqual([0n, 2n, 4n, 6n]);
  });

  it('answers 45 for a gap and 47 for a stale epoch, writing nothing', async () => {
    const log = await h.open();
    await log.append(idempotentBatch(1n, 2, 0));
    expect(await codeOf(log.append(idempotentBatch(1n, 2, 5)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await codeOf(log.append(idempotentBatch(1n, 1, 1)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await codeOf(log.append(idempotentBatch(1n, 3, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // A whole request is refused when one batch fails: the good batch before it is not written.
    const mixed = Buffer.concat([idempotentBatch(1n, 2, 1), idempotentBatch(1n, 2, 3)]);
    expect(await codeOf(log.append(mixed))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(log.logEndOffset).toBe(1n);
    expect((await log.append(idempotentBatch(1n, 2, 1))).baseOffset).toBe(1n);
  });

  it('leaves plain batches out of producer state', async () => {
    const log = await h.open();
    await log.append(batch(2));
    expect(log.activeProducers()).toEqual([]);
  });

  it('after a clean restart, takes the next sequence and still detects a retry of the last batch', async () => {
    let log = await h.open();
    for (let seq = 0; seq < 6; seq++) await log.append(idempotentBatch(7n, 0, seq));
    log = await h.restart();
    expect(await snapshotsIn(h.raw)).toEqual(['00000000000000000006.snapshot']);
    expect(await log.append(idempotentBatch(7n, 0, 5))).toMatchObject({ baseOffset: 5n });
    // As in Kafka, the snapshot keeps only each producer's last batch: an older retry is out of order.
    expect(await codeOf(log.append(idempotentBatch(7n, 0, 4)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await log.append(idempotentBatch(7n, 0, 6))).toMatchObject({ baseOffset: 6n });
    expect(log.logEndOffset).toBe(7n);
  });

  it('after a crash, rebuilds the whole 5-batch window from the log tail', async () => {
    let log = await h.open();
    for (let seq = 0; seq < 6; seq++) await log.append(idempotentBatch(7n, 0, seq * 3, 3));
    log = await h.crashAndReopen();
    expect(await snapshotsIn(h.raw)).toEqual([]);
    for (let seq = 1; seq < 6; seq++) {
      expect(await log.append(idempotentBatch(7n, 0, seq * 3, 3))).toMatchObject({ baseOffset: BigInt(seq * 3) });
    }
    expect(await codeOf(log.append(idempotentBatch(7n, 0, 0, 3)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await log.append(idempotentBatch(7n, 0, 18, 3))).baseOffset).toBe(18n);
  });

  it('snapshots at each roll; after a crash, replays producer state over every recovered segment, keeping the snapshots', async () => {
    const size = idempotentBatch(1n, 0, 0).length;
    let log = await h.open({ segmentBytes: size * 10 });
    for (let seq = 0; seq < 95; seq++) await log.append(idempotentBatch(BigInt(seq % 3), 0, Math.floor(seq / 3)));
    expect(log.segmentCount).toBe(10);
    const snapshots = await snapshotsIn(h.raw);
    expect(snapshots).toHaveLength(9);
    expect(snapshots.at(-1)).toBe('00000000000000000090.snapshot');
    log = await h.crashAndReopen();
    // No checkpoint was written, so recovery re-reads every segment, and producer state is replayed
    // with it (from no snapshot: none is at or before offset 0): each producer has its last 5 batches.
    // (Replaying whole recovered segments is what rebuilds their aborted-transaction indexes.)
    expect(log.activeProducers().map((p) => [p.producerId, p.batches.map((b) => b.firstSeq)])).toEqual([
      [0n, [27, 28, 29, 30, 31]],
      [1n, [27, 28, 29, 30, 31]],
      [2n, [26, 27, 28, 29, 30]],
    ]);
    expect(await snapshotsIn(h.raw)).toEqual(snapshots);
    expect(await log.append(idempotentBatch(1n, 0, 30))).toMatchObject({ baseOffset: 91n });
    expect((await log.append(idempotentBatch(2n, 0, 31))).baseOffset).toBe(95n);
  });

  it('after a crash, replays from an older snapshot across segments recovery does not re-read', async () => {
    const size = idempotentBatch(1n, 0, 0).length;
    let log = await h.open({ segmentBytes: size * 4 });
    for (let seq = 0; seq < 20; seq++) await log.append(idempotentBatch(1n, 0, seq));
    await log.flush();
    await h.manager!.checkpoint(); // recovery point 20: only the active segment (16-19) is recovered
    for (const o of ['12', '16']) await h.raw.remove(DIR, `${o.padStart(20, '0')}.snapshot`);
    log = await h.crashAndReopen();
    // Snapshot 8 gives sequence 7; headers of segments 8 and 12 give 8-15; recovery of 16 gives 16-19.
    expect(log.activeProducers()[0]!.batches.map((b) => b.firstSeq)).toEqual([15, 16, 17, 18, 19]);
    expect(await log.append(idempotentBatch(1n, 0, 15))).toMatchObject({ baseOffset: 15n });
    expect((await log.append(idempotentBatch(1n, 0, 20))).baseOffset).toBe(20n);
  });

  it('falls back to an older snapshot when the newest lies beyond a log cut by recovery', async () => {
    const size = idempotentBatch(1n, 0, 0).length;
    let log = await h.open({ segmentBytes: size * 4 });
    for (let seq = 0; seq < 10; seq++) await log.append(idempotentBatch(1n, 0, seq));
    await h.manager!.close(); // snapshot at 10
    // Lose the last two batches and the clean-shutdown marker, as a disk could.
    const last = '00000000000000000008.log';
    const data = (await h.raw.readFile(DIR, last))!;
    await h.raw.writeFileAtomic(DIR, last, data.subarray(0, 5));
    await h.raw.remove('', '.kafka_cleanshutdown');
    log = await h.reopen();
    expect(log.logEndOffset).toBe(8n);
    expect(await snapshotsIn(h.raw)).toEqual(['00000000000000000004.snapshot', '00000000000000000008.snapshot']);
    expect(await log.append(idempotentBatch(1n, 0, 7))).toMatchObject({ baseOffset: 7n });
    expect((await log.append(idempotentBatch(1n, 0, 8))).baseOffset).toBe(8n);
  });

  it('deletes an unreadable snapshot and rebuilds from the log', async () => {
    let log = await h.open();
    for (let seq = 0; seq < 3; seq++) await log.append(idempotentBatch(1n, 0, seq));
    await h.manager!.close();
    const name = '00000000000000000003.snapshot';
    const snap = (await h.raw.readFile(DIR, name))!;
    snap[snap.length - 1]! ^= 0xff;
    await h.raw.writeFileAtomic(DIR, name, snap);
    log = await h.reopen();
    expect(await snapshotsIn(h.raw)).toEqual([]);
    expect(log.activeProducers()[0]!.batches.map((b) => b.firstSeq)).toEqual([0, 1, 2]);
  });

  it('retention deletes snapshots older than the first remaining segment', async () => {
    const size = idempotentBatch(1n, 0, 0).length;
    const log = await h.open({ segmentBytes: size * 2 });
    for (let seq = 0; seq < 7; seq++) await log.append(idempotentBatch(1n, 0, seq));
    expect(await snapshotsIn(h.raw)).toEqual(['2', '4', '6'].map((o) => `${o.padStart(20, '0')}.snapshot`));
    await log.deleteRecordsBefore(5n);
    expect(log.segmentBaseOffsets()).toEqual([4n, 6n]);
    expect(await snapshotsIn(h.raw)).toEqual(['4', '6'].map((o) => `${o.padStart(20, '0')}.snapshot`));
  });

  it('forgets producers idle for producer.id.expiration.ms, and does not load them from a snapshot', async () => {
    let log = await h.open({ producerIdExpirationMs: 60_000 });
    await log.append(idempotentBatch(1n, 0, 0, 1, { timestamp: 1_000_000 }));
    await log.append(idempotentBatch(2n, 0, 0, 1, { timestamp: 1_030_000 }));
    h.clock.set(1_060_000);
    expect(h.manager!.removeExpiredProducers()).toBe(1);
    expect(log.activeProducers().map((p) => p.producerId)).toEqual([2n]);
    // An expired producer may start anywhere again.
    expect((await log.append(idempotentBatch(1n, 0, 40, 1, { timestamp: 1_060_000 }))).baseOffset).toBe(2n);
    await h.manager!.close();
    h.clock.set(1_090_000);
    log = await h.restart();
    expect(log.activeProducers().map((p) => p.producerId)).toEqual([1n]);
  });
});
