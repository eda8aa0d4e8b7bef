import { describe, expect, it } from 'vitest';
import { encodeBatch, encodeRecords, TRANSACTIONAL_BIT } from '../../../src/codec/record-batch.js';
import { markerBatch } from '../producer-helpers.js';
import { MemoryStorage } from '../../../src/log/memory-storage.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import { compactedConfig, DIR, keyedBatch, latestByKey, ManualClock, openCleaningManager, readRecords, TOPIC, type StoredRecord, type Update } from './helpers.js';

/** What a complete pass up to `end` must leave: below it the latest record of each key, from it on everything. */
function compacted(records: readonly StoredRecord[], end: bigint): StoredRecord[] {
  const latest = latestByKey(records.filter((r) => r.offset < end));
  return records.filter((r) => (r.offset < end ? latest.get(r.key!)!.offset === r.offset : true));
}

/** A compacted log with 4 KiB segments, in memory, under a manual clock, with a cleaner the test drives. */
async function smallSegmentsLog() {
  const clock = new ManualClock(1_000_000);
  const manager = await openCleaningManager(new MemoryStorage(clock), compactedConfig({ segmentBytes: 4096 }), clock);
  return { clock, manager, log: await manager.createLog(TOPIC, 0) };
}

describe('the log cleaner on one log', () => {
  it('keeps exactly the latest record of each key, offsets unchanged, the active segment untouched', async () => {
    const { clock, manager, log } = await smallSegmentsLog();
    for (let i = 0; i < 2000; i += 10) {
      const updates: Update[] = Array.from({ length: 10 }, (_, j) => ({ key: `k${(i + j) % 100}`, value: `v${i + j}` }));
      await log.append(keyedBatch(updates, clock.now()));
    }
    const before = await readRecords(log);
    expect(log.segmentCount).toBeGreaterThan(5);
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    const pass = await manager.cleaner!.cleanFilthiestLog();
    expect(pass).toMatchObject({ log: 'changelog-0', firstDirtyOffset: 0n, endOffset: activeBase });
    const after = await readRecords(log);
    expect(after.records).toEqual(compacted(before.records, activeBase));
    for (let i = 1; i < after.records.length; i++) expect(after.records[i]!.offset).toBeGreaterThan(after.records[i - 1]!.offset);
    expect(log.segmentCount).toBeLessThan(before.records.length);
    await manager.close();
  });
});

/** 10,000 updates over 100 keys, the last update of keys 0-9 a tombstone, in batches of 50. */
async function changelog(log: PartitionLog, clock: ManualClock, count = 10_000): Promise<void> {
  for (let i = 0; i < count; i += 50) {
    const updates: Update[] = [];
    for (let j = i; j < i + 50; j++) {
      const key = j % 100;
      const last = j >= count - 100;
      updates.push({ key: `key-${key}`, value: last && key < 10 ? null : `value-${j}` });
    }
    await log.append(keyedBatch(updates, clock.now()));
  }
}

/** Rolls the active segment: appends until a new one starts (segment.bytes). */
async function roll(log: PartitionLog, clock: ManualClock, key = 'filler'): Promise<void> {
  const segments = log.segmentCount;
  for (let i = 0; log.segmentCount === segments; i++) await log.append(keyedBatch([{ key: `${key}-${i % 3}`, value: 'x'.repeat(200) }], clock.now()));
}

describe('compaction of a changelog: 10,000 updates over 100 keys, 10 of them deleted', () => {
  it('leaves the latest value of each live key; tombstones stay delete.retention.ms, then go', async () => {
    const clock = new ManualClock(1_000_000);
    const storage = new MemoryStorage(clock);
    const manager = await openCleaningManager(storage, compactedConfig({ segmentBytes: 8192, deleteRetentionMs: 60_000 }), clock);
    const log = await manager.createLog(TOPIC, 0);
    await changelog(log, clock);
    await roll(log, clock);
    const before = await readRecords(log);
    const sizeBefore = log.sizeInBytes();
    const first = await manager.cleaner!.cleanFilthiestLog();
    expect(first).toBeDefined();
    const after = await readRecords(log);
    const end = first!.endOffset;
    const cleaned = after.records.filter((r) => r.offset < end && r.key!.startsWith('key-'));
    // One record per key: the 90 live ones with their last value, the 10 tombstones (for now).
    expect(cleaned.length).toBe(100);
    const latest = latestByKey(before.records.filter((r) => r.offset < 10_000n));
    for (const r of cleaned) expect(r).toEqual(latest.get(r.key!));
    expect(cleaned.filter((r) => r.value === null).map((r) => r.key).sort()).toEqual(Array.from({ length: 10 }, (_, k) => `key-${k}`).sort());
    expect(log.sizeInBytes()).toBeLessThan(sizeBefore / 10);

    // Within delete.retention.ms another pass keeps them; past it, the next pass drops them.
    clock.advance(30_000);
    await roll(log, clock, 'more');
    await manager.cleaner!.cleanFilthiestLog();
    expect((await readRecords(log)).records.filter((r) => r.value === null)).toHaveLength(10);
    clock.advance(30_000);
    await roll(log, clock, 'again');
    await manager.cleaner!.cleanFilthiestLog();
    const final = await readRecords(log);
    expect(final.records.filter((r) => r.value === null)).toHaveLength(0);
    expect(final.records.filter((r) => r.key!.startsWith('key-')).map((r) => r.key)).toHaveLength(90);
    await manager.close();
  });
});

describe('choosing what to clean (LogCleanerManager)', () => {
  it('computes the dirty ratio from whole segments and cleans only above min.cleanable.dirty.ratio', async () => {
    const clock = new ManualClock(1_000_000);
    const storage = new MemoryStorage(clock);
    const config = compactedConfig({ segmentBytes: 4096, minCleanableRatio: 0.5 });
    const manager = await openCleaningManager(storage, config, clock);
    const log = await manager.createLog(TOPIC, 0);
    await changelog(log, clock, 1000);
    const cleaner = manager.cleaner!;
    const segments = log.segmentsForCleaning();
    const ltc = (await cleaner.manager.assess(log, clock.now()))!;
    // Nothing cleaned yet: every sealed segment is dirty, the active one is neither.
    const sealed = segments.slice(0, -1).reduce((n, s) => n + s.size, 0);
    expect(ltc).toMatchObject({
      firstDirtyOffset: 0n, firstUncleanableOffset: segments.at(-1)!.baseOffset, cleanBytes: 0, cleanableBytes: sealed, dirtyRatio: 1 });
    const pass = (await cleaner.cleanFilthiestLog())!;
    expect(cleaner.manager.firstDirtyOffsetOf(DIR)).toBe(pass.endOffset);
    // Now: clean = the cleaned segments; dirty = what was appended since, once sealed.
    await changelog(log, clock, 200);
    const now = (await cleaner.manager.assess(log, clock.now()))!;
    const clean = log.segmentsForCleaning().filter((s) => s.baseOffset < pass.endOffset).reduce((n, s) => n + s.size, 0);
    expect(now.cleanBytes).toBe(clean);
    expect(now.dirtyRatio).toBeCloseTo(now.cleanableBytes / (now.cleanBytes + now.cleanableBytes), 10);
    if (now.dirtyRatio <= 0.5) expect(await cleaner.cleanFilthiestLog()).toBeUndefined();
    await changelog(log, clock, 2000);
    expect((await cleaner.manager.assess(log, clock.now()))!.dirtyRatio).toBeGreaterThan(0.5);
    expect(await cleaner.cleanFilthiestLog()).toBeDefined();
    await manager.close();
  });

  it('min.compaction.lag.ms holds back young segments; max.compaction.lag.ms forces a pass below the ratio', async () => {
    const clock = new ManualClock(1_000_000);
    const storage = new MemoryStorage(clock);
    const manager = await openCleaningManager(storage, compactedConfig({ segmentBytes: 4096, minCompactionLagMs: 60_000, minCleanableRatio: 0.99 }), clock);
    const log = await manager.createLog(TOPIC, 0);
    await changelog(log, clock, 1000);
    const cleaner = manager.cleaner!;
    const young = await cleaner.manager.assess(log, clock.now());
    expect(young?.cleanableBytes ?? 0).toBe(0);
    expect(await cleaner.cleanFilthiestLog()).toBeUndefined();
    clock.advance(61_000); // records are stamped now + 0..49 ms
    const old = (await cleaner.manager.assess(log, clock.now()))!;
    expect(old.cleanableBytes).toBeGreaterThan(0);
    expect(old.dirtyRatio).toBe(1); // above 0.99: cleaned
    expect(await cleaner.cleanFilthiestLog()).toBeDefined();

    // max.compaction.lag.ms: a pass even below min.cleanable.dirty.ratio, once a dirty record has
    // waited that long (counted from the first batch of the oldest dirty sealed segment).
    log.updateConfig({ minCompactionLagMs: 0, maxCompactionLagMs: 10_000 });
    const sinceFirst = log.segmentCount;
    await changelog(log, clock, 300);
    expect(log.segmentCount).toBeGreaterThan(sinceFirst);
    const fresh = (await cleaner.manager.assess(log, clock.now()))!;
    expect(fresh.dirtyRatio).toBeLessThan(0.99);
    expect(fresh.needsCompactionNow).toBe(true); // the segment active during the first pass is old
    expect(await cleaner.cleanFilthiestLog()).toBeDefined();
    await changelog(log, clock, 300);
    expect((await cleaner.manager.assess(log, clock.now()))!.needsCompactionNow).toBe(false);
    expect(await cleaner.cleanFilthiestLog()).toBeUndefined();
    clock.advance(10_100);
    expect((await cleaner.manager.assess(log, clock.now()))!.needsCompactionNow).toBe(true);
    expect(await cleaner.cleanFilthiestLog()).toBeDefined();
    await manager.close();
  });

  it('max.compaction.lag.ms also rolls the active segment of a compacted log (Kafka\'s maxSegmentMs)', async () => {
    const clock = new ManualClock(1_000_000);
    const manager = await openCleaningManager(new MemoryStorage(clock), compactedConfig({ maxCompactionLagMs: 5_000 }), clock);
    const log = await manager.createLog(TOPIC, 0);
    await log.append(keyedBatch([{ key: 'a', value: '1' }], clock.now()));
    clock.advance(5_001);
    await log.append(keyedBatch([{ key: 'a', value: '2' }], clock.now()));
    expect(log.segmentCount).toBe(2);
    await manager.close();
  });
});

describe('a compacted log across restarts', () => {
  it.each(['clean shutdown', 'crash'])('reopens after a %s with every gap intact, appends at the right offset, and resumes from the checkpoint', async (how) => {
    const clock = new ManualClock(1_000_000);
    const storage = new MemoryStorage(clock);
    const config = compactedConfig({ segmentBytes: 4096 });
    let manager = await openCleaningManager(storage, config, clock);
    let log = await manager.createLog(TOPIC, 0);
    await changelog(log, clock, 2000);
    const pass = (await manager.cleaner!.cleanFilthiestLog())!;
    const cleaned = await readRecords(log);
    const end = log.logEndOffset;
    if (how === 'clean shutdown') await manager.close();
    // A lost index must be rebuilt without taking the gaps for damage.
    await storage.remove(DIR, '00000000000000000000.index');
    manager = await openCleaningManager(storage, config, clock);
    log = manager.getLog(TOPIC, 0)!;
    expect(await readRecords(log)).toEqual(cleaned);
    expect(log.logEndOffset).toBe(end);
    expect((await log.append(keyedBatch([{ key: 'new', value: '1' }], clock.now()))).baseOffset).toBe(end);
    expect(manager.cleaner!.manager.firstDirtyOffsetOf(DIR)).toBe(pass.endOffset);
    await manager.close();
  });

  it('serves a fetch from an offset inside a gap with the next batch, as Kafka does', async () => {
    const clock = new ManualClock(1_000_000);
    const manager = await openCleaningManager(new MemoryStorage(clock), compactedConfig({ segmentBytes: 4096 }), clock);
    const log = await manager.createLog(TOPIC, 0);
    await changelog(log, clock, 2000);
    await manager.cleaner!.cleanFilthiestLog();
    const { records } = await readRecords(log);
    // The first offset no record holds any more, and the record after it.
    const gap = records.findIndex((r, i) => r.offset > (i === 0 ? log.logStartOffset : records[i - 1]!.offset + 1n));
    const inGap = gap === 0 ? log.logStartOffset : records[gap - 1]!.offset + 1n;
    expect(inGap).toBeLessThan(records[gap]!.offset);
    const { records: bytes } = await log.read(inGap, 1000);
    const first = bytes.readBigInt64BE(0) + BigInt(bytes.readInt32BE(23));
    expect(first).toBeGreaterThanOrEqual(records[gap]!.offset);
    expect(bytes.readBigInt64BE(0)).toBeLessThanOrEqual(records[gap]!.offset);
    await manager.close();
  });
});

describe('cleanup.policy=compact,delete', () => {
  it('applies retention as well: old segments go by retention.ms, and cleaning starts again from the new log start', async () => {
    const clock = new ManualClock(1_000_000);
    const manager = await openCleaningManager(new MemoryStorage(clock), compactedConfig({ segmentBytes: 4096, retentionMs: 60_000 }), clock);
    const log = await manager.createLog(TOPIC, 0);
    await changelog(log, clock, 1000);
    const first = (await manager.cleaner!.cleanFilthiestLog())!;
    await roll(log, clock); // the changelog's last segment is sealed (the filler that rolled it opens the next)
    clock.advance(120_000);
    await changelog(log, clock, 1000);
    expect(await manager.runRetention()).toBeGreaterThan(0);
    // Every segment of the first minute is gone, cleaned or not.
    expect(log.logStartOffset).toBeGreaterThan(first.endOffset);
    const { records } = await readRecords(log);
    expect(records.filter((r) => r.timestamp < 1_000_000 + 120_000).map((r) => r.key)).toEqual(['filler-0']);
    expect(await manager.cleaner!.cleanFilthiestLog()).toMatchObject({ firstDirtyOffset: log.logStartOffset });
    await manager.close();
  });
});

/** A transactional batch of keyed records from `producerId` (epoch 0), as a producer sends it inside a transaction. */
function txnKeyedBatch(producerId: bigint, baseSequence: number, updates: readonly Update[], timestamp: number): Buffer {
  return encodeBatch({
    attributes: TRANSACTIONAL_BIT,
    producerId,
    producerEpoch: 0,
    baseSequence,
    lastOffsetDelta: updates.length - 1,
    recordsCount: updates.length,
    baseTimestamp: timestamp,
    maxTimestamp: timestamp,
    records: encodeRecords(updates.map((u) => ({ key: Buffer.from(u.key), value: u.value === null ? null : Buffer.from(u.value) }))),
  });
}

describe('transactions in a compacted log (the segments\' .txnindex and the last stable offset)', () => {
  it('removes an aborted transaction\'s records, keeps a committed one\'s, and never cleans past an open transaction', async () => {
    const { clock, manager, log } = await smallSegmentsLog();
    const marker = (pid: bigint, commit: boolean) => log.append(markerBatch(pid, 0, commit, 0, clock.now()), { origin: 'coordinator' });
    // Producer 1 writes k1, k2 and aborts; producer 2 writes k1, k3 and commits.
    await log.append(txnKeyedBatch(1n, 0, [{ key: 'k1', value: 'aborted' }, { key: 'k2', value: 'aborted' }], clock.now()));
    await log.append(txnKeyedBatch(2n, 0, [{ key: 'k1', value: 'committed' }, { key: 'k3', value: 'committed' }], clock.now()));
    await marker(1n, false);
    await marker(2n, true);
    await roll(log, clock);
    const pass = await manager.cleaner!.cleanFilthiestLog();
    expect(pass).toBeDefined();
    // Data records only (the markers stay until their delete horizon, as in Kafka; the fillers rolled the segment).
    const values = (await readRecords(log)).records.filter((r) => /^k\d$/.test(r.key ?? '')).map((r) => [r.key, r.value]);
    // The aborted k2 is gone; k1's committed value stays (the aborted k1 was never its latest: it does not count).
    expect(values).toEqual([['k1', 'committed'], ['k3', 'committed']]);

    // Producer 3 opens a transaction and leaves it open: the last stable offset stops cleaning there.
    const openAt = log.logEndOffset;
    await log.append(txnKeyedBatch(3n, 0, [{ key: 'k3', value: 'undecided' }], clock.now()));
    await roll(log, clock, 'more');
    expect(log.lastStableOffset).toBe(openAt);
    const next = await manager.cleaner!.cleanFilthiestLog();
    expect(next?.endOffset ?? openAt).toBeLessThanOrEqual(openAt);
    expect((await readRecords(log)).records.find((r) => r.value === 'undecided')).toBeDefined();
    await manager.close();
  });
});
