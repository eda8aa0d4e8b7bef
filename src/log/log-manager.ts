/**
 * The log manager of one data directory, after Kafka's LogManager: the owner of every partition log.
 *
 * - At start: reads the checkpoint files and the clean-shutdown marker, opens every partition
 *   directory (each through the LogLoader, recovering after a crash) and finishes interrupted topic
 *   deletions (`-delete` directories).
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
import { FileStorage } from './file-storage.js';
import { MemoryStorage } from './memory-storage.js';
import { PartitionLog, partitionDirName } from './partition-log.js';
import { CleanerManager } from './cleaner/cleaner-manager.js';
import { LogCleaner, type LogCleanerConfig } from './cleaner/log-cleaner.js';
import type { Storage } from './storage.js';

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
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
/** `<topic>-<partition>`; other directories (Kafka's `-delete`, `-future`, `-stray`) are not logs. */
const PARTITION_DIR = /^(.+)-(\d+)$/;

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
    const manager = new LogManager(storage, config, opts.configFor ?? (() => config), clock, logger, cleanerManager);
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
    await Promise.all(
      dirs.map(async (dir) => {
        if (dir.endsWith('-delete')) return this.storage.removeDir(dir); // an interrupted topic deletion
        const m = PARTITION_DIR.exec(dir);
        if (!m || !TOPIC_NAME.test(m[1]!)) return;
        const log = await PartitionLog.open({
          storage: this.storage,
          topic: m[1]!,
          partition: Number(m[2]),
          config: this.configFor(m[1]!),
          clock: this.clock,
          logger: this.logger,
          recoveryPoint: recoveryPoints.get(dir),
          logStartOffset: logStartOffsets.get(dir),
          cleanShutdown,
          compacted: this.cleanerManager.hasCleaned(dir),
        });
        this.logs.set(dir, log);
      }),
    );
    // From here on a crash is unclean again.
    if (cleanShutdown) await this.storage.remove('', CLEAN_SHUTDOWN_FILE);
    this.logger.info({ logs: this.logs.size, cleanShutdown, ms: this.clock.now() - started }, 'logs loaded');
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
    });
    this.logs.set(dir, log);
    return log;
  }

  /**
   * Deletes every partition of a topic. Like Kafka, the directory is first renamed to
   * `<topic>-<partition>.<id>-delete`, so a crash midway leaves nothing that looks like a log.
   */
  async deleteLogs(topic: string): Promise<void> {
    const doomed = [...this.logs.values()].filter((l) => l.topic === topic);
    for (const log of doomed) {
      this.logs.delete(log.dir);
      // A cleaning pass on it stops first (its swap never half-done), and its checkpoint entry goes.
      await this.cleanerManager.abortCleaning(log.dir);
      await this.cleanerManager.removeCheckpoint(log.dir);
      await log.close();
      const tombstone = `${log.dir}.${this.clock.now().toString(16)}${Math.random().toString(16).slice(2, 10)}-delete`;
      await this.storage.renameDir(log.dir, tombstone);
      await this.storage.removeDir(tombstone);
    }
  }

  /** One retention pass over every log. */
  async runRetention(): Promise<number> {
    let deleted = 0;
    for (const log of this.logs.values()) deleted += await log.deleteOldSegments();
    if (deleted > 0) await this.checkpoint();
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
    const results = await Promise.allSettled([...this.logs.values()].map((l) => l.close()));
    await this.checkpoint();
    const clean = results.every((r) => r.status === 'fulfilled') && [...this.logs.values()].every((l) => l.healthy);
    if (clean) await this.storage.writeFileAtomic('', CLEAN_SHUTDOWN_FILE, formatCleanShutdown());
    else this.logger.warn('not writing the clean-shutdown marker: a log failed; next start will recover');
  }
}
