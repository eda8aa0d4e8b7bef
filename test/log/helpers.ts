import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import { buildBatch, type RecordInput } from '../../src/codec/record-batch.js';
import { defaultLogConfig, type LogConfig } from '../../src/log/config.js';
import { FileStorage } from '../../src/log/file-storage.js';
import { LogManager } from '../../src/log/log-manager.js';
import { MemoryStorage } from '../../src/log/memory-storage.js';
import type { Storage } from '../../src/log/storage.js';

/** A batch of `count` records with `valueSize`-byte values, max timestamp `timestamp`. */
export function batch(count: number, opts: { timestamp?: number; valueSize?: number; tag?: number } = {}): Buffer {
  const records: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(opts.valueSize ?? 10, (opts.tag ?? 0) + i);
    records.push({ key: Buffer.from(`k${i}`), value });
  }
  return buildBatch(records, { baseTimestamp: opts.timestamp ?? 1000 });
}

export const testConfig = (overrides: Partial<LogConfig> = {}): LogConfig => ({
  ...defaultLogConfig,
  fileDeleteDelayMs: 0,
  ...overrides,
});

export type StorageKind = 'file' | 'memory';
export const STORAGE_KINDS: StorageKind[] = ['file', 'memory'];

/** A storage that survives "restarts" of a LogManager within one test. */
export async function makeStorage(kind: StorageKind, clock = new ManualClock(1_000_000)): Promise<{ storage: Storage; cleanup: () => Promise<void> }> {
  if (kind === 'memory') return { storage: new MemoryStorage(clock), cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'tafka-log-'));
  return { storage: await FileStorage.create(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function openManager(storage: Storage, config: LogConfig, clock = new ManualClock(1_000_000)): Promise<LogManager> {
  return LogManager.open({ storage, config, clock, retentionCheckIntervalMs: 1e9, checkpointIntervalMs: 1e9 });
}
