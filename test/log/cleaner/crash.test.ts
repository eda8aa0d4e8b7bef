/**
 * kill -9 at any moment of a cleaning pass (item 4 of issue 14): for random workloads of keys,
 * values and tombstones, a pass is run once to count its disk operations, then again from the same
 * disk, killed before a chosen one (an append torn part-way, sometimes; sometimes a power cut on top,
 * which drops whatever was not fsynced). The logs are reopened from what the disk held, and must:
 * - serve only records that were written, each at its original offset, in increasing order;
 * - still hold the latest record of every key (tombstones included: none is past its horizon);
 * - end where they ended, and take appends there;
 * - after one complete pass, equal the model: the latest record per key before the cleaned end,
 *   everything after it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../src/log/memory-storage.js';
import { Crash, CrashingStorage } from './crash-storage.js';
import { compactedConfig, keyedBatch, latestByKey, ManualClock, openCleaningManager, readRecords, TOPIC, type StoredRecord, type Update } from './helpers.js';

const workload = fc.record({
  batches: fc.array(
    fc.array(fc.record({ key: fc.integer({ min: 0, max: 40 }), tombstone: fc.boolean(), size: fc.integer({ min: 1, max: 100 }) }), {
      minLength: 1,
      maxLength: 6,
    }),
    { minLength: 5, maxLength: 60 },
  ),
  segmentBytes: fc.constantFrom(1024, 2048, 4096),
  /**
   * Where the kill falls among the pass's disk operations, in thousandths. (Not fc.double: it
   * draws by bit pattern, so nearly every draw is a tiny fraction and the kill nearly always lands on the first operation.)
   */
  crashAt: fc.integer({ min: 0, max: 999 }),
  torn: fc.constantFrom(0, 0, 0.5),
  powerLoss: fc.boolean(),
});

function compactedModel(records: readonly StoredRecord[], end: bigint): StoredRecord[] {
  const latest = latestByKey(records.filter((r) => r.offset < end));
  return records.filter((r) => r.offset >= end || latest.get(r.key!)!.offset === r.offset);
}

describe('a cleaning pass killed at any moment', () => {
  it('loses no latest value, changes no offset, and a later pass finishes the job', async () => {
    await fc.assert(
      fc.asyncProperty(workload, async ({ batches, segmentBytes, crashAt, torn, powerLoss }) => {
        const clock = new ManualClock(1_000_000);
        const config = compactedConfig({ segmentBytes });
        const disk = new MemoryStorage(clock);
        const writer = await openCleaningManager(disk, config, clock);
        const log = await writer.createLog(TOPIC, 0);
        for (const [i, b] of batches.entries()) {
          const updates: Update[] = b.map((u, j) => ({ key: `k${u.key}`, value: u.tombstone && j % 2 === 0 ? null : `${i}.${j}:${'v'.repeat(u.size)}` }));
          await log.append(keyedBatch(updates, clock.now()));
        }
        await log.flush();
        const written = (await readRecords(log)).records;
        const end = log.logEndOffset;
        // The broker is killed mid-pass, not stopped: no close. The pass runs on copies of this disk.
        const running = disk.clone();

        // A first run counts the pass's disk operations.
        const counting = new CrashingStorage(running.clone());
        const dry = await openCleaningManager(counting, config, clock);
        counting.arm(Infinity);
        const complete = await dry.cleaner!.cleanFilthiestLog();
        const total = counting.ops;
        if (!complete) return; // nothing dirty enough to clean: nothing to kill

        const crashing = new CrashingStorage(running.clone());
        const doomed = await openCleaningManager(crashing, config, clock);
        crashing.arm(Math.floor((crashAt * total) / 1000), torn);
        await doomed.cleaner!.cleanFilthiestLog().catch((err) => {
          if (!(err instanceof Crash)) throw err;
        });
        const after = crashing.crashed!;
        expect(after).toBeDefined();
        if (powerLoss) after.simulatePowerLoss();

        const reopened = await openCleaningManager(after, config, clock);
        const recovered = reopened.getLog(TOPIC, 0)!;
        const served = (await readRecords(recovered)).records;
        const byOffset = new Map(written.map((r) => [r.offset, r]));
        for (const [i, r] of served.entries()) {
          expect(r).toEqual(byOffset.get(r.offset));
          if (i > 0) expect(r.offset).toBeGreaterThan(served[i - 1]!.offset);
        }
        const have = new Set(served.map((r) => r.offset));
        for (const r of latestByKey(written).values()) expect(have.has(r.offset), `latest of ${r.key} at ${r.offset}`).toBe(true);
        expect(recovered.logEndOffset).toBe(end);

        const pass = await reopened.cleaner!.cleanFilthiestLog();
        const finalEnd = pass?.endOffset ?? 0n;
        expect((await readRecords(recovered)).records).toEqual(compactedModel(written, finalEnd));
        expect((await recovered.append(keyedBatch([{ key: 'after', value: 'x' }], clock.now()))).baseOffset).toBe(end);
        await reopened.close();
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
