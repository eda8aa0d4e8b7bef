import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../support/manual-clock.js';
import { buildBatch, encodeBatch, encodeRecords, type RecordInput } from '../../src/codec/record-batch.js';
import { defaultLogConfig, type LogConfig } from '../../src/config/log-config.js';
import { FileStorage } from '../../src/log/file-storage.js';
import { LogManager } from '../../src/log/log-manager.js';
import type { PartitionLog } from '../../src/log/partition-log.js';
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

/**
 * One batch whose records carry the given timestamps (baseTimestamp is the first, as clients write
 * it). `maxTimestamp` overrides the header's (default: the true maximum), `compress` encodes the
 * records section with the codec `attributes` names.
 */
export function timedBatch(
  timestamps: number[],
  opts: { maxTimestamp?: number; attributes?: number; compress?: (records: Buffer) => Buffer; valueSize?: number } = {},
): Buffer {
  const base = timestamps[0]!;
  const records = encodeRecords(timestamps.map((ts, i) => ({ key: null, value: Buffer.alloc(opts.valueSize ?? 8, i), timestampDelta: ts - base })));
  return encodeBatch({
    attributes: opts.attributes ?? 0,
    lastOffsetDelta: timestamps.length - 1,
    recordsCount: timestamps.length,
    baseTimestamp: base,
    maxTimestamp: opts.maxTimestamp ?? Math.max(...timestamps),
    records: opts.compress ? opts.compress(records) : records,
  });
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
  // Background checks only when a test runs them: advancing the clock must not start them behind its back.
  return LogManager.open({ storage, config, clock, retentionCheckIntervalMs: 1e9, checkpointIntervalMs: 1e9, producerIdExpirationCheckIntervalMs: 1e9 });
}

/**
 * Wraps a Storage to count I/O and to "crash": close every open file without the log's own
 * shutdown, as if the process had been killed.
 */
export class InstrumentedStorage implements Storage {
  readonly open_: StoredFileLike[] = [];
  syncs = 0;
  appends = 0;
  bytesRead = 0;

  constructor(readonly inner: Storage) {}

  get path() {
    return this.inner.path;
  }

  async crash(): Promise<void> {
    await Promise.all(this.open_.splice(0).map((f) => f.close().catch(() => {})));
  }

  listDirs = () => this.inner.listDirs();
  listFiles = (dir: string) => this.inner.listFiles(dir);
  makeDir = (dir: string) => this.inner.makeDir(dir);
  removeDir = (dir: string) => this.inner.removeDir(dir);
  renameDir = (a: string, b: string) => this.inner.renameDir(a, b);
  exists = (dir: string, name: string) => this.inner.exists(dir, name);
  readFile = async (dir: string, name: string) => {
    const data = await this.inner.readFile(dir, name);
    this.bytesRead += data?.length ?? 0;
    return data;
  };
  atomicWrites = 0;
  writeFileAtomic = (dir: string, name: string, data: Buffer) => {
    this.atomicWrites++;
    return this.inner.writeFileAtomic(dir, name, data);
  };
  rename = (dir: string, a: string, b: string) => this.inner.rename(dir, a, b);
  syncDir = (dir: string) => this.inner.syncDir(dir);
  remove = (dir: string, name: string) => this.inner.remove(dir, name);
  modifiedMs = (dir: string, name: string) => this.inner.modifiedMs(dir, name);
  size = (dir: string, name: string) => this.inner.size(dir, name);

  async open(dir: string, name: string, create: boolean): Promise<StoredFileLike> {
    const f = await this.inner.open(dir, name, create);
    const wrapped: StoredFileLike = {
      get size() {
        return f.size;
      },
      read: async (p, l) => {
        const b = await f.read(p, l);
        this.bytesRead += b.length;
        return b;
      },
      append: (bufs) => {
        if (name.endsWith('.log')) this.appends++;
        return f.append(bufs);
      },
      overwrite: (d) => f.overwrite(d),
      truncate: (s) => f.truncate(s),
      sync: () => {
        this.syncs++;
        return f.sync();
      },
      close: () => f.close(),
    };
    this.open_.push(wrapped);
    return wrapped;
  }
}
type StoredFileLike = import('../../src/log/storage.js').StoredFile;

/** The Kafka error code a log operation rejected with, or 0 when it succeeded. */
export async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    return (err as { errorCode: number }).errorCode;
  }
  return 0;
}

/**
 * One partition log (`topic-0`) over storage that outlives "restarts" within a test: opened, closed
 * cleanly, or crashed (kill -9: files closed behind the log's back, no snapshot, no marker, no
 * checkpoint) and opened again.
 */
export class ReopenableLog {
  raw!: Storage;
  storage!: InstrumentedStorage;
  readonly clock = new ManualClock(1_000_000);
  manager: LogManager | undefined;
  config: LogConfig = testConfig();
  private cleanup: () => Promise<void> = async () => {};

  static async create(kind: StorageKind): Promise<ReopenableLog> {
    const h = new ReopenableLog();
    ({ storage: h.raw, cleanup: h.cleanup } = await makeStorage(kind, h.clock));
    h.storage = new InstrumentedStorage(h.raw);
    return h;
  }

  async open(overrides: Partial<LogConfig> = {}): Promise<PartitionLog> {
    this.config = testConfig(overrides);
    this.manager = await openManager(this.storage, this.config, this.clock);
    return this.manager.createLog('topic', 0);
  }

  /** A new LogManager over the same files (after a close, a crash, or files edited by hand). */
  async reopen(): Promise<PartitionLog> {
    this.storage = new InstrumentedStorage(this.raw);
    this.manager = await openManager(this.storage, this.config, this.clock);
    return this.manager.getLog('topic', 0)!;
  }

  async crashAndReopen(): Promise<PartitionLog> {
    await this.storage.crash();
    return this.reopen();
  }

  async restart(): Promise<PartitionLog> {
    await this.manager!.close();
    return this.reopen();
  }

  async dispose(): Promise<void> {
    await this.manager?.close();
    await this.cleanup();
  }
}
