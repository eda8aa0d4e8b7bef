/**
 * Which log to clean next, and how far cleaning has got in each, after Kafka's LogCleanerManager:
 *
 * - `cleaner-offset-checkpoint` (in the data directory, Kafka's format) records each compacted
 *   log's first dirty offset: everything before it was cleaned by an earlier pass.
 * - A log's *dirty ratio* is its cleanable bytes over its total bytes, counted in whole segments:
 *
 *       clean bytes      = size of the segments before the first dirty offset
 *       cleanable bytes  = size of the segments from there to the first uncleanable offset
 *       dirty ratio      = cleanable / (clean + cleanable)
 *
 *   The first uncleanable offset is the lowest of: the active segment's base (never cleaned), the
 *   last stable offset (an open transaction is never judged), and the base of the first segment
 *   whose newest record is younger than min.compaction.lag.ms.
 * - A log is cleaned when its ratio exceeds min.cleanable.dirty.ratio, or when a dirty record has
 *   waited longer than max.compaction.lag.ms. Of those, the dirtiest goes first.
 * - A log being cleaned is *in progress* (no second cleaner takes it); deleting it first aborts
 *   the pass and waits for it to stop.
 */
import type { Logger } from 'pino';
import { formatCheckpoint, parseCheckpoint, type CheckpointEntry } from '../checkpoint.js';
import type { PartitionLog } from '../partition-log.js';
import type { Segment } from '../segment.js';
import type { Storage } from '../storage.js';

export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';

/** Kafka's LogToClean: a log chosen for a pass, with the numbers it was chosen on. */
export interface LogToClean {
  readonly log: PartitionLog;
  readonly firstDirtyOffset: bigint;
  /** Where cleaning must stop: the base of the first segment it may not touch. */
  readonly firstUncleanableOffset: bigint;
  readonly cleanBytes: number;
  readonly cleanableBytes: number;
  readonly dirtyRatio: number;
  /** A dirty record waited past max.compaction.lag.ms. */
  readonly needsCompactionNow: boolean;
}

/** A pass in progress: set `aborted`, and the pass stops at its next chunk, its swap undone or never done. */
export interface CleaningInProgress {
  aborted: boolean;
  done: Promise<void>;
}

/** A log taken for a pass: `finish` ends its in-progress mark. */
export interface GrabbedLog {
  chosen: LogToClean;
  progress: CleaningInProgress;
  finish: () => void;
}

/** The segments overlapping [from, to): the one holding `from` (its floor) up to those starting before `to`. */
export function segmentsIn(segments: readonly Segment[], from: bigint, to: bigint): Segment[] {
  let first = 0;
  while (first + 1 < segments.length && segments[first + 1]!.baseOffset <= from) first++;
  const out: Segment[] = [];
  for (let i = first; i < segments.length && segments[i]!.baseOffset < to; i++) out.push(segments[i]!);
  return out;
}

const sizeOf = (segments: readonly Segment[]): number => segments.reduce((n, s) => n + s.size, 0);

export class CleanerManager {
  /** Each log's first dirty offset, by partition directory (`topic-partition`). */
  private readonly checkpoints: Map<string, bigint>;
  private readonly inProgress = new Map<string, CleaningInProgress>();
  /** Logs whose pass failed (a corrupt batch): skipped until restart, as Kafka's uncleanable partitions. */
  private readonly uncleanable = new Set<string>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    checkpoints: Map<string, bigint>,
  ) {
    this.checkpoints = checkpoints;
  }

  /** Reads `cleaner-offset-checkpoint`; a missing or unreadable one means every log is dirty from its start. */
  static async open(storage: Storage, logger: Logger): Promise<CleanerManager> {
    return new CleanerManager(storage, logger, await readCleanerCheckpoint(storage, logger));
  }

  /** Whether the cleaner has cleaned (or begun swapping into) this log: its offsets may have gaps. */
  hasCleaned(dir: string): boolean {
    return this.checkpoints.has(dir);
  }

  firstDirtyOffsetOf(dir: string): bigint | undefined {
    return this.checkpoints.get(dir);
  }

  /** Kafka's cleanableOffsets: where the dirty section of `log` starts and where cleaning must stop. */
  cleanableOffsets(log: PartitionLog, now: number): { firstDirtyOffset: bigint; firstUncleanableOffset: bigint } {
    const checkpointed = this.checkpoints.get(log.dir);
    let firstDirtyOffset = checkpointed ?? log.logStartOffset;
    if (firstDirtyOffset > log.logEndOffset) {
      // The log lost its tail in a crash: assume all of it needs cleaning (Kafka does the same).
      this.logger.warn({ log: log.dir, checkpointed, logEndOffset: log.logEndOffset }, 'first dirty offset beyond the log end; cleaning from the log start');
      firstDirtyOffset = log.logStartOffset;
    } else if (firstDirtyOffset < log.logStartOffset) {
      firstDirtyOffset = log.logStartOffset; // retention (compact,delete) or DeleteRecords passed it
    }
    const segments = log.segmentsForCleaning();
    const active = segments[segments.length - 1]!;
    let uncleanable = log.lastStableOffset < active.baseOffset ? log.lastStableOffset : active.baseOffset;
    const { minCompactionLagMs } = log.currentConfig();
    if (minCompactionLagMs > 0) {
      for (const s of segmentsIn(segments, firstDirtyOffset, active.baseOffset)) {
        // Known without reading: sealed segments carry their max timestamp in the time index.
        if (s.maxTimestamp > now - minCompactionLagMs) {
          if (s.baseOffset < uncleanable) uncleanable = s.baseOffset;
          break;
        }
      }
    }
    return { firstDirtyOffset, firstUncleanableOffset: uncleanable > firstDirtyOffset ? uncleanable : firstDirtyOffset };
  }

  /** A log's numbers (Kafka's LogToClean and calculateCleanableBytes), or undefined when it holds nothing. */
  async assess(log: PartitionLog, now: number): Promise<LogToClean | undefined> {
    const segments = log.segmentsForCleaning();
    for (const s of segments) await s.loadIndexes(); // max timestamps, for min.compaction.lag.ms
    const { firstDirtyOffset, firstUncleanableOffset: uncleanableOffset } = this.cleanableOffsets(log, now);
    const active = segments[segments.length - 1]!;
    // Cleaning stops at a segment boundary: the segment holding the uncleanable offset is not cleaned.
    const firstUncleanable = segmentsIn(segments, uncleanableOffset, active.baseOffset)[0] ?? active;
    const firstUncleanableOffset = firstUncleanable.baseOffset;
    const from = firstDirtyOffset < firstUncleanableOffset ? firstDirtyOffset : firstUncleanableOffset;
    const cleanBytes = sizeOf(segments.filter((s) => s.baseOffset < firstDirtyOffset));
    const cleanableBytes = sizeOf(segmentsIn(segments, from, firstUncleanableOffset));
    const total = cleanBytes + cleanableBytes;
    if (total === 0) return undefined;
    const needsCompactionNow = await this.waitedTooLong(log, segmentsIn(segments, firstDirtyOffset, active.baseOffset), now);
    return { log, firstDirtyOffset, firstUncleanableOffset, cleanBytes, cleanableBytes, dirtyRatio: cleanableBytes / total, needsCompactionNow };
  }

  /** Kafka's maxCompactionDelay > 0: a dirty, sealed segment's first batch is older than max.compaction.lag.ms. */
  private async waitedTooLong(log: PartitionLog, dirty: readonly Segment[], now: number): Promise<boolean> {
    const { maxCompactionLagMs } = log.currentConfig();
    if (maxCompactionLagMs >= Number.MAX_SAFE_INTEGER) return false;
    for (const s of dirty) {
      const first = await s.firstBatchTimestamp();
      if (first > 0 && first < now - maxCompactionLagMs) return true;
    }
    return false;
  }

  /**
   * Kafka's grabFilthiestCompactedLog: of the compacted logs not in progress, the dirtiest one
   * eligible for cleaning, now marked in progress; undefined when none is.
   */
  async grabFilthiestLog(logs: Iterable<PartitionLog>, now: number): Promise<GrabbedLog | undefined> {
    let chosen: LogToClean | undefined;
    for (const log of logs) {
      if (!log.currentConfig().compact || this.inProgress.has(log.dir) || this.uncleanable.has(log.dir) || !log.healthy) continue;
      const ltc = await this.assess(log, now);
      if (!ltc || this.inProgress.has(log.dir)) continue;
      const eligible = (ltc.needsCompactionNow && ltc.cleanableBytes > 0) || ltc.dirtyRatio > log.currentConfig().minCleanableRatio;
      if (eligible && (!chosen || ltc.dirtyRatio > chosen.dirtyRatio)) chosen = ltc;
    }
    if (!chosen) return undefined;
    let finish!: () => void;
    const progress: CleaningInProgress = { aborted: false, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.inProgress.set(chosen.log.dir, progress);
    return {
      chosen,
      progress,
      finish: () => {
        this.inProgress.delete(chosen.log.dir);
        finish();
      },
    };
  }

  /** Stops a pass on this log, if one runs, and waits until it has (before the log is deleted or closed). */
  async abortCleaning(dir: string): Promise<void> {
    const progress = this.inProgress.get(dir);
    if (!progress) return;
    progress.aborted = true;
    await progress.done;
  }

  /** A pass failed on this log: leave it alone until restart. */
  markUncleanable(dir: string): void {
    this.uncleanable.add(dir);
  }

  /**
   * Records a log's first dirty offset durably. The cleaner calls it before a log's first swap (so
   * recovery knows offsets may have gaps) and after each pass (Kafka's doneCleaning).
   */
  updateCheckpoint(dir: string, firstDirtyOffset: bigint): Promise<void> {
    this.checkpoints.set(dir, firstDirtyOffset);
    return this.writeCheckpoint();
  }

  /** A deleted log's entry goes (Kafka's updateCheckpoints with partitionToRemove). */
  removeCheckpoint(dir: string): Promise<void> {
    if (!this.checkpoints.delete(dir)) return Promise.resolve();
    return this.writeCheckpoint();
  }

  /** One write at a time, each with everything recorded before it. */
  private writeCheckpoint(): Promise<void> {
    this.writing = this.writing.catch(() => {}).then(() => {
      const entries: CheckpointEntry[] = [...this.checkpoints].map(([dir, offset]) => {
        const dash = dir.lastIndexOf('-');
        return { topic: dir.slice(0, dash), partition: Number(dir.slice(dash + 1)), offset };
      });
      return this.storage.writeFileAtomic('', CLEANER_OFFSET_CHECKPOINT, formatCheckpoint(entries));
    });
    return this.writing;
  }
}

/** `cleaner-offset-checkpoint` as a map by partition directory; empty when missing or unreadable. */
export async function readCleanerCheckpoint(storage: Storage, logger: Logger): Promise<Map<string, bigint>> {
  const map = new Map<string, bigint>();
  const data = await storage.readFile('', CLEANER_OFFSET_CHECKPOINT);
  if (!data) return map;
  try {
    for (const e of parseCheckpoint(data)) map.set(`${e.topic}-${e.partition}`, e.offset);
  } catch (err) {
    logger.warn({ err, file: CLEANER_OFFSET_CHECKPOINT }, 'ignoring unreadable cleaner checkpoint');
    map.clear();
  }
  return map;
}
