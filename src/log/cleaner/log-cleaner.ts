/**
 * The log cleaner, after Kafka's LogCleaner: log.cleaner.threads cleaner "threads", each a loop on
 * the injected clock that takes the dirtiest compacted log (cleaner-manager.ts), cleans it
 * (cleaner.ts) with its own executor — a worker thread in the broker, so the event loop that serves
 * produce and fetch only does the I/O — records the new first dirty offset, logs the pass, and
 * sleeps log.cleaner.backoff.ms when no log is dirty enough.
 *
 * Settings are Kafka's (CleanerConfig), read at each pass so dynamic changes apply, except
 * log.cleaner.enable and log.cleaner.threads, read once at start-up.
 */
import type { Logger } from 'pino';
import type { Clock, ScheduledTask } from '../../clock.js';
import type { BrokerConfig } from '../../config/broker-config.js';
import type { PartitionLog } from '../partition-log.js';
import type { Storage } from '../storage.js';
import { Cleaner, CleaningAborted, type CleanerStats, type PassResult } from './cleaner.js';
import { CleanerManager, type LogToClean } from './cleaner-manager.js';
import { InlineExecutor, WorkerExecutor, workerScript, type CleanerExecutor } from './executor.js';
import { Throttler } from './throttler.js';

/** Kafka's CleanerConfig. */
export interface LogCleanerConfig {
  /** log.cleaner.enable */
  enable: boolean;
  /** log.cleaner.threads */
  threads: number;
  /** log.cleaner.dedupe.buffer.size: offset map memory, shared by the threads. */
  dedupeBufferSize: number;
  /** log.cleaner.io.buffer.size: read and write buffers, shared by the threads. */
  ioBufferSize: number;
  /** log.cleaner.io.buffer.load.factor */
  loadFactor: number;
  /** log.cleaner.io.max.bytes.per.second (Infinity: no limit) */
  ioMaxBytesPerSecond: number;
  /** log.cleaner.backoff.ms */
  backoffMs: number;
}

/** The cleaner's settings under Kafka's names, read from the broker config (dynamic values included) at each call. */
export function logCleanerConfig(config: BrokerConfig): () => LogCleanerConfig {
  return () => ({
    enable: config.get('log.cleaner.enable'),
    threads: config.get('log.cleaner.threads'),
    dedupeBufferSize: config.get('log.cleaner.dedupe.buffer.size'),
    ioBufferSize: config.get('log.cleaner.io.buffer.size'),
    loadFactor: config.get('log.cleaner.io.buffer.load.factor'),
    ioMaxBytesPerSecond: config.get('log.cleaner.io.max.bytes.per.second'),
    backoffMs: config.get('log.cleaner.backoff.ms'),
  });
}

export const defaultLogCleanerConfig: Readonly<LogCleanerConfig> = Object.freeze({
  enable: true,
  threads: 1,
  dedupeBufferSize: 128 * 1024 * 1024,
  ioBufferSize: 512 * 1024,
  loadFactor: 0.9,
  ioMaxBytesPerSecond: Infinity,
  backoffMs: 15_000,
});

export interface LogCleanerOptions {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  /** The logs to choose from (the log manager's). */
  logs: () => Iterable<PartitionLog>;
  config: () => LogCleanerConfig;
  manager: CleanerManager;
  /** 'worker' (the broker): each thread's CPU work in a worker thread; 'inline': on the event loop (tests). */
  executors: 'worker' | 'inline';
}

/** What one pass did, for its log line and for tests. */
export interface PassSummary extends PassResult {
  log: string;
  firstDirtyOffset: bigint;
  dirtyRatio: number;
}

const MB = 1024 * 1024;

export class LogCleaner {
  private readonly executors: (CleanerExecutor | undefined)[] = [];
  private readonly cleaners: (Cleaner | undefined)[] = [];
  private readonly timers: (ScheduledTask | undefined)[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private readonly throttler: Throttler;
  private readonly logger: Logger;
  private closed = false;
  private readonly threads: number;

  constructor(private readonly opts: LogCleanerOptions) {
    this.logger = opts.logger.child({ component: 'log-cleaner' });
    this.throttler = new Throttler(opts.clock, () => opts.config().ioMaxBytesPerSecond);
    this.threads = Math.max(0, opts.config().threads);
  }

  get manager(): CleanerManager {
    return this.opts.manager;
  }

  /** Starts the cleaner threads (none when log.cleaner.enable is false or log.cleaner.threads 0). */
  start(): void {
    if (!this.opts.config().enable) return;
    for (let t = 0; t < this.threads; t++) this.schedule(t, 0);
  }

  private schedule(thread: number, delayMs: number): void {
    if (this.closed) return;
    this.timers[thread] = this.opts.clock.schedule(delayMs, () => {
      const pass = this.cleanFilthiestLog(thread).then(
        (summary) => summary !== undefined,
        (err: unknown) => {
          this.logger.error({ err }, 'log cleaner thread failed');
          return false;
        },
      );
      this.running.add(pass);
      void pass.then((cleaned) => {
        this.running.delete(pass);
        this.schedule(thread, cleaned ? 0 : this.opts.config().backoffMs);
      });
    });
  }

  private cleaner(thread: number): Cleaner {
    let cleaner = this.cleaners[thread];
    if (cleaner) return cleaner;
    const script = this.opts.executors === 'worker' ? workerScript() : undefined;
    if (this.opts.executors === 'worker' && !script) this.logger.info('no built worker script (running from sources): cleaning on the event loop');
    const executor = script ? new WorkerExecutor(script) : new InlineExecutor();
    this.executors[thread] = executor;
    cleaner = new Cleaner({
      executor,
      storage: this.opts.storage,
      clock: this.opts.clock,
      throttler: this.throttler,
      manager: this.opts.manager,
      resources: () => {
        const c = this.opts.config();
        const threads = Math.max(1, this.threads);
        return {
          dedupeBufferBytes: Math.floor(c.dedupeBufferSize / threads),
          loadFactor: c.loadFactor,
          readBufferBytes: Math.floor(c.ioBufferSize / threads / 2),
        };
      },
    });
    this.cleaners[thread] = cleaner;
    return cleaner;
  }

  /**
   * One pass of `thread` (Kafka's cleanFilthiestLog): the dirtiest eligible log, cleaned; undefined
   * when none is dirty enough (or the pass was aborted).
   */
  async cleanFilthiestLog(thread = 0): Promise<PassSummary | undefined> {
    if (this.closed) return undefined;
    const { manager } = this.opts;
    const grabbed = await manager.grabFilthiestLog(this.opts.logs(), this.opts.clock.now());
    if (!grabbed) return undefined;
    const { chosen, progress, finish } = grabbed;
    try {
      const result = await this.cleaner(thread).clean(chosen, progress);
      await manager.updateCheckpoint(chosen.log.dir, result.endOffset);
      const summary: PassSummary = { ...result, log: chosen.log.dir, firstDirtyOffset: chosen.firstDirtyOffset, dirtyRatio: chosen.dirtyRatio };
      this.logPass(thread, chosen, summary);
      return summary;
    } catch (err) {
      if (err instanceof CleaningAborted) {
        this.logger.info({ log: chosen.log.dir }, 'cleaning aborted');
        return undefined;
      }
      // Kafka marks such a partition uncleanable and carries on with the others.
      this.logger.error({ err, log: chosen.log.dir }, 'cleaning failed; the log is left uncleaned until restart');
      manager.markUncleanable(chosen.log.dir);
      return undefined;
    } finally {
      finish();
    }
  }

  /** Kafka's recordStats: one log line per pass, with what it read and wrote, and how fast. */
  private logPass(thread: number, ltc: LogToClean, s: PassSummary): void {
    const stats: CleanerStats = s.stats;
    const seconds = Math.max(stats.endMs - stats.startMs, 1) / 1000;
    const mapSeconds = Math.max(stats.mapDoneMs - stats.startMs, 0) / 1000;
    const reduction = stats.bytesRead > 0 ? 1 - stats.bytesWritten / stats.bytesRead : 0;
    this.logger.info(
      {
        thread,
        log: s.log,
        dirtySection: [String(s.firstDirtyOffset), String(s.endOffset)],
        dirtyRatio: Number(ltc.dirtyRatio.toFixed(3)),
        cleanBytes: ltc.cleanBytes,
        cleanableBytes: ltc.cleanableBytes,
        mapBytesRead: stats.mapBytesRead,
        keys: stats.keys,
        bufferUtilization: Number(stats.bufferUtilization.toFixed(4)),
        bytesRead: stats.bytesRead,
        bytesWritten: stats.bytesWritten,
        messagesRead: stats.messagesRead,
        messagesWritten: stats.messagesWritten,
        invalidMessages: stats.invalidMessages,
        segments: stats.segmentsCleaned,
        ms: stats.endMs - stats.startMs,
        mapMs: stats.mapDoneMs - stats.startMs,
      },
      `cleaned log ${s.log} (dirty section [${s.firstDirtyOffset}, ${s.endOffset})): ` +
        `${(stats.bytesRead / MB).toFixed(1)} MB in ${seconds.toFixed(1)} s (${(stats.bytesRead / MB / seconds).toFixed(1)} MB/s), ` +
        `map ${(stats.mapBytesRead / MB).toFixed(1)} MB in ${mapSeconds.toFixed(1)} s, ` +
        `${(100 * reduction).toFixed(1)}% smaller (${stats.messagesRead} → ${stats.messagesWritten} records)`,
    );
    if (stats.invalidMessages > 0) this.logger.warn({ log: s.log, invalidMessages: stats.invalidMessages }, 'found records without a key during compaction');
  }

  /** Stops the threads: passes in progress are aborted (their swaps are all-or-nothing), workers terminated. */
  async close(logs: Iterable<PartitionLog>): Promise<void> {
    this.closed = true;
    for (const t of this.timers) t?.cancel();
    await Promise.all([...logs].map((l) => this.opts.manager.abortCleaning(l.dir)));
    await Promise.all([...this.running]);
    await Promise.all(this.executors.map((e) => e?.close()));
  }
}
