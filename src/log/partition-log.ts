/**
 * The log of one partition while it runs, after Kafka's UnifiedLog and LocalLog: append (offsets
 * assigned synchronously, bytes written by an ordered queue), segment roll, reads (up to the high
 * watermark, or up to the last stable offset with the aborted transactions for read_committed),
 * flush policy, retention and DeleteRecords, going offline and coming back after a storage failure,
 * and close. Opening the directory and crash recovery are the LogLoader's job (log-loader.ts); one
 * segment's files are Segment's (segment.ts).
 */
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { monotonicNow, type Clock, type ScheduledTask } from '../clock.js';
import {
  batchSizeAt,
  lastOffsetDeltaAt,
  maxTimestampAt,
  PRODUCER_ID,
  recordsCountAt,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateBatch,
} from '../codec/record-batch.js';
import { NEVER, type LogConfig } from '../config/log-config.js';
import type { LogObserver } from '../observe/observer.js';
import { LogLoader } from './log-loader.js';
import { encodeSnapshot, parseSnapshotOffset, snapshotFileName } from './producer-snapshot.js';
import { ProducerStateManager, type AppendOrigin, type ProducerStateEntry } from './producer-state.js';
import type { ActiveProducer } from './cleaner/core.js';
import { CLEANED_SUFFIX, Segment, SEGMENT_SUFFIXES, segmentFileName, SWAP_SUFFIX, type SegmentOptions } from './segment.js';
import type { Storage } from './storage.js';
import { validateRecords } from './timestamp-validation.js';
import { abortedTxnOf, type AbortedTxn } from './txn-index.js';
import { WriteQueue } from './write-queue.js';

export interface AppendOptions {
  /** The broker time to stamp when the topic uses LogAppendTime (defaults to the clock). */
  logAppendTimeMs?: number;
  /** Leader epoch stamped into each batch (Kafka's leader does the same). */
  leaderEpoch?: number;
  /**
   * 'coordinator' for the broker's own appends: transaction markers (control batches, refused from
   * clients) and the group coordinator's transactional offset commits (no sequence checks).
   */
  origin?: AppendOrigin;
}

/** Kafka's isolation levels: read_uncommitted reads to the high watermark, read_committed to the LSO. */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export interface ReadOptions {
  /** Return the first batch whole even when larger than `maxBytes` (KIP-74); default true. */
  minOneMessage?: boolean;
  /** read_committed stops at the last stable offset and lists the aborted transactions; default read_uncommitted. */
  isolation?: IsolationLevel;
  /** Supplies the buffers read into (a fetch's ReadLease); default a fresh buffer per read. */
  alloc?: (size: number) => Buffer;
}

/**
 * An append that has its offsets: returned synchronously by `startAppend`, before any I/O. For a
 * retried idempotent batch, the offsets are the original's.
 */
export interface AppendTicket {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  /** Settles once the bytes are written (and fsynced, when the flush policy asks); rejects with a KafkaError. */
  readonly done: Promise<AppendResult>;
}

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  /** The stamped time with LogAppendTime, -1n with CreateTime. */
  logAppendTime: bigint;
  logStartOffset: bigint;
}

export interface ReadResult {
  /** Whole batches, ready to go in a Fetch response; empty when there is nothing to read. */
  records: Buffer;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  /** read_committed only: the aborted transactions overlapping `records` (Fetch's aborted_transactions). */
  abortedTransactions?: AbortedTxn[];
}

export interface PartitionLogOptions {
  storage: Storage;
  topic: string;
  partition: number;
  config: LogConfig;
  clock: Clock;
  logger: Logger;
  /** Offsets below this were fsynced before the last shutdown (from the checkpoint file). */
  recoveryPoint?: bigint;
  logStartOffset?: bigint;
  /** True when the data directory carries the clean-shutdown marker. */
  cleanShutdown: boolean;
  /** The cleaner has compacted this log before (it has a cleaner-offset-checkpoint entry): offsets may have gaps. */
  compacted?: boolean;
  /** Told about appends, rolls, deletions and flushes (metrics); src/observe/observer.ts. */
  observer?: LogObserver;
}

/**
 * A queued append: the write queue's job and, seen through `AppendTicket`, the caller's ticket. One
 * object and one Promise per append.
 */
class WriteJob implements AppendTicket {
  readonly kind = 'write';
  readonly done: Promise<AppendResult>;
  reject!: (err: unknown) => void;
  private settle!: (result: AppendResult) => void;

  constructor(
    private readonly log: PartitionLog,
    readonly segment: Segment,
    readonly buffer: Buffer,
    readonly messages: number,
    /** Segment size and log end offset once this job's bytes are in the file. */
    readonly endPosition: number,
    readonly nextOffset: bigint,
    readonly baseOffset: bigint,
    readonly lastOffset: bigint,
    private readonly logAppendTime: number,
  ) {
    this.done = new Promise<AppendResult>((resolve, reject) => {
      this.settle = resolve;
      this.reject = reject;
    });
  }

  resolve(): void {
    const { baseOffset, lastOffset } = this;
    this.settle({ baseOffset, lastOffset, logAppendTime: BigInt(this.logAppendTime), logStartOffset: this.log.logStartOffset });
  }
}
type TaskJob = { kind: 'task'; run: () => Promise<void>; resolve(): void; reject(err: unknown): void };
type Job = WriteJob | TaskJob;

const EMPTY = Buffer.alloc(0);
/** After a storage failure, the first attempt to come back waits this long; each failure doubles it... */
const RECOVERY_BACKOFF_MS = 1000;
/** ... up to this. */
const MAX_RECOVERY_BACKOFF_MS = 30_000;
/**
 * Queued appends are merged into writes of up to this many bytes: big enough to amortize the
 * syscall, small enough that the first append of a group is not held up behind megabytes of others.
 */
const MAX_WRITE_BYTES = 4 * 1024 * 1024;

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * The log of one partition: an ordered list of segments, the last one active. Appends get their
 * offsets synchronously, in call order (`startAppend`), and their bytes are written by one ordered
 * queue per partition that merges queued appends into one write. The high watermark moves only after a write
 * completes, so every offset below it can be read.
 */
export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  logStartOffset: bigint;
  /** Offsets below this are readable (on one broker, the log end offset once written). */
  highWatermark: bigint;
  /** Offsets below this are known to be fsynced; recovery after a crash starts there. */
  recoveryPoint: bigint;

  private segments: Segment[] = [];
  private config: LogConfig;
  /** Offset the next appended batch gets: the log end offset, including queued appends. */
  private nextOffset = 0n;
  private readonly queue = new WriteQueue<Job>(
    (jobs) => this.process(jobs),
    (a, b) => a.kind === 'write' && b.kind === 'write' && a.segment === b.segment,
    (job) => (job.kind === 'write' ? job.buffer.length : 0),
    MAX_WRITE_BYTES,
  );
  private readonly listeners = new Set<() => void>();
  private unflushedMessages = 0;
  private flushTimer: ScheduledTask | undefined;
  /** fsyncs of rolled segments, chained so recovery point only passes durable segments. */
  private sealing: Promise<void> = Promise.resolve();
  private readonly pendingRemovals = new Map<Segment, ScheduledTask>();
  private failure: KafkaError | undefined;
  private closed = false;
  /** False while the files are as a clean close left them: close then has nothing to write. */
  private changed = true;
  /** Storage failures since the last successful write: the backoff before the next attempt to come back. */
  private failures = 0;
  private recoveryTimer: ScheduledTask | undefined;
  private recovering: Promise<void> | undefined;
  /** Idempotent producers' sequence windows, up to the log end offset (queued appends included). */
  private readonly producers = new ProducerStateManager();
  private readonly storage: Storage;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** The cleaner has rewritten (or may have rewritten) segments: offsets may jump between batches. */
  private compacted: boolean;
  private readonly observer: LogObserver | undefined;

  private constructor(opts: PartitionLogOptions) {
    this.topic = opts.topic;
    this.partition = opts.partition;
    this.dir = partitionDirName(opts.topic, opts.partition);
    this.config = { ...opts.config };
    this.storage = opts.storage;
    this.clock = opts.clock;
    this.logger = opts.logger.child({ partition: this.dir });
    this.observer = opts.observer;
    this.logStartOffset = this.highWatermark = this.recoveryPoint = 0n;
    this.compacted = opts.compacted ?? false;
  }

  /** Opens (or creates) the partition directory: fast after a clean shutdown, recovering otherwise. */
  static async open(opts: PartitionLogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(opts);
    const loaded = await new LogLoader({
      storage: log.storage,
      dir: log.dir,
      config: log.config,
      clock: log.clock,
      logger: log.logger,
      producers: log.producers,
      segmentOptions: (baseOffset) => log.segmentOptions(baseOffset),
      cleanShutdown: opts.cleanShutdown,
      recoveryPoint: opts.recoveryPoint,
      logStartOffset: opts.logStartOffset,
      offsetGaps: log.offsetGaps,
    }).load();
    log.segments = loaded.segments;
    log.nextOffset = log.highWatermark = loaded.nextOffset;
    log.recoveryPoint = loaded.recoveryPoint;
    log.logStartOffset = loaded.logStartOffset;
    log.changed = !loaded.untouched;
    return log;
  }

  get logEndOffset(): bigint {
    return this.nextOffset;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private segmentOptions(baseOffset: bigint): SegmentOptions {
    return {
      storage: this.storage,
      dir: this.dir,
      baseOffset,
      settings: () => this.config,
      offsetGaps: () => this.offsetGaps,
      nowMs: this.clock.now(),
      logger: this.logger,
    };
  }

  /** Whether offsets may jump forward between batches: the log is compacted, or was. */
  private get offsetGaps(): boolean {
    return this.compacted || this.config.compact;
  }

  // ----------------------------------------------------------------------------- producer state

  /** Writes the producer state as of now (all appends so far) as `<logEndOffset>.snapshot`, after queued writes. */
  private snapshotProducers(): Promise<void> {
    const offset = this.nextOffset;
    const data = encodeSnapshot(this.producers.entries());
    return this.runTask(() => this.storage.writeFileAtomic(this.dir, snapshotFileName(offset), data));
  }

  /** Deletes snapshots below the first segment: the batches they describe are gone (Kafka does the same). */
  private async deleteSnapshotsBefore(offset: bigint): Promise<void> {
    for (const name of await this.storage.listFiles(this.dir)) {
      const o = parseSnapshotOffset(name);
      if (o !== undefined && o < offset) await this.storage.remove(this.dir, name);
    }
  }

  /** The idempotent producers this partition tracks (DescribeProducers). */
  activeProducers(): ProducerStateEntry[] {
    return [...this.producers.entries()];
  }

  /** producer.id.expiration.ms: forgets producers idle that long. Returns how many. */
  removeExpiredProducers(): number {
    return this.producers.removeExpired(this.clock.now(), this.config.producerIdExpirationMs);
  }

  // ----------------------------------------------------------------------------- append

  /**
   * Appends record batches (one or more concatenated v2 batches; a Produce request brings exactly
   * one per partition, which its handler checks as Kafka does): all are validated — headers, and
   * timestamps as `timestamp-validation.ts` explains — before anything changes, then get their
   * offsets and are queued for writing, and the ticket carries the offsets and a promise for the
   * write. Throws a KafkaError, writing nothing, when a batch is refused.
   *
   * Synchronous by signature: offsets must be assigned in call order, with no await between the
   * checks and the assignment, or pipelined requests and racing producers would interleave. The
   * return type is not a Promise, so this method cannot be made `async` (TypeScript refuses an async
   * method whose return type is not a Promise) and nothing inside it can await.
   *
   * The buffer is modified in place (offsets, leader epoch, LogAppendTime, a repaired maxTimestamp)
   * and must not be reused.
   */
  startAppend(records: Buffer, opts: AppendOptions = {}): AppendTicket {
    if (this.failure) throw this.failure;
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is closed`);
    const config = this.config;
    if (records.length === 0) throw new KafkaError(ErrorCode.INVALID_RECORD, 'no record batch');
    if (records.length > config.segmentBytes) {
      throw new KafkaError(ErrorCode.RECORD_LIST_TOO_LARGE, `${records.length} bytes exceed segment.bytes`);
    }

    // 1. Validate every batch first: a request is written whole or not at all.
    let messages = 0;
    let maxTimestamp = -1;
    let offsetCount = 0n;
    let idempotent = false;
    const origin = opts.origin ?? 'client';
    // One clock read per append (timestamp bounds, LogAppendTime, segment.ms): on some machines it is a syscall.
    const now = this.clock.now();
    for (let pos = 0; pos < records.length;) {
      const code = validateBatch(records, pos, records.length, origin === 'coordinator');
      if (code !== 0) throw new KafkaError(code, `invalid record batch at byte ${pos}`);
      const size = batchSizeAt(records, pos);
      if (size > config.maxMessageBytes) {
        throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${size} bytes exceeds max.message.bytes`);
      }
      // Header-only unless the header's timestamps cannot be trusted, a bound needs the records, or the topic is compacted (keys).
      validateRecords(records, pos, config, now, this.dir);
      messages += recordsCountAt(records, pos);
      offsetCount += BigInt(lastOffsetDeltaAt(records, pos) + 1);
      maxTimestamp = Math.max(maxTimestamp, maxTimestampAt(records, pos));
      if (records.readInt32BE(pos + PRODUCER_ID) >= 0) idempotent = true; // sign of the int64, no BigInt
      pos += size;
    }

    // 2. Idempotent producers: sequence and epoch checks, now, in the tick offsets are assigned, so
    // pipelined retries are judged in arrival order. A duplicate is answered with the original's
    // offsets once everything queued before it is written, and nothing is appended.
    const appendTime = config.messageTimestampType === 'LogAppendTime' ? (opts.logAppendTimeMs ?? now) : -1;
    const baseOffset = this.nextOffset;
    const producerCheck = idempotent ? this.producers.check(records, baseOffset, appendTime, origin) : undefined;
    if (producerCheck?.kind === 'duplicate') {
      const { firstOffset, lastOffset, timestamp } = producerCheck.batch;
      const done = this.runTask(async () => ({
        baseOffset: firstOffset,
        lastOffset,
        logAppendTime: appendTime >= 0 ? BigInt(timestamp) : -1n,
        logStartOffset: this.logStartOffset,
      }));
      return { baseOffset: firstOffset, lastOffset, done };
    }

    // 3. Choose the segment: roll first if these bytes should not go in the active one.
    const lastOffset = baseOffset + offsetCount - 1n;
    const segment = this.maybeRoll(records.length, appendTime >= 0 ? appendTime : maxTimestamp, lastOffset, now);

    // 4. Stamp what the broker owns (offsets, leader epoch, LogAppendTime) and account for each batch.
    const epoch = opts.leaderEpoch ?? 0;
    let next = baseOffset;
    for (let pos = 0; pos < records.length;) {
      const size = batchSizeAt(records, pos);
      if (appendTime >= 0) setLogAppendTime(records, pos, appendTime);
      setBaseOffset(records, pos, next);
      setPartitionLeaderEpoch(records, pos, epoch);
      next += BigInt(lastOffsetDeltaAt(records, pos) + 1);
      segment.add(size, next - 1n, maxTimestampAt(records, pos));
      pos += size;
    }
    this.nextOffset = next;
    if (producerCheck) {
      for (const update of producerCheck.updates) {
        const completed = this.producers.apply(update);
        if (!completed) continue;
        // A marker: its transaction holds the LSO until the marker is written, and an aborted one
        // goes into the aborted-transaction index of the segment the marker lands in.
        this.producers.holdUntilWritten(completed);
        if (completed.aborted) segment.addAbortedTxn(abortedTxnOf(completed));
      }
    }

    const job = new WriteJob(this, segment, records, messages, segment.size, next, baseOffset, lastOffset, appendTime);
    this.queue.push(job);
    this.observer?.appended(this.topic, this.partition, records.length, messages);
    return job;
  }

  /** `startAppend` for callers that only need the outcome: a refusal becomes a rejection. */
  append(records: Buffer, opts: AppendOptions = {}): Promise<AppendResult> {
    try {
      return this.startAppend(records, opts).done;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Kafka's roll triggers: segment.bytes, segment.ms, a full index, or an offset too far for int32. */
  private maybeRoll(bytes: number, maxTimestamp: number, lastOffset: bigint, now: number): Segment {
    const segment = this.active;
    const { segmentBytes, compact, maxCompactionLagMs } = this.config;
    // Kafka's LogConfig.maxSegmentMs: a compacted log also rolls by max.compaction.lag.ms, since the
    // active segment is never cleaned.
    const segmentMs = compact ? Math.min(this.config.segmentMs, maxCompactionLagMs) : this.config.segmentMs;
    const reason =
      segment.size > 0 && segment.size + bytes > segmentBytes
        ? 'segment.bytes'
        : segment.size > 0 && segment.timeWaitedForRoll(now, maxTimestamp) > segmentMs
          ? 'segment.ms'
          : segment.indexFull
            ? 'index full'
            : !segment.canHoldOffset(lastOffset)
              ? 'relative offset overflow'
              : undefined;
    if (reason === undefined) return segment;
    // As Kafka: a producer snapshot at every roll, named by the new segment's base offset, so a
    // restart replays at most the active segment.
    this.snapshotProducers().catch(() => {}); // failure is recorded by process()
    const rolled = Segment.create(this.segmentOptions(this.nextOffset));
    this.segments.push(rolled);
    this.logger.info({ baseOffset: rolled.baseOffset, reason }, 'rolled segment');
    this.observer?.rolled(this.topic, this.partition, rolled.baseOffset, reason);
    // Seal the old segment after its queued writes; fsync it in the background (as Kafka does), so
    // appends to the new segment do not wait for it.
    this.runTask(async () => {
      await segment.seal();
      this.sealing = this.sealing.then(async () => {
        await segment.sync();
        this.recoveryPoint = max(this.recoveryPoint, rolled.baseOffset);
      });
      this.sealing.catch((err) => this.fail(err));
    }).catch(() => {}); // failure is recorded by process(); appends will report it
    return rolled;
  }

  /** Runs `run` in order with the appends: after every append queued before it. */
  private runTask<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let result: T;
      this.queue.push({ kind: 'task', run: async () => void (result = await run()), resolve: () => resolve(result), reject });
    });
  }

  private async process(jobs: Job[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.changed = true;
    const first = jobs[0]!;
    try {
      if (first.kind === 'task') return await first.run();
      const writes = jobs as WriteJob[];
      const last = writes[writes.length - 1]!;
      await first.segment.write(writes.map((j) => j.buffer));
      for (const j of writes) this.unflushedMessages += j.messages;
      if (this.unflushedMessages >= this.config.flushIntervalMessages) await this.flushSegment(first.segment, last.nextOffset);
      else this.scheduleTimedFlush();
      first.segment.readableSize = last.endPosition;
      this.highWatermark = last.nextOffset;
      this.producers.onHighWatermark(this.highWatermark);
      this.failures = 0;
    } catch (err) {
      throw this.fail(err);
    }
    for (const listener of this.listeners) listener();
  }

  // ----------------------------------------------------------------------------- storage failures

  /**
   * A storage failure (a full disk, an I/O error) takes the partition offline, as Kafka takes a
   * failed log directory offline: appends, reads and queued writes answer 56 KAFKA_STORAGE_ERROR.
   * Kafka then needs a restart; Tafka retries by itself (`comeBack`) after a backoff.
   */
  private fail(err: unknown): KafkaError {
    if (err instanceof KafkaError) return err;
    if (!this.failure) {
      this.failures++;
      this.failure = new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `storage error in ${this.dir}: ${String(err)}`);
      this.logger.error({ err, retryInMs: this.backoffMs() }, 'log write failed; the partition is offline until its storage accepts writes again');
      this.scheduleComeBack();
    }
    return this.failure;
  }

  private backoffMs(): number {
    return Math.min(MAX_RECOVERY_BACKOFF_MS, RECOVERY_BACKOFF_MS * 2 ** Math.max(0, this.failures - 1));
  }

  private scheduleComeBack(): void {
    if (this.closed || this.recoveryTimer || this.recovering) return;
    this.recoveryTimer = this.clock.schedule(this.backoffMs(), () => {
      this.recoveryTimer = undefined;
      this.recovering = this.comeBack()
        .then(
          () => this.logger.info({ logEndOffset: this.nextOffset }, 'partition back online after a storage failure'),
          (err) => {
            this.failures++;
            this.logger.warn({ err, retryInMs: this.backoffMs() }, 'partition still offline: its storage refuses writes');
          },
        )
        .finally(() => {
          this.recovering = undefined;
          if (this.failure) this.scheduleComeBack();
        });
    });
  }

  /**
   * Reopens the partition from disk as after a crash, without what was never acknowledged: the
   * failed write's bytes (whole or torn) and segments rolled after it are cut off at the high
   * watermark, then the LogLoader re-validates from the recovery point, rebuilds the indexes and
   * the producer state (so a retried idempotent batch is judged against what is really in the log).
   * It succeeds only when the disk takes a write again: its last step writes a producer snapshot at
   * the recovered log end (which also keeps the next start fast).
   */
  private async comeBack(): Promise<void> {
    await this.queue.whenIdle();
    await this.sealing.catch(() => {});
    const acknowledged = this.highWatermark;
    const holding = this.segmentIndexFor(acknowledged, this.segments);
    await Promise.all(this.segments.map((s) => s.close()));
    await this.segments[holding]!.truncateLog(this.segments[holding]!.readableSize);
    for (const s of this.segments.slice(holding + 1)) {
      await s.markDeleted();
      await s.removeFiles();
    }
    this.producers.clear();
    const loaded = await new LogLoader({
      storage: this.storage,
      dir: this.dir,
      config: this.config,
      clock: this.clock,
      logger: this.logger,
      producers: this.producers,
      segmentOptions: (baseOffset) => this.segmentOptions(baseOffset),
      cleanShutdown: false,
      recoveryPoint: this.recoveryPoint < acknowledged ? this.recoveryPoint : acknowledged,
      logStartOffset: this.logStartOffset,
    }).load();
    if (loaded.nextOffset !== acknowledged) {
      this.logger.error({ acknowledged, found: loaded.nextOffset }, 'the log on disk does not end where the acknowledged writes did');
    }
    try {
      await this.storage.writeFileAtomic(this.dir, snapshotFileName(loaded.nextOffset), encodeSnapshot(this.producers.entries()));
    } catch (err) {
      await Promise.allSettled(loaded.segments.map((s) => s.close()));
      throw err;
    }
    this.segments = loaded.segments;
    this.nextOffset = this.highWatermark = loaded.nextOffset;
    this.recoveryPoint = loaded.recoveryPoint;
    this.logStartOffset = max(this.logStartOffset, loaded.logStartOffset);
    this.unflushedMessages = 0;
    this.sealing = Promise.resolve();
    this.failure = undefined;
    for (const listener of this.listeners) listener();
  }

  // ----------------------------------------------------------------------------- durability

  /** fsync everything written to `segment`, after the rolled segments before it. */
  private async flushSegment(segment: Segment, upTo: bigint): Promise<void> {
    await this.sealing;
    const started = monotonicNow();
    await segment.sync();
    this.observer?.flushed(this.topic, this.partition, monotonicNow() - started);
    this.unflushedMessages = 0;
    this.recoveryPoint = max(this.recoveryPoint, upTo);
  }

  /** flush.ms: unflushed data gets an fsync at most that long after it was written. */
  private scheduleTimedFlush(): void {
    if (this.flushTimer || this.config.flushIntervalMs >= NEVER) return;
    this.flushTimer = this.clock.schedule(this.config.flushIntervalMs, () => {
      this.flushTimer = undefined;
      this.flush().catch(() => {});
    });
  }

  /** fsync everything appended so far. */
  flush(): Promise<void> {
    return this.runTask(() => this.flushSegment(this.active, this.highWatermark));
  }

  // ----------------------------------------------------------------------------- read

  /**
   * The last stable offset (LSO): offsets below it hold no data of an undecided transaction, so a
   * read_committed consumer may read them. The first offset of the oldest open transaction, or the
   * high watermark when there is none (or it is lower); never below the log start offset, which
   * DeleteRecords may have moved past an open transaction (as Kafka's firstUnstableOffset).
   */
  get lastStableOffset(): bigint {
    const hw = this.highWatermark;
    const first = this.producers.firstUnstableOffset();
    if (first === undefined || first >= hw) return hw;
    return first < this.logStartOffset ? this.logStartOffset : first;
  }

  /**
   * Whole batches starting with the one that holds `offset`, up to `maxBytes`, never past the high
   * watermark — nor, with read_committed, past the last stable offset, and then with the aborted
   * transactions the batches overlap. With `minOneMessage` (Kafka's name) the first batch is returned
   * whole even if larger, so a consumer always progresses (KIP-74); Fetch grants that to the first
   * partition with data only. One segment per call, as in Kafka. Throws OFFSET_OUT_OF_RANGE below
   * the log start offset or beyond the log end offset. `alloc` supplies the buffers read into (a
   * fetch's ReadLease): the records returned may live in them, so they must stay untouched until
   * the caller is done.
   */
  async read(offset: bigint, maxBytes: number, opts: ReadOptions = {}): Promise<ReadResult> {
    if (this.failure) throw this.failure;
    this.checkOffsetInRange(offset);
    const { minOneMessage = true, isolation = 'read_uncommitted', alloc } = opts;
    const committed = isolation === 'read_committed';
    // Read once: both move while this read awaits, and the answer must be consistent with the bytes.
    const highWatermark = this.highWatermark;
    const lastStableOffset = this.lastStableOffset;
    const limit = committed ? lastStableOffset : highWatermark;
    const result: ReadResult = { records: EMPTY, highWatermark, lastStableOffset, logStartOffset: this.logStartOffset };
    if (committed) result.abortedTransactions = [];
    // Nothing could fit: answer without touching the files (a fetch whose budget is spent).
    if (offset < limit && (maxBytes > 0 || minOneMessage)) {
      const segments = this.segments;
      for (let i = this.segmentIndexFor(offset, segments); i < segments.length; i++) {
        const segment = segments[i]!;
        let found: { records: Buffer; nextOffset: bigint } | undefined;
        try {
          found = await segment.read(offset, maxBytes, minOneMessage, committed ? limit : undefined, alloc);
        } catch (err) {
          if (this.replacedByCleaning(segment, offset)) return this.read(offset, maxBytes, opts);
          // Retention removed the segment under our feet: the offset is now before the log start.
          if (segment.deleted) this.checkOffsetInRange(offset, true);
          throw err;
        }
        // A segment the cleaner replaced meanwhile may be closed already: read the current ones.
        if (!found && this.replacedByCleaning(segment, offset)) return this.read(offset, maxBytes, opts);
        if (!found) continue;
        result.records = found.records;
        result.logStartOffset = this.logStartOffset;
        if (committed) result.abortedTransactions = await this.collectAbortedTxns(offset, found.nextOffset, segments, i);
        break;
      }
    }
    return result;
  }

  /**
   * Kafka's collectAbortedTransactions: the aborted transactions overlapping [offset, upperBound),
   * from the `.txnindex` of the segment holding `offset` and those after it (a transaction's ABORT
   * marker comes after its data), stopping once an entry's LSO shows none later can overlap.
   */
  private async collectAbortedTxns(offset: bigint, upperBound: bigint, segments: Segment[], from: number): Promise<AbortedTxn[]> {
    const out: AbortedTxn[] = [];
    for (let i = from; i < segments.length; i++) {
      const { found, complete } = await segments[i]!.collectAbortedTxns(offset, upperBound);
      out.push(...found);
      if (complete) break;
    }
    return out;
  }

  /** Whether `segment` left the log through a cleaner's swap (not retention) while `offset` was being read. */
  private replacedByCleaning(segment: Segment, offset: bigint): boolean {
    return segment.deleted && offset >= this.logStartOffset && !this.segments.includes(segment);
  }

  private checkOffsetInRange(offset: bigint, deleted = false): void {
    if (deleted || offset < this.logStartOffset || offset > this.nextOffset) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is outside [${this.logStartOffset}, ${this.nextOffset}] of ${this.dir}`,
      );
    }
  }

  /** Binary search: the last segment whose base offset <= offset. */
  private segmentIndexFor(offset: bigint, segments: Segment[]): number {
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * ListOffsets by timestamp (Kafka's `UnifiedLog.fetchOffsetByTimestamp`): the first record at or
   * after the log start offset whose timestamp is >= `timestamp`, with that record's timestamp;
   * null when there is none, or when it is not yet readable (at or past the high watermark).
   */
  async offsetForTimestamp(timestamp: bigint): Promise<{ offset: bigint; timestamp: bigint } | null> {
    if (this.failure) throw this.failure;
    const target = Number(timestamp);
    for (const segment of this.segments) {
      await segment.loadIndexes();
      if (segment.maxTimestamp < target) continue;
      const found = await segment.findOffsetByTimestamp(target, this.logStartOffset);
      if (found) return this.readable(found);
    }
    return null;
  }

  /**
   * ListOffsets MAX_TIMESTAMP (KIP-734): the first record holding the largest timestamp of the log,
   * in the first segment that has it; null for an empty log.
   */
  async maxTimestampOffset(): Promise<{ offset: bigint; timestamp: bigint } | null> {
    let latest: Segment | undefined;
    if (this.failure) throw this.failure;
    for (const segment of this.segments) {
      await segment.loadIndexes();
      if (!latest || segment.maxTimestamp > latest.maxTimestamp) latest = segment;
    }
    const found = await latest?.findMaxTimestampRecord();
    return found ? this.readable(found) : null;
  }

  /** As Kafka's ListOffsets: an answer at or past the high watermark is no answer. */
  private readable(found: { offset: bigint; timestamp: number }): { offset: bigint; timestamp: bigint } | null {
    return found.offset < this.highWatermark ? { offset: found.offset, timestamp: BigInt(found.timestamp) } : null;
  }

  // ----------------------------------------------------------------------------- retention

  /**
   * DeleteRecords: moves the log start offset up to `offset` (-1 = the high watermark) and deletes
   * segments that now lie wholly before it. Returns the new log start offset (the "low watermark").
   */
  async deleteRecordsBefore(offset: bigint): Promise<bigint> {
    const target = offset === -1n ? this.highWatermark : offset;
    if (target < 0n || target > this.highWatermark) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `cannot delete before ${offset}: high watermark is ${this.highWatermark}`);
    }
    if (target > this.logStartOffset) this.logStartOffset = target;
    await this.runTask(() => this.deleteOldestWhile(async (_, next) => next.baseOffset <= this.logStartOffset));
    return this.logStartOffset;
  }

  /**
   * One retention pass, as Kafka's: segments whose newest timestamp is older than retention.ms, then
   * the oldest segments while the partition exceeds retention.bytes, then segments before the log
   * start offset. Never the active segment. Returns how many segments were deleted.
   */
  deleteOldSegments(): Promise<number> {
    return this.runTask(async () => {
      const { retentionMs, retentionBytes } = this.config;
      const now = this.clock.now();
      let deleted = 0;
      if (retentionMs >= 0) deleted += await this.deleteOldestWhile(async (s) => now - (await s.largestTimestamp()) > retentionMs);
      if (retentionBytes >= 0) {
        let excess = this.sizeInBytes() - retentionBytes;
        deleted += await this.deleteOldestWhile(async (s) => {
          if (excess < s.size) return false;
          excess -= s.size;
          return true;
        });
      }
      deleted += await this.deleteOldestWhile(async (_, next) => next.baseOffset <= this.logStartOffset);
      return deleted;
    });
  }

  private async deleteOldestWhile(shouldDelete: (segment: Segment, next: Segment) => Promise<boolean>): Promise<number> {
    let deleted = 0;
    while (this.segments.length > 1) {
      const [segment, next] = this.segments as [Segment, Segment];
      // Kafka deletes only below the high watermark; Tafka also keeps every segment holding data of
      // an undecided transaction (even below a log start offset DeleteRecords moved), until its
      // marker decides it.
      if (next.baseOffset > (this.producers.firstUnstableOffset() ?? this.highWatermark) || next.baseOffset > this.highWatermark) break;
      if (!(await shouldDelete(segment, next))) break;
      // A new array, so reads iterating the old one are not disturbed.
      this.segments = this.segments.slice(1);
      this.logStartOffset = max(this.logStartOffset, next.baseOffset);
      await segment.markDeleted();
      this.scheduleRemoval(segment);
      deleted++;
    }
    if (deleted > 0) {
      this.logger.info({ deleted, logStartOffset: this.logStartOffset }, 'deleted old segments');
      this.observer?.segmentsDeleted(this.topic, this.partition, deleted);
      await this.deleteSnapshotsBefore(this.segments[0]!.baseOffset);
    }
    return deleted;
  }

  /** `.deleted` files linger for file.delete.delay.ms so reads already in progress can finish. */
  private scheduleRemoval(segment: Segment): void {
    const remove = () => {
      this.pendingRemovals.delete(segment);
      segment.removeFiles().catch((err) => this.logger.warn({ err }, 'could not remove deleted segment'));
    };
    this.pendingRemovals.set(segment, this.clock.schedule(this.config.fileDeleteDelayMs, remove));
  }

  // ----------------------------------------------------------------------------- the log cleaner's hooks

  /** What the cleaner (src/log/cleaner/) plans a pass from: the segments, oldest first, the last one active. */
  segmentsForCleaning(): readonly Segment[] {
    return this.segments;
  }

  /** Kafka's lastRecordsOfActiveProducers: the batch holding each producer's last sequence must survive cleaning. */
  activeProducersForCleaning(): ActiveProducer[] {
    return [...this.producers.entries()].map((e) => ({
      producerId: e.producerId,
      lastDataOffset: e.batches.length > 0 ? Number(e.batches[e.batches.length - 1]!.lastOffset) : undefined,
      epoch: e.epoch,
    }));
  }

  /**
   * Kafka's collectAbortedTransactions: the aborted transactions overlapping [from, to), from the
   * segments' aborted-transaction indexes. THE place where cleaning learns which transactional
   * batches were aborted (core.ts drops their records, and their ABORT markers once empty).
   * The cleaner never passes the last stable offset (`lastStableOffset`, above), so every
   * transaction it judges is decided.
   */
  collectAbortedTransactions(from: bigint, to: bigint): Promise<AbortedTxn[]> {
    const segments = this.segments;
    return this.collectAbortedTxns(from, to, segments, this.segmentIndexFor(from, segments));
  }

  /**
   * The cleaner will swap rewritten segments in: from now on offsets may have gaps (recovery must
   * not take one for damage). The cleaner records this durably first (cleaner-offset-checkpoint).
   */
  markCompacted(): void {
    this.compacted = true;
  }

  /**
   * Swaps the cleaned segment written as `<base>.*.cleaned` (base = the first old segment's) in
   * for `old`, consecutive segments below the active one — crash-safely, in Kafka's order
   * (LocalLog.replaceSegments): the cleaned files become `.swap`, the old segments become
   * `.deleted` (removed after file.delete.delay.ms, so reads in flight finish), the `.swap` files
   * lose their suffix. A crash at any step leaves files the LogLoader completes or undoes.
   *
   * Runs in the write queue, in order with appends, rolls and retention, so the segment list has
   * one writer. Returns false, changing nothing, when `old` are no longer all in the log (retention
   * or DeleteRecords removed some meanwhile); the caller then discards the cleaned files.
   */
  replaceSegments(old: readonly Segment[]): Promise<boolean> {
    return this.runTask(async () => {
      const at = this.segments.indexOf(old[0]!);
      const inPlace = at >= 0 && at + old.length < this.segments.length && old.every((s, i) => this.segments[at + i] === s);
      if (!inPlace) return false;
      const base = old[0]!.baseOffset;
      const file = (suffix: string) => segmentFileName(base, suffix);
      for (const suffix of SEGMENT_SUFFIXES) await this.storage.rename(this.dir, file(suffix) + CLEANED_SUFFIX, file(suffix) + SWAP_SUFFIX);
      for (const s of old) await s.markDeleted();
      for (const suffix of SEGMENT_SUFFIXES) await this.storage.rename(this.dir, file(suffix) + SWAP_SUFFIX, file(suffix));
      const cleaned = await Segment.open(this.segmentOptions(base));
      // A new array, so reads iterating the old one are not disturbed.
      this.segments = [...this.segments.slice(0, at), cleaned, ...this.segments.slice(at + old.length)];
      for (const s of old) this.scheduleRemoval(s);
      return true;
    });
  }

  // ----------------------------------------------------------------------------- misc

  sizeInBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** The segments, oldest first, for reading only (the admin inspector's partition page). */
  inspectSegments(): readonly Segment[] {
    return this.segments;
  }

  /** Base offsets of the segments, oldest first (for tests and DescribeLogDirs-style tools). */
  segmentBaseOffsets(): bigint[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /**
   * Each segment's base offset (never below the log start), size and last-modified time, oldest
   * first: what ListOffsets v0 answers from (Kafka's legacyFetchOffsetsBefore).
   */
  async segmentTimes(): Promise<{ offset: bigint; size: number; lastModifiedMs: number }[]> {
    const segments = this.segments;
    const times = await Promise.all(segments.map((s) => s.lastModified()));
    return segments.map((s, i) => ({ offset: max(s.baseOffset, this.logStartOffset), size: s.size, lastModifiedMs: times[i]! }));
  }

  updateConfig(partial: Partial<LogConfig>): void {
    this.config = { ...this.config, ...partial };
  }

  currentConfig(): Readonly<LogConfig> {
    return this.config;
  }

  /**
   * Calls `listener` after each completed write, and once when the log closes (so a long-polling
   * fetch on a deleted topic answers at once). Returns an unsubscribe.
   */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Finishes queued writes, seals the active segment (last time-index entry, index files written)
   * and fsyncs everything, so the next open can skip recovery.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.listeners) listener();
    this.flushTimer?.cancel();
    this.recoveryTimer?.cancel();
    await this.recovering;
    await this.queue.whenIdle();
    try {
      // A log nobody wrote since a clean open is still as that close left it: thousands of idle
      // partitions then shut down without thousands of fsyncs.
      if (!this.failure && this.changed) {
        await this.sealing;
        await this.active.seal();
        await this.active.sync();
        // The next open loads this and replays nothing.
        await this.storage.writeFileAtomic(this.dir, snapshotFileName(this.nextOffset), encodeSnapshot(this.producers.entries()));
        this.recoveryPoint = this.nextOffset;
      }
    } finally {
      for (const [segment, removal] of this.pendingRemovals) {
        removal.cancel();
        await segment.removeFiles();
      }
      this.pendingRemovals.clear();
      await Promise.all(this.segments.map((s) => s.close()));
    }
  }

  /** True while a storage failure keeps the partition offline. */
  get offline(): boolean {
    return this.failure !== undefined;
  }

  /** The attempt to come back online under way, if any (tests wait for it after moving the clock). */
  get recoveryAttempt(): Promise<void> | undefined {
    return this.recovering;
  }

  /** Whether close() completed without a storage failure (safe to write the clean-shutdown marker). */
  get healthy(): boolean {
    return this.failure === undefined;
  }
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
