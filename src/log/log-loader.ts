/**
 * Opening a partition's directory, after Kafka's LogLoader: everything that happens once, before the
 * log takes its first append. It
 *
 * 1. removes leftovers of interrupted work (`.deleted` segments, `.cleaned` and `.tmp` files) and
 *    completes a cleaner's swap that was under way (`.swap` files), as Kafka's LogLoader does;
 * 2. opens the segments, oldest first (or creates the first one in an empty directory);
 * 3. after a clean shutdown trusts the files and only reads the active segment's last index entry
 *    onwards; after a crash, recovers: re-validates every batch from the recovery point on,
 *    truncating at the first bad one and dropping the segments after it;
 * 4. rebuilds the producers' state (sequences, epochs, open transactions): after a clean shutdown
 *    the newest producer snapshot, then the batches after it; after a crash the newest snapshot at
 *    or before the first segment to recover, the batches up to that segment, then every batch of
 *    the recovered segments, riding on recovery's own scan (so the tail is read once). Replaying
 *    the recovered segments whole is what lets recovery rebuild their aborted-transaction indexes
 *    (`.txnindex`): an entry needs the first offset of its transaction, which the producer state
 *    knows from the snapshot even when that offset lies in an earlier segment.
 *
 * It returns the segments and the offsets the log starts from (Kafka's LoadedLogOffsets);
 * `PartitionLog` owns them from then on.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LogConfig } from '../config/log-config.js';
import { decodeSnapshot, parseSnapshotOffset, snapshotFileName } from './producer-snapshot.js';
import { abortedTxnOf, TxnIndex } from './txn-index.js';
import type { ProducerStateManager } from './producer-state.js';
import { baseOffsetAt, lastOffsetDeltaAt } from '../codec/record-batch.js';
import { scanBatches } from './batch-scan.js';
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  LOG_SUFFIX,
  parseSegmentBaseOffset,
  parseSegmentFileOffset,
  Segment,
  SWAP_SUFFIX,
  type SegmentOptions,
} from './segment.js';
import type { Storage } from './storage.js';

export interface LogLoaderOptions {
  storage: Storage;
  /** The partition directory, `<topic>-<partition>`. */
  dir: string;
  config: Readonly<LogConfig>;
  clock: Clock;
  logger: Logger;
  /** Filled in place with the producers found in the snapshot and the replayed batches. */
  producers: ProducerStateManager;
  /** Options for a segment at `baseOffset`, as the log will use them (settings read from the live config). */
  segmentOptions(baseOffset: bigint): SegmentOptions;
  /** True when the data directory carries the clean-shutdown marker. */
  cleanShutdown: boolean;
  /** Offsets below this were fsynced before the last shutdown (from the checkpoint file). */
  recoveryPoint?: bigint;
  logStartOffset?: bigint;
  /** The log may have been compacted: a segment may end before the next one's base offset. */
  offsetGaps?: boolean;
}

/** What a loaded log starts from. */
export interface LoadedLog {
  /** Oldest first; never empty; the last is the active segment. */
  segments: Segment[];
  logStartOffset: bigint;
  recoveryPoint: bigint;
  /** The log end offset: where the next append goes. */
  nextOffset: bigint;
  /**
   * True when the files are exactly as a clean close left them (fsynced, indexes written, producer
   * snapshot at the log end): closing without a change since need not write or fsync anything.
   */
  untouched: boolean;
}

const byOffset = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

export class LogLoader {
  private segments: Segment[] = [];

  constructor(private readonly opts: LogLoaderOptions) {}

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Opens the directory; on failure closes whatever segments it had opened. */
  async load(): Promise<LoadedLog> {
    try {
      return await this.loadSegments();
    } catch (err) {
      await Promise.allSettled(this.segments.map((s) => s.close()));
      throw err;
    }
  }

  private async loadSegments(): Promise<LoadedLog> {
    const { storage, dir, producers, cleanShutdown, segmentOptions } = this.opts;
    let untouched = false;
    await storage.makeDir(dir);
    await this.finishInterruptedWork(await storage.listFiles(dir));
    const names = await storage.listFiles(dir);
    const bases = names.map(parseSegmentBaseOffset).filter((b): b is bigint => b !== undefined).sort(byOffset);
    const snapshots = names.map(parseSnapshotOffset).filter((o): o is bigint => o !== undefined).sort(byOffset);

    if (bases.length === 0) {
      const segment = Segment.create(segmentOptions(this.opts.logStartOffset ?? 0n));
      await segment.persistIndexes(); // creates the three files, as Kafka does
      this.segments = [segment];
      for (const o of snapshots) await storage.remove(dir, snapshotFileName(o));
    } else {
      this.segments = await Promise.all(bases.map((b) => Segment.open(segmentOptions(b))));
      if (cleanShutdown && (await this.active.loadAsActive())) {
        // Producer state: the latest snapshot, then the batches after it (none, usually: the
        // snapshot taken at close is at the log end).
        let from = await this.loadProducerSnapshot(snapshots, undefined);
        const end = this.active.nextOffset;
        if (from > end) {
          // A snapshot beyond the log end (the log lost its tail outside our view): fall back to one within it.
          producers.clear();
          from = await this.loadProducerSnapshot(snapshots, end);
        }
        if (from < end) await this.rebuildProducerState(from, 0);
        // As a clean close left it (snapshot at the log end): closing unchanged need not write anything.
        untouched = from === end;
      } else {
        await this.recoverLog(cleanShutdown ? this.active.baseOffset : (this.opts.recoveryPoint ?? 0n), snapshots);
      }
    }
    const nextOffset = this.active.nextOffset;
    return {
      untouched,
      segments: this.segments,
      nextOffset,
      recoveryPoint: cleanShutdown ? nextOffset : min(this.opts.recoveryPoint ?? 0n, nextOffset),
      logStartOffset: min(max(this.opts.logStartOffset ?? 0n, this.segments[0]!.baseOffset), nextOffset),
    };
  }

  /**
   * Leftovers of work a crash interrupted (Kafka's LogLoader, first three passes):
   * - `.deleted` files (retention, or segments a cleaning replaced) and `.tmp` files: removed;
   * - `.cleaned` files: a cleaning that had not started its swap, abandoned;
   * - `.swap` files: a swap under way. The cleaner renames all of a cleaned segment's files from
   *   `.cleaned` to `.swap`, then retires the segments it replaces (`.deleted`), then drops the
   *   suffix. A `.swap` file whose segment still has `.cleaned` files was caught before all were
   *   renamed, so that swap is abandoned; otherwise the swap is completed: the old segment files
   *   its offsets cover are removed and the `.swap` files take their place.
   */
  private async finishInterruptedWork(names: string[]): Promise<void> {
    const { storage, dir, logger } = this.opts;
    let minCleaned: bigint | undefined;
    const swaps: { name: string; baseOffset: bigint }[] = [];
    for (const name of names) {
      const file = parseSegmentFileOffset(name);
      if (name.endsWith(DELETED_SUFFIX) || name.endsWith('.tmp')) await storage.remove(dir, name);
      else if (file?.suffix === CLEANED_SUFFIX) {
        if (minCleaned === undefined || file.baseOffset < minCleaned) minCleaned = file.baseOffset;
        await storage.remove(dir, name);
      } else if (file?.suffix === SWAP_SUFFIX) swaps.push({ name, baseOffset: file.baseOffset });
    }
    const valid = [];
    for (const swap of swaps) {
      if (minCleaned !== undefined && swap.baseOffset >= minCleaned) await storage.remove(dir, swap.name);
      else valid.push(swap);
    }
    if (valid.length === 0) return;
    // The offsets the swapped-in segments cover: every old segment file in that range is replaced.
    let from: bigint | undefined;
    let to: bigint | undefined;
    for (const swap of valid.filter((s) => s.name.endsWith(LOG_SUFFIX + SWAP_SUFFIX))) {
      const next = await nextOffsetOf(storage, dir, swap.name, swap.baseOffset);
      logger.info({ file: swap.name, nextOffset: next }, 'completing an interrupted swap of a cleaned segment');
      if (from === undefined || swap.baseOffset < from) from = swap.baseOffset;
      if (to === undefined || next > to) to = next;
    }
    if (from !== undefined && to !== undefined) {
      for (const name of await storage.listFiles(dir)) {
        const file = parseSegmentFileOffset(name);
        if (file?.suffix === '' && file.baseOffset >= from && file.baseOffset < to) await storage.remove(dir, name);
      }
    }
    for (const swap of valid) await storage.rename(dir, swap.name, swap.name.slice(0, -SWAP_SUFFIX.length));
    await storage.syncDir(dir);
  }

  /**
   * Kafka's recovery: every segment holding offsets at or after the recovery point is re-validated
   * batch by batch and truncated at the first bad one; segments after a truncation are dropped,
   * since their offsets would no longer follow on.
   */
  private async recoverLog(recoveryPoint: bigint, snapshots: bigint[]): Promise<void> {
    const { logger, producers } = this.opts;
    let first = 0;
    while (first + 1 < this.segments.length && this.segments[first + 1]!.baseOffset <= recoveryPoint) first++;
    logger.info({ recoveryPoint, segments: this.segments.length - first }, 'recovering log');
    // Producer state as of the first recovered segment: a snapshot at or before it, then the
    // batches between the two.
    const from = await this.loadProducerSnapshot(snapshots, this.segments[first]!.baseOffset, false);
    await this.rebuildProducerState(from, 0, first);
    for (let i = first; i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      // Every batch of the segment is replayed, and each transaction aborted in it goes to its rebuilt index.
      const txnIndex = new TxnIndex();
      const truncated = await segment.recover((buf, at) => {
        const completed = producers.replay(buf, at);
        if (completed?.aborted) txnIndex.append(abortedTxnOf(completed));
      }, txnIndex);
      await segment.persistTxnIndex(true);
      const isLast = i === this.segments.length - 1;
      // Also a gap, in a log never compacted: the file may have lost its tail outside our view (a cut
      // file recovers cleanly). A compacted segment may end before the next begins; never after.
      const next = this.segments[i + 1]?.baseOffset;
      const followsOn = next === undefined || (this.opts.offsetGaps ? segment.nextOffset <= next : segment.nextOffset === next);
      if (!isLast && (truncated > 0 || !followsOn)) {
        const dropped = this.segments.splice(i + 1);
        logger.warn({ dropped: dropped.length }, 'dropping segments that no longer follow on');
        for (const s of dropped) {
          await s.markDeleted();
          await s.removeFiles();
        }
        break;
      }
      if (!isLast) await segment.seal();
    }
    // Snapshots of offsets recovery truncated away describe batches that no longer exist.
    const end = this.active.nextOffset;
    for (const o of snapshots) if (o > end) await this.opts.storage.remove(this.opts.dir, snapshotFileName(o));
  }

  /**
   * Loads the newest readable snapshot at or below `maxOffset` (any, when undefined), deleting
   * unreadable ones and, with `deleteAbove`, those above it. Returns
   * the offset replay must start from: the snapshot's, or the first segment's base when there is none.
   */
  private async loadProducerSnapshot(offsets: bigint[], maxOffset: bigint | undefined, deleteAbove = true): Promise<bigint> {
    const { storage, dir, producers, logger } = this.opts;
    const now = this.opts.clock.now();
    for (let i = offsets.length - 1; i >= 0; i--) {
      const offset = offsets[i]!;
      const name = snapshotFileName(offset);
      if (maxOffset !== undefined && offset > maxOffset) {
        if (deleteAbove) {
          await storage.remove(dir, name);
          offsets.splice(i, 1);
        }
        continue;
      }
      try {
        const data = await storage.readFile(dir, name);
        if (!data) throw new Error('missing');
        for (const entry of decodeSnapshot(data)) {
          // As Kafka: producers already expired are not loaded, unless a transaction of theirs is open.
          if (entry.currentTxnFirstOffset >= 0n || now - entry.lastTimestamp < this.opts.config.producerIdExpirationMs) producers.load(entry);
        }
        logger.debug({ offset, producers: producers.size }, 'loaded producer snapshot');
        return offset;
      } catch (err) {
        logger.warn({ err, snapshot: name }, 'deleting unreadable producer snapshot');
        producers.clear();
        await storage.remove(dir, name);
        offsets.splice(i, 1);
      }
    }
    return this.segments[0]!.baseOffset;
  }

  /**
   * Replays batches at or after `from` in segments [first, end) into producer state. Their
   * aborted transactions are already in those segments' `.txnindex` files.
   */
  private async rebuildProducerState(from: bigint, first: number, end = this.segments.length): Promise<void> {
    const { producers } = this.opts;
    for (let i = first; i < end; i++) {
      const segment = this.segments[i]!;
      const next = this.segments[i + 1];
      if (next && next.baseOffset <= from) continue;
      await segment.scanHeaders(from, (buf, at) => {
        if (buf.readBigInt64BE(at) >= from) producers.replay(buf, at);
      });
    }
  }
}

/** The offset after the last whole batch of a segment file (Kafka's readNextOffset). */
async function nextOffsetOf(storage: Storage, dir: string, name: string, baseOffset: bigint): Promise<bigint> {
  const file = await storage.open(dir, name, false);
  let next = baseOffset;
  try {
    await scanBatches(file, 0, file.size, { chunkSize: 1024 * 1024, wholeBatches: false }, (buf, at) => {
      next = baseOffsetAt(buf, at) + BigInt(lastOffsetDeltaAt(buf, at)) + 1n;
      return true;
    });
  } finally {
    await file.close();
  }
  return next;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
