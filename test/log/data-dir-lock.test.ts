import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLock, DataDirLockedError } from '../../src/log/data-dir-lock.js';

const logger = pino({ level: 'silent' });

/** Issue 11 item 8: one broker per data directory, and a killed broker never blocks its restart. */
describe('the data directory lock (.lock, via flock)', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tafka-lock-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('refuses a second holder with a message naming the first, and is free again once released', async () => {
    const first = await DataDirLock.acquire(dataDir, logger);
    expect(await readFile(join(dataDir, '.lock'), 'utf8')).toBe(`pid=${process.pid}\n`);
    const second = DataDirLock.acquire(dataDir, logger);
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toThrow(`Failed to acquire lock on file .lock in ${dataDir}: another broker (pid ${process.pid}) is using this directory.`);
    await first.release();
    const third = await DataDirLock.acquire(dataDir, logger);
    await third.release();
  });

  it("is dropped when the holder's end of the pipe closes, as the kernel does when a broker is killed -9", async () => {
    const held = await DataDirLock.acquire(dataDir, logger);
    // What process death does: the kernel closes the broker's end of the helper's pipe. No release().
    (held as unknown as { helper: { stdin: { destroy(): void } } }).helper.stdin.destroy();
    const after = await DataDirLock.acquire(dataDir, logger); // waits for the helper to exit
    await after.release();
  });
});
