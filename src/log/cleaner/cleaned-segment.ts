/**
 * The segment a cleaning writes (Kafka's UnifiedLog.createNewCleanedSegment): `<base>.log.cleaned`
 * with its `.index.cleaned`, `.timeindex.cleaned` and `.txnindex.cleaned` (the aborted transactions
 * it keeps data or markers of). Kept batches are appended as the filter produces them, the sparse
 * indexes are built as Segment builds them on append (one entry per index.interval.bytes, from
 * batch headers only), and `finish` writes the indexes and fsyncs all the files, so the swap that
 * follows renames only durable bytes.
 */
import { batchSizeAt, lastOffsetDeltaAt, maxTimestampAt } from '../../codec/record-batch.js';
import { CLEANED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, SEGMENT_SUFFIXES, segmentFileName, TIME_INDEX_SUFFIX, type SegmentSettings } from '../segment.js';
import { encodeAbortedTxns, TXN_INDEX_SUFFIX, type AbortedTxn } from '../txn-index.js';
import { OffsetIndex, TimeIndex } from '../sparse-index.js';
import type { Storage, StoredFile } from '../storage.js';

export class CleanedSegment {
  private size = 0;
  private lastIndexedPosition = 0;
  private maxTimestamp = -1;
  private offsetOfMaxTimestamp: bigint;
  private readonly offsetIndex: OffsetIndex;
  private readonly timeIndex: TimeIndex;
  private readonly aborted: AbortedTxn[] = [];

  private constructor(
    private readonly storage: Storage,
    private readonly dir: string,
    readonly baseOffset: bigint,
    private readonly settings: SegmentSettings,
    private readonly log: StoredFile,
  ) {
    this.offsetOfMaxTimestamp = baseOffset;
    this.offsetIndex = new OffsetIndex(settings.maxIndexSize);
    this.timeIndex = new TimeIndex(settings.maxIndexSize);
  }

  private static file(baseOffset: bigint, suffix: string): string {
    return segmentFileName(baseOffset, suffix) + CLEANED_SUFFIX;
  }

  /** Starts `<base>.log.cleaned`, empty (a leftover of an abandoned attempt is overwritten). */
  static async create(storage: Storage, dir: string, baseOffset: bigint, settings: SegmentSettings): Promise<CleanedSegment> {
    const log = await storage.open(dir, CleanedSegment.file(baseOffset, LOG_SUFFIX), true);
    if (log.size > 0) await log.truncate(0);
    return new CleanedSegment(storage, dir, baseOffset, settings, log);
  }

  get sizeInBytes(): number {
    return this.size;
  }

  /** Appends whole batches (the filter's output), indexing them as Segment.add does. */
  async append(batches: Buffer): Promise<void> {
    if (batches.length === 0) return;
    for (let pos = 0; pos < batches.length; pos += batchSizeAt(batches, pos)) {
      const lastOffset = batches.readBigInt64BE(pos) + BigInt(lastOffsetDeltaAt(batches, pos));
      const ts = maxTimestampAt(batches, pos);
      if (ts > this.maxTimestamp) {
        this.maxTimestamp = ts;
        this.offsetOfMaxTimestamp = lastOffset;
      }
      const position = this.size + pos;
      if (position - this.lastIndexedPosition > this.settings.indexIntervalBytes && !this.offsetIndex.isFull) {
        this.offsetIndex.append(Number(lastOffset - this.baseOffset), position);
        this.timeIndex.maybeAppend(this.maxTimestamp, Number(this.offsetOfMaxTimestamp - this.baseOffset));
        this.lastIndexedPosition = position;
      }
    }
    await this.log.append([batches]);
    this.size += batches.length;
  }

  /** Records aborted transactions the segment keeps data or markers of (Kafka's cleaner rebuilds the `.txnindex` so). */
  addAborted(txns: readonly AbortedTxn[]): void {
    this.aborted.push(...txns);
  }

  /** Writes the indexes (with the segment's max timestamp as the last time entry, as a sealed segment) and fsyncs. */
  async finish(): Promise<void> {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, Number(this.offsetOfMaxTimestamp - this.baseOffset), true);
    const write = async (suffix: string, bytes: Buffer) => {
      const f = await this.storage.open(this.dir, CleanedSegment.file(this.baseOffset, suffix), true);
      try {
        await f.overwrite(bytes);
        await f.sync();
      } finally {
        await f.close();
      }
    };
    await write(INDEX_SUFFIX, this.offsetIndex.bytes());
    await write(TIME_INDEX_SUFFIX, this.timeIndex.bytes());
    // Always written (maybe empty), so the swap renames the same files every time.
    await write(TXN_INDEX_SUFFIX, encodeAbortedTxns(this.aborted));
    await this.log.sync();
    await this.log.close();
  }

  /** Abandons the cleaned segment: its files are removed. */
  async discard(): Promise<void> {
    await this.log.close().catch(() => {});
    for (const suffix of SEGMENT_SUFFIXES) await this.storage.remove(this.dir, CleanedSegment.file(this.baseOffset, suffix));
  }
}
