/**
 * The log manager of one data directory, after Kafka's LogManager: the owner of every partition log.
 *
 * - At start: reads the checkpoint files and the clean-shutdown marker, opens every partition
 *   directory (each through the LogLoader, recovering after a crash; a few at a time, so thousands
 *   of partitions never hold thousands of files open together), finishes interrupted topic
 *   deletions (`-delete` directories) and moves aside stray partitions (see `isStray`).
 * - While running: creates and deletes partition logs, and runs the periodic checks on the injected
 *   clock: retention (log.retention.check.interval.ms), the recovery-point and log-start-offset
 *   checkpoints (log.flush.offset.checkpoint.interval.ms) and producer-id expiration
 *   (producer.id.expiration.check.interval.ms); and the log cleaner (src/log/cleaner/), which compacts
 *   the logs of topics with cleanup.policy=compact.
 * - At close: closes every log (fsynced), writes the checkpoints, then the clean-shutdown marker,
 *   so the next start can skip recovery.
 *
 * Storage is a directory on disk (FileStorage) or memory (MemoryStorage, for tests and embedded
 * brokers); nothing above this module knows which.
 */
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { systemClock, type Clock, type ScheduledTask } from '../clock.js';
import {
  CLEAN_SHUTDOWN_FILE,
  formatCheckpoint,
  formatCleanShutdown,
  LOG_START_OFFSET_CHECKPOINT,
  parseCheckpoint,
  RECOVERY_POINT_CHECKPOINT,
  type CheckpointEntry,
} from './checkpoint.js';
import { defaultLogConfig, type LogConfig } from '../config/log-config.js';
import type { LogObserver } from '../observe/observer.js';
import { FileStorage } from './file-storage.js';
import { MemoryStorage } from './memory-storage.js';
import { PartitionLog, partitionDirName } from './partition-log.js';
import { CleanerManager } from './cleaner/cleaner-manager.js';
import { LogCleaner, type LogCleanerConfig } from './cleaner/log-cleaner.js';
import type { Storage } from './storage.js';
import { LOG_SUFFIX } from './segment.js';
import { settleWithLimit } from '../util/concurrency.js';

export interface LogManagerOptions {
  /** A Kafka log.dirs entry. Omitted: the logs live in memory (tests, embedded brokers). */
  dataDir?: string;
  /** Explicit storage, overriding dataDir (tests use a shared MemoryStorage to "restart"). */
  storage?: Storage;
  /** The broker-wide settings. */
  config?: LogConfig;
  /** The settings of one topic's partitions (its overrides on the broker's); default: `config`. */
  configFor?: (topic: string) => LogConfig;
  clock?: Clock;
  logger?: Logger;
  /** log.retention.check.interval.ms (Kafka default 5 minutes). */
  retentionCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms (Kafka default 1 minute). */
  checkpointIntervalMs?: number;
  /** producer.id.expiration.check.interval.ms (Kafka default 10 minutes). */
  producerIdExpirationCheckIntervalMs?: number;
  /**
   * Run the log cleaner: its settings (read at each pass), where its CPU work runs, and whether its
   * threads start at once (tests drive passes themselves with `cleaner.cleanFilthiestLog()`).
   */
  cleaner?: { config: () => LogCleanerConfig; executors: 'worker' | 'inline'; start?: boolean };
  /** Told about every log's appends, rolls, deletions and flushes (metrics). */
  observer?: LogObserver;
  /**
   * Whether a partition directory found at start-up belongs to no known partition (its topic is not
   * registered, or the partition is beyond the topic's count): left behind by a crash between the
   * two steps of a create or a delete (src/topics/manager.ts). Default: none is.
   */
  isStray?: (topic: string, partition: number) => boolean;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
/** `<topic>-<partition>`; other directories (Kafka's `-delete`, `-future`, `-stray`) are not logs. */
const PARTITION_DIR = /^(.+)-(\d+)$/;
const DELETE_SUFFIX = '-delete';
const STRAY_SUFFIX = '-stray';
/** Longest file name on the file systems Kafka runs on (ext4, xfs: 255 bytes; topic names are ASCII). */
const MAX_FILE_NAME = 255;
/** Partitions opened (or closed) at once: enough to overlap I/O, few enough to bound open files and memory. */
const PARALLEL_LOGS = 16;

/**
 * `<topic>-<partition>.<uuid><suffix>`: where a partition directory is renamed to be deleted or set
 * aside. As in Kafka (LocalLog.logDirNameWithSuffixCappedLength), the topic is cut short when the
 * whole name would pass 255 bytes: a legal 249-character topic must still be deletable.
 */
export function renamedDirName(topic: string, partition: number, suffix: typeof DELETE_SUFFIX | typeof STRAY_SUFFIX): string {
  const tail = `-${partition}.${randomUUID().replaceAll('-', '')}${suffix}`;
  return topic.slice(0, MAX_FILE_NAME - tail.length) + tail;
}

/** How often a long log load reports its progress. */
const LOAD_PROGRESS_INTERVAL_MS = 2000;

/**
 * All partition logs of one data directory: opens them at start (recovering after an unclean
 * shutdown), creates and deletes them, runs retention, and writes Kafka's checkpoint files and
 * clean-shutdown marker.
 */
export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly tasks: ScheduledTask[] = [];
  private closed = false;
  /** The log cleaner, when this manager runs one. */
  cleaner: LogCleaner | undefined;

  private constructor(
    private readonly storage: Storage,
    readonly config: LogConfig,
    private readonly configFor: (topic: string) => LogConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly observer: LogObserver | undefined,
    private readonly isStray: (topic: string, partition: number) => boolean,
    /** The cleaner's checkpoints: which logs were compacted, and how far. Read even without a cleaner. */
    private readonly cleanerManager: CleanerManager,
  ) {}

  /** The data directory, or undefined when the logs are in memory. */
  get dataDir(): string | undefined {
    return this.storage.path;
  }

  static async open(opts: LogManagerOptions): Promise<LogManager> {
    const clock = opts.clock ?? systemClock;
    const storage = opts.storage ?? (opts.dataDir !== undefined ? await FileStorage.create(opts.dataDir) : new MemoryStorage(clock));
    const logger = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'log-manager' });
    const config = opts.config ?? defaultLogConfig;
    const cleanerManager = await CleanerManager.open(storage, logger);
    const isStray = opts.isStray ?? (() => false);
    const manager = new LogManager(storage, config, opts.configFor ?? (() => config), clock, logger, opts.observer, isStray, cleanerManager);
    await manager.loadLogs();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      manager.tasks.push(clock.scheduleEvery(ms, () => void fn().catch((err) => logger.error({ err }, 'background log task failed'))));
    };
    every(opts.retentionCheckIntervalMs ?? 300_000, () => manager.runRetention());
    every(opts.checkpointIntervalMs ?? 60_000, () => manager.checkpoint());
    every(opts.producerIdExpirationCheckIntervalMs ?? 600_000, async () => manager.removeExpiredProducers());
    if (opts.cleaner) {
      manager.cleaner = new LogCleaner({
        storage, clock, logger, logs: () => manager.logs.values(), config: opts.cleaner.config, manager: cleanerManager, executors: opts.cleaner.executors,
      });
      if (opts.cleaner.start !== false) manager.cleaner.start();
    }
    return manager;
  }

  private async loadLogs(): Promise<void> {
    const started = this.clock.now();
    const cleanShutdown = await this.storage.exists('', CLEAN_SHUTDOWN_FILE);
    const recoveryPoints = await this.readCheckpoint(RECOVERY_POINT_CHECKPOINT);
    const logStartOffsets = await this.readCheckpoint(LOG_START_OFFSET_CHECKPOINT);
    const dirs = await this.storage.listDirs();
    const progress = this.reportProgress(dirs.filter((d) => PARTITION_DIR.test(d) && !d.endsWith(DELETE_SUFFIX)).length);
    const results = await settleWithLimit(dirs, PARALLEL_LOGS, async (dir) => {
      if (dir.endsWith(DELETE_SUFFIX)) return this.storage.removeDir(dir); // an interrupted topic deletion
      const m = PARTITION_DIR.exec(dir);
      if (!m || !TOPIC_NAME.test(m[1]!)) return;
      const topic = m[1]!;
      const partition = Number(m[2]);
      if (this.isStray(topic, partition)) return this.setAside(dir, topic, partition);
      const log = await PartitionLog.open({
        storage: this.storage,
        topic,
        partition,
        config: this.configFor(topic),
        clock: this.clock,
        logger: this.logger,
        recoveryPoint: recoveryPoints.get(dir),
        logStartOffset: logStartOffsets.get(dir),
        cleanShutdown,
        observer: this.observer,
        compacted: this.cleanerManager.hasCleaned(dir),
      });
      this.logs.set(dir, log);
    }).finally(() => progress.cancel());
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    // From here on a crash is unclean again.
    if (cleanShutdown) await this.storage.remove('', CLEAN_SHUTDOWN_FILE);
    this.logger.info({ logs: this.logs.size, cleanShutdown, ms: this.clock.now() - started }, 'logs loaded');
  }

  /** Every 2 s while logs load (a long recovery): how many partitions are ready, of how many. */
  private reportProgress(total: number): ScheduledTask {
    return this.clock.scheduleEvery(LOAD_PROGRESS_INTERVAL_MS, () =>
      this.logger.info({ loaded: this.logs.size, total }, `loading logs: ${this.logs.size} of ${total} partitions ready`),
    );
  }

  /**
   * A partition directory no topic claims. Without data (a create that crashed before its registry
   * entry) it is removed. With data it is renamed `<topic>-<p>.<uuid>-stray` and kept, as Kafka
   * does with stray logs: never served, never deleted behind the operator's back, and out of the
   * way of a new topic of the same name.
   */
  private async setAside(dir: string, topic: string, partition: number): Promise<void> {
    let bytes = 0;
    for (const name of await this.storage.listFiles(dir)) {
      if (name.endsWith(LOG_SUFFIX)) bytes += await this.storage.size(dir, name);
    }
    if (bytes === 0) {
      await this.storage.removeDir(dir);
      this.logger.info({ dir }, 'removed an empty partition directory that no topic claims');
      return;
    }
    const stray = renamedDirName(topic, partition, STRAY_SUFFIX);
    await this.storage.renameDir(dir, stray);
    this.logger.warn({ dir, renamedTo: stray, bytes }, 'partition directory claimed by no topic; set aside as stray (remove it once not needed)');
  }

  /** A missing or unreadable checkpoint means "no information": recovery then starts at offset 0. */
  private async readCheckpoint(name: string): Promise<Map<string, bigint>> {
    const data = await this.storage.readFile('', name);
    const map = new Map<string, bigint>();
    if (!data) return map;
    try {
      for (const e of parseCheckpoint(data)) map.set(partitionDirName(e.topic, e.partition), e.offset);
    } catch (err) {
      this.logger.warn({ err, file: name }, 'ignoring unreadable checkpoint');
      map.clear();
    }
    return map;
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(partitionDirName(topic, partition));
  }

  allLogs(): PartitionLog[] {
    return [...this.logs.values()];
  }

  /** Returns the partition's log, creating an empty one if needed (its topic's settings, then `configOverrides`). */
  async createLog(topic: string, partition: number, configOverrides: Partial<LogConfig> = {}): Promise<PartitionLog> {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, 'log manager is closed');
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `illegal topic name ${JSON.stringify(topic)}`);
    }
    if (!Number.isInteger(partition) || partition < 0) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `illegal partition ${partition}`);
    }
    const dir = partitionDirName(topic, partition);
    const existing = this.logs.get(dir);
    if (existing) return existing;
    const log = await PartitionLog.open({
      storage: this.storage,
      topic,
      partition,
      config: { ...this.configFor(topic), ...configOverrides },
      clock: this.clock,
      logger: this.logger,
      cleanShutdown: true,
      observer: this.observer,
    });
    this.logs.set(dir, log);
    return log;
  }

  /** Deletes every partition of a topic (see `deleteLog`). */
  async deleteLogs(topic: string): Promise<void> {
    const doomed = [...this.logs.values()].filter((l) => l.topic === topic);
    for (const log of doomed) await this.deleteLog(log.topic, log.partition);
  }

  /**
   * Deletes one partition's log. Like Kafka, the directory is first renamed to
   * `<topic>-<partition>.<uuid>-delete` (the topic cut to fit 255 bytes), so a crash midway leaves
   * nothing that looks like a log; the next start removes what remains.
   */
  async deleteLog(topic: string, partition: number): Promise<void> {
    const log = this.getLog(topic, partition);
    if (!log) return;
    this.logs.delete(log.dir);
    // A cleaning pass on it stops first (its swap never half-done), and its checkpoint entry goes.
    await this.cleanerManager.abortCleaning(log.dir);
    await this.cleanerManager.removeCheckpoint(log.dir);
    await log.close().catch((err) => this.logger.warn({ err, dir: log.dir }, 'closing a deleted log failed'));
    const tombstone = renamedDirName(topic, partition, DELETE_SUFFIX);
    await this.storage.renameDir(log.dir, tombstone);
    await this.storage.removeDir(tombstone);
  }

  /** One retention pass over every log; a log that fails (offline) does not stop the others. */
  async runRetention(): Promise<number> {
    let deleted = 0;
    for (const log of this.logs.values()) {
      try {
        deleted += await log.deleteOldSegments();
      } catch (err) {
        this.logger.warn({ err, partition: log.dir }, 'retention skipped a log');
      }
    }
    // The periodic checkpoint retries a failed write (a full disk); retention itself succeeded.
    if (deleted > 0) await this.checkpoint().catch((err) => this.logger.warn({ err }, 'could not write the checkpoints after retention'));
    return deleted;
  }

  /** Drops idempotent-producer state idle longer than producer.id.expiration.ms, in every log. */
  removeExpiredProducers(): number {
    let removed = 0;
    for (const log of this.logs.values()) removed += log.removeExpiredProducers();
    return removed;
  }

  /** Writes the recovery-point and log-start-offset checkpoint files (atomically). */
  async checkpoint(): Promise<void> {
    const logs = [...this.logs.values()];
    const entries = (pick: (l: PartitionLog) => bigint): CheckpointEntry[] =>
      logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: pick(l) }));
    await this.storage.writeFileAtomic('', RECOVERY_POINT_CHECKPOINT, formatCheckpoint(entries((l) => l.recoveryPoint)));
    await this.storage.writeFileAtomic('', LOG_START_OFFSET_CHECKPOINT, formatCheckpoint(entries((l) => l.logStartOffset)));
  }

  /** Closes every log (fsynced), writes the checkpoints and then the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.tasks) t.cancel();
    await this.cleaner?.close(this.logs.values());
    const results = await settleWithLimit([...this.logs.values()], PARALLEL_LOGS, (l) => l.close());
    const checkpointed = await this.checkpoint().then(
      () => true,
      (err) => void this.logger.error({ err }, 'could not write the checkpoints'),
    );
    const clean = checkpointed && results.every((r) => r.status === 'fulfilled') && [...this.logs.values()].every((l) => l.healthy);
    if (clean) await this.storage.writeFileAtomic('', CLEAN_SHUTDOWN_FILE, formatCleanShutdown());
    else this.logger.warn('not writing the clean-shutdown marker: a log or the checkpoints failed; next start will recover');
  }
}
