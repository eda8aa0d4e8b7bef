import { describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { MemoryStorage } from '../../src/log/memory-storage.js';
import { batch, InstrumentedStorage, openManager, testConfig } from './helpers.js';

/**
 * Durability is tested on MemoryStorage, which can simulate a power cut: every file falls back to
 * what its last fsync covered. A "process crash" keeps everything written (the page cache survives).
 */
async function scenario(flush: { flushIntervalMessages?: number; flushIntervalMs?: number }, appends: number, clock = new ManualClock(1_000_000)) {
  const memory = new MemoryStorage(clock);
  const storage = new InstrumentedStorage(memory);
  const config = testConfig(flush);
  const manager = await openManager(storage, config, clock);
  const log = await manager.createLog('topic', 0);
  for (let i = 0; i < appends; i++) await log.append(batch(1));
  const reopen = async () => (await openManager(memory, config, clock)).getLog('topic', 0)!;
  return { memory, storage, log, reopen, clock };
}

describe('flush policy', () => {
  it('default (leave it to the OS): acknowledged appends survive a process crash', async () => {
    const { storage, reopen } = await scenario({}, 5);
    expect(storage.syncs).toBe(0);
    await storage.crash();
    expect((await reopen()).logEndOffset).toBe(5n);
  });

  it('default (leave it to the OS): acknowledged appends are lost by a power loss', async () => {
    const { memory, storage, reopen } = await scenario({}, 5);
    await storage.crash();
    memory.simulatePowerLoss();
    expect((await reopen()).logEndOffset).toBe(0n);
  });

  it('flush.messages=1: every acknowledged append survives a power loss', async () => {
    const { memory, storage, reopen } = await scenario({ flushIntervalMessages: 1 }, 5);
    await storage.crash();
    memory.simulatePowerLoss();
    expect((await reopen()).logEndOffset).toBe(5n);
  });

  it('flush.messages=3: fsyncs every third message', async () => {
    const { memory, storage, reopen } = await scenario({ flushIntervalMessages: 3 }, 5);
    await storage.crash();
    memory.simulatePowerLoss();
    expect((await reopen()).logEndOffset).toBe(3n);
  });

  it('flush.messages=1 commits concurrent appends as a group: one write, one fsync', async () => {
    const { storage, log } = await scenario({ flushIntervalMessages: 1 }, 0);
    const appendsBefore = storage.appends;
    const syncsBefore = storage.syncs;
    const results = await Promise.all(Array.from({ length: 20 }, () => log.append(batch(2))));
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i * 2)));
    expect(storage.appends - appendsBefore).toBe(1);
    expect(storage.syncs - syncsBefore).toBeLessThanOrEqual(3); // the .log and its two index files
  });

  it('flush.ms: unflushed data is fsynced once the interval has passed, not before', async () => {
    const { memory, storage, log, reopen, clock } = await scenario({ flushIntervalMs: 20 }, 3);
    clock.advance(19);
    // Appends are queued behind anything the timer started, so awaiting one waits for that too.
    await log.append(batch(1));
    expect(storage.syncs).toBe(0);
    clock.advance(1);
    await log.append(batch(1)); // written after the flush: its own timer is not due yet
    await storage.crash();
    memory.simulatePowerLoss();
    expect((await reopen()).logEndOffset).toBe(4n);
  });

  it('a rolled segment is fsynced and becomes the recovery point', async () => {
    const clock = new ManualClock(1_000_000);
    const memory = new MemoryStorage(clock);
    const config = testConfig({ segmentBytes: batch(1).length * 2 });
    const manager = await openManager(memory, config, clock);
    const log = await manager.createLog('topic', 0);
    for (let i = 0; i < 5; i++) await log.append(batch(1));
    await log.flush(); // waits for the background fsync of rolled segments, then fsyncs the active one
    expect(log.recoveryPoint).toBe(5n);
  });
});
