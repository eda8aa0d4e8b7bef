/**
 * Opening a partition's directory, after Kafka's LogLoader: everything that happens once, before the
 * log takes its first append. It
 *
 * 1. removes leftovers of interrupted work (`.deleted` segments, `.cleaned` and `.tmp` files);
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
import { DELETED_SUFFIX, parseSegmentBaseOffset, Segment, type SegmentOptions } from './segment.js';
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
    const names = await storage.listFiles(dir);
    // Leftovers of interrupted deletions and checkpoint writes.
    for (const name of names) {
      if (name.endsWith(DELETED_SUFFIX) || name.endsWith('.cleaned') || name.endsWith('.tmp')) await storage.remove(dir, name);
    }
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
      // Also a gap: the file may have lost its tail outside our view (a cut file recovers cleanly).
      if (!isLast && (truncated > 0 || segment.nextOffset !== this.segments[i + 1]!.baseOffset)) {
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

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
