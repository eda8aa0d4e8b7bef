/**
 * One cleaning pass over one log, after Kafka's Cleaner.doClean. The I/O happens here (segment
 * reads, the cleaned segment's writes, the swap), throttled by log.cleaner.io.max.bytes.per.second;
 * the CPU work happens in the executor (core.ts, in a worker thread for the broker).
 *
 * 1. Map the dirty section [first dirty offset, first uncleanable offset): key → last offset.
 *    A full map ends the section early; the pass then cleans up to the last offset mapped.
 * 2. Group the segments from the log start to the end of the mapped section so that each group
 *    fits one segment (segment.bytes, segment.index.bytes, offsets within int32 of its base):
 *    cleaning shrinks segments, and grouping keeps them from becoming many small ones.
 * 3. For each group, filter its batches into `<base>.log.cleaned` (with indexes), fsync, and swap it
 *    in for the group (PartitionLog.replaceSegments). The clean section is re-copied every pass,
 *    as in Kafka: that is where tombstones past their delete horizon finally go.
 * The active segment is never cleaned; offsets are never changed, so compacted logs have gaps.
 */
import { HEADER_SIZE } from '../../codec/record-batch.js';
import type { Clock } from '../../clock.js';
import type { PartitionLog } from '../partition-log.js';
import type { Segment } from '../segment.js';
import type { Storage } from '../storage.js';
import { CleanedSegment } from './cleaned-segment.js';
import { segmentsIn, type CleanerManager, type CleaningInProgress, type LogToClean } from './cleaner-manager.js';
import type { CleanerExecutor } from './executor.js';
import type { Throttler } from './throttler.js';

/** A cleaner thread's resources (Kafka divides the configured totals by log.cleaner.threads). */
export interface CleanerResources {
  /** Offset map memory (log.cleaner.dedupe.buffer.size / threads). */
  dedupeBufferBytes: number;
  /** log.cleaner.io.buffer.load.factor */
  loadFactor: number;
  /** Bytes read per chunk (log.cleaner.io.buffer.size / threads / 2: Kafka's read buffer). */
  readBufferBytes: number;
}

/** Kafka's CleanerStats: what a pass read, kept and took. */
export interface CleanerStats {
  startMs: number;
  mapDoneMs: number;
  endMs: number;
  mapBytesRead: number;
  bytesRead: number;
  bytesWritten: number;
  messagesRead: number;
  messagesWritten: number;
  invalidMessages: number;
  keys: number;
  bufferUtilization: number;
  segmentsCleaned: number;
}

export interface PassResult {
  /** The new first dirty offset: everything before it is clean. */
  endOffset: bigint;
  stats: CleanerStats;
}

/** Thrown inside a pass when the log is being deleted or the broker stops (Kafka's LogCleaningAbortedException). */
export class CleaningAborted extends Error {
  constructor(dir: string) {
    super(`cleaning of ${dir} aborted`);
  }
}

export class Cleaner {
  constructor(
    private readonly opts: {
      executor: CleanerExecutor;
      storage: Storage;
      clock: Clock;
      throttler: Throttler;
      manager: CleanerManager;
      resources: () => CleanerResources;
    },
  ) {}

  /** Cleans `ltc.log`; returns the new first dirty offset, or throws CleaningAborted. */
  async clean(ltc: LogToClean, progress: CleaningInProgress): Promise<PassResult> {
    const { executor, clock } = this.opts;
    const { log, firstDirtyOffset, firstUncleanableOffset } = ltc;
    const checkDone = () => {
      if (progress.aborted) throw new CleaningAborted(log.dir);
    };
    const resources = this.opts.resources();
    const now = clock.now();
    const stats: CleanerStats = {
      startMs: now, mapDoneMs: now, endMs: now, mapBytesRead: 0, bytesRead: 0, bytesWritten: 0, messagesRead: 0,
      messagesWritten: 0, invalidMessages: 0, keys: 0, bufferUtilization: 0, segmentsCleaned: 0,
    };

    // 1. The offset map over the dirty section.
    const segments = log.segmentsForCleaning();
    await executor.beginMap({
      memoryBytes: resources.dedupeBufferBytes,
      loadFactor: resources.loadFactor,
      startOffset: Number(firstDirtyOffset),
      aborted: await log.collectAbortedTransactions(firstDirtyOffset, firstUncleanableOffset),
    });
    const dirty = segmentsIn(segments, firstDirtyOffset, firstUncleanableOffset);
    let full = false;
    for (let i = 0; i < dirty.length && !full; i++) {
      const segment = dirty[i]!;
      await this.forEachChunk(segment, await segment.positionOf(firstDirtyOffset), resources.readBufferBytes, checkDone, async (chunk) => {
        const result = await executor.mapChunk(chunk);
        stats.mapBytesRead += result.consumed;
        full = result.full;
        return result.full ? { consumed: -1, needBytes: 0 } : result;
      });
      if (!full) await executor.mapSegmentDone(Number(dirty[i + 1]?.baseOffset ?? firstUncleanableOffset));
    }
    const map = await executor.mapSummary();
    const endOffset = BigInt(map.latestOffset + 1);
    stats.keys = map.keys;
    stats.bufferUtilization = map.utilization;
    stats.mapDoneMs = clock.now();

    // 2. and 3. Group, filter, swap.
    const config = log.currentConfig();
    const cleanable = segmentsIn(segments, log.logStartOffset, endOffset);
    const groups = await groupSegmentsBySize(cleanable, config.segmentBytes, config.maxIndexSize, firstUncleanableOffset);
    await executor.beginFilter({
      now,
      deleteRetentionMs: config.deleteRetentionMs,
      upperBoundOffset: Number(firstUncleanableOffset),
      activeProducers: log.activeProducersForCleaning(),
      aborted: await log.collectAbortedTransactions(log.logStartOffset, endOffset),
    });
    // Before the first swap into this log ever: recovery must know its offsets may have gaps.
    if (!this.opts.manager.hasCleaned(log.dir)) await this.opts.manager.updateCheckpoint(log.dir, firstDirtyOffset);
    log.markCompacted();
    for (const group of groups) {
      await this.cleanSegments(log, group, resources, stats, checkDone);
      stats.segmentsCleaned += group.length;
    }
    stats.endMs = clock.now();
    return { endOffset, stats };
  }

  /** Kafka's cleanSegments: one group into one cleaned segment, swapped in for it. */
  private async cleanSegments(
    log: PartitionLog,
    group: readonly Segment[],
    resources: CleanerResources,
    stats: CleanerStats,
    checkDone: () => void,
  ): Promise<void> {
    const { executor, storage, throttler } = this.opts;
    const cleaned = await CleanedSegment.create(storage, log.dir, group[0]!.baseOffset, log.currentConfig());
    try {
      for (const segment of group) {
        await this.forEachChunk(segment, 0, resources.readBufferBytes, checkDone, async (chunk) => {
          const result = await executor.filterChunk(chunk);
          stats.bytesRead += result.stats.bytesRead;
          stats.messagesRead += result.stats.messagesRead;
          stats.messagesWritten += result.stats.messagesRetained;
          stats.bytesWritten += result.output.length;
          stats.invalidMessages += result.stats.invalidMessages;
          await cleaned.append(result.output);
          // Aborted transactions whose data or marker this segment keeps stay in its `.txnindex`.
          cleaned.addAborted(result.retainedAborted);
          await throttler.maybeThrottle(result.output.length);
          return result;
        });
      }
      await cleaned.finish();
      checkDone();
      if (!(await log.replaceSegments(group))) throw new CleaningAborted(log.dir);
    } catch (err) {
      await cleaned.discard();
      throw err;
    }
  }

  /**
   * Reads `segment` from `position` to its end in chunks of about `chunkBytes` (whole batches, a
   * bigger read when one batch does not fit), throttled, handing each to `process`, which answers
   * how many bytes it consumed (-1: stop).
   */
  private async forEachChunk(
    segment: Segment,
    position: number,
    chunkBytes: number,
    checkDone: () => void,
    process: (chunk: Buffer) => Promise<{ consumed: number; needBytes: number }>,
  ): Promise<void> {
    let want = Math.max(chunkBytes, HEADER_SIZE);
    while (position < segment.size) {
      checkDone();
      const chunk = await segment.readRaw(position, want);
      if (chunk.length === 0) return;
      await this.opts.throttler.maybeThrottle(chunk.length);
      const length = chunk.length;
      const { consumed, needBytes } = await process(chunk);
      if (consumed < 0) return;
      if (consumed === 0) {
        // One batch larger than the chunk: read it whole (Kafka grows its buffers the same way).
        if (needBytes <= length || position + needBytes > segment.size) throw new Error(`${segment.baseOffset}: torn batch at position ${position}`);
        want = needBytes;
        continue;
      }
      position += consumed;
      want = Math.max(chunkBytes, HEADER_SIZE);
    }
  }
}

/**
 * Kafka's groupSegmentsBySize: consecutive segments whose sizes add up to at most `maxSize`, whose
 * indexes add up to at most `maxIndexSize`, and whose offsets stay within int32 of the group's base
 * (the last segment's last offset estimated from the next base, or the first uncleanable offset).
 */
export async function groupSegmentsBySize(
  segments: readonly Segment[],
  maxSize: number,
  maxIndexSize: number,
  firstUncleanableOffset: bigint,
): Promise<Segment[][]> {
  const groups: Segment[][] = [];
  const indexes = await Promise.all(segments.map((s) => s.indexBytes()));
  let i = 0;
  while (i < segments.length) {
    const group = [segments[i]!];
    let logSize = segments[i]!.size;
    let offsetIndexSize = indexes[i]!.offset;
    let timeIndexSize = indexes[i]!.time;
    i++;
    while (i < segments.length) {
      const next = segments[i]!;
      const lastOffset = i + 1 < segments.length ? segments[i + 1]!.baseOffset - 1n : firstUncleanableOffset - 1n;
      const fits =
        logSize + next.size <= maxSize &&
        offsetIndexSize + indexes[i]!.offset <= maxIndexSize &&
        timeIndexSize + indexes[i]!.time <= maxIndexSize &&
        (next.size === 0 || lastOffset - group[0]!.baseOffset <= 0x7fffffffn);
      if (!fits) break;
      group.push(next);
      logSize += next.size;
      offsetIndexSize += indexes[i]!.offset;
      timeIndexSize += indexes[i]!.time;
      i++;
    }
    groups.push(group);
  }
  return groups;
}
