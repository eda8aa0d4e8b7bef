import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../src/log/memory-storage.js';
import { compactedConfig, keyedBatch, latestByKey, ManualClock, openCleaningManager, readRecords, TOPIC, type StoredRecord, type Update } from './helpers.js';

/** What a complete pass up to `end` must leave: below it the latest record of each key, from it on everything. */
function compacted(records: readonly StoredRecord[], end: bigint): StoredRecord[] {
  const latest = latestByKey(records.filter((r) => r.offset < end));
  return records.filter((r) => (r.offset < end ? latest.get(r.key!)!.offset === r.offset : true));
}

describe('the log cleaner on one log', () => {
  it('keeps exactly the latest record of each key, offsets unchanged, the active segment untouched', async () => {
    const clock = new ManualClock(1_000_000);
    const storage = new MemoryStorage(clock);
    const manager = await openCleaningManager(storage, compactedConfig({ segmentBytes: 4096 }), clock);
    const log = await manager.createLog(TOPIC, 0);
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
