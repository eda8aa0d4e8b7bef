/**
 * A long log load reports progress every 2 s on the injected clock, and stops reporting when done.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LogManager } from '../../src/log/log-manager.js';
import { MemoryStorage } from '../../src/log/memory-storage.js';
import type { Storage } from '../../src/log/storage.js';
import { ManualClock } from '../support/manual-clock.js';
import { batch, testConfig } from './helpers.js';

describe('LogManager load progress', () => {
  it('logs "N of M partitions ready" every 2 s while loading, and nothing after', async () => {
    const clock = new ManualClock(1_000_000);
    const storage = new MemoryStorage(clock);
    const first = await LogManager.open({ storage, clock, config: testConfig() });
    await (await first.createLog('fast', 0)).append(batch(2));
    await (await first.createLog('slow', 0)).append(batch(2));
    await first.close();

    // The slow partition's files open only when the test says so: a recovery that takes a while.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Storage = Object.create(storage, {
      open: { value: async (dir: string, name: string, create: boolean) => (dir === 'slow-0' && (await gate), storage.open(dir, name, create)) },
    });
    const lines: { msg: string; loaded?: number; total?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const opening = LogManager.open({ storage: slow, clock, config: testConfig(), logger });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); // the fast partition loads (memory only)
    clock.advance(1999);
    expect(lines.filter((l) => l.msg.startsWith('loading logs'))).toEqual([]);
    clock.advance(1);
    clock.advance(2000);
    const progress = lines.filter((l) => l.msg.startsWith('loading logs'));
    expect(progress.map((l) => l.msg)).toEqual(['loading logs: 1 of 2 partitions ready', 'loading logs: 1 of 2 partitions ready']);
    expect(progress[0]).toMatchObject({ loaded: 1, total: 2 });
    release();
    const manager = await opening;
    clock.advance(10_000);
    expect(lines.filter((l) => l.msg.startsWith('loading logs'))).toHaveLength(2);
    expect(manager.allLogs()).toHaveLength(2);
    await manager.close();
  });
});
