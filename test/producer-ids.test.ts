import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRODUCER_IDS_FILE, ProducerIdManager } from '../src/producer-ids.js';

describe('ProducerIdManager', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tafka-pid-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('hands out distinct ids to concurrent requests and reserves a block on disk first', async () => {
    const ids = await ProducerIdManager.open(dir);
    const got = await Promise.all(Array.from({ length: 2500 }, () => ids.generate()));
    expect(new Set(got).size).toBe(2500);
    expect(got.slice(0, 3)).toEqual([0n, 1n, 2n]);
    expect(await readFile(join(dir, PRODUCER_IDS_FILE), 'utf8')).toContain('next.block.start=3000');
  });

  it('never repeats an id after a restart, even one that came without a clean shutdown', async () => {
    const first = await ProducerIdManager.open(dir);
    const before = [await first.generate(), await first.generate()];
    // No close: the process may die at any point. The next start begins at the next block.
    const second = await ProducerIdManager.open(dir);
    const after = await second.generate();
    expect(before).toEqual([0n, 1n]);
    expect(after).toBe(1000n);
  });

  it('counts from 0 without a data directory', async () => {
    const ids = await ProducerIdManager.open(undefined);
    expect([await ids.generate(), await ids.generate()]).toEqual([0n, 1n]);
  });
});
