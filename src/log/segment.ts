/**
 * One segment of a partition log, after Kafka's LogSegment: a `.log` file of whole record batches
 * whose first offset names it (`00000000000000000042.log`), with its sparse offset index (`.index`),
 * time index (`.timeindex`) and, once a transaction aborted in it, its aborted-transaction index
 * (`.txnindex`, see txn-index.ts). The class below explains the split between the synchronous `add`
 * and the ordered `write` that makes appends fast.
 *
 * Besides appending it serves reads (the batch holding an offset, through the offset index; by
 * timestamp, through the time index), keeps the indexes (in memory; written to their files when the
 * segment is sealed, at roll and at close; rebuilt from the `.log` when missing or corrupt), finds
 * its log end offset after a clean shutdown from the last index entry on, recovers after a crash
 * (re-validating every batch and truncating at the first bad one) and deletes itself in Kafka's two
 * steps (rename to `.deleted`, remove later). Batch headers are enough for all of it, except the two
 * timestamp lookups, which read the records of the one batch they land on, as Kafka does.
 */
import type { Logger } from 'pino';
import {
  baseOffsetAt,
  batchSizeAt,
  checkBatchIntegrity,
  HEADER_SIZE,
  lastOffsetDeltaAt,
  maxTimestampAt,
} from '../codec/record-batch.js';
import { forEachRecordTime } from '../codec/record-timestamps.js';
import { scanBatches } from './batch-scan.js';
import { OffsetIndex, TimeIndex } from './sparse-index.js';
import type { Storage, StoredFile } from './storage.js';
import { decodeAbortedTxns, TXN_INDEX_SUFFIX, TxnIndex, type AbortedTxn } from './txn-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';
/** A segment the cleaner is writing (Kafka's `.cleaned`): discarded by recovery. */
export const CLEANED_SUFFIX = '.cleaned';
/** A cleaned segment being swapped in (Kafka's `.swap`): recovery completes the swap. */
export const SWAP_SUFFIX = '.swap';
/** Every file a segment may have, in the order Kafka renames them (deletion, and the cleaner's swap). */
export const SEGMENT_SUFFIXES = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX] as const;

/** Kafka names segment files by base offset, zero-padded to 20 digits so they sort by name. */
export function segmentFileName(baseOffset: bigint, suffix: string): string {
  return baseOffset.toString().padStart(20, '0') + suffix;
}

export function parseSegmentBaseOffset(fileName: string): bigint | undefined {
  const m = /^(\d{20})\.log$/.exec(fileName);
  return m ? BigInt(m[1]!) : undefined;
}

/** The base offset of any file of a segment (`.log`, `.index`, `.timeindex`, with or without a suffix after it). */
export function parseSegmentFileOffset(fileName: string): { baseOffset: bigint; suffix: string } | undefined {
  const m = /^(\d{20})(\.log|\.index|\.timeindex)(\.[a-z]+)?$/.exec(fileName);
  return m ? { baseOffset: BigInt(m[1]!), suffix: m[3] ?? '' } : undefined;
}

export interface SegmentSettings {
  indexIntervalBytes: number;
  maxIndexSize: number;
}

export interface SegmentOptions {
  storage: Storage;
  dir: string;
  baseOffset: bigint;
  /** Read at use, so config updates reach existing segments. */
  settings: () => SegmentSettings;
  /**
   * Whether offsets may jump forward between batches: true for a log the cleaner has compacted
   * (or may have). Elsewhere a jump can only be a damaged base offset — a field the CRC does not
   * cover — and recovery truncates there.
   */
  offsetGaps?: () => boolean;
  nowMs: number;
  logger: Logger;
}

const MAX_RELATIVE_OFFSET = 0x7fffffff;
/** Recovery reads big chunks: it must see every byte anyway. */
const RECOVERY_CHUNK = 8 * 1024 * 1024;
/** Header walks for timestamp lookups and LEO discovery read smaller chunks. */
const HEADER_SCAN_CHUNK = 64 * 1024;

interface Indexes {
  offset: OffsetIndex;
  time: TimeIndex;
  txn: TxnIndex;
}

/**
 * One segment: a `.log` of whole batches starting at `baseOffset`, with its sparse `.index` and
 * `.timeindex`. Appends are split in two: `add` updates the in-memory state synchronously (so the
 * caller can assign offsets in arrival order), `write` puts the bytes in the file later, in order.
 * `size` counts added bytes; `readableSize` counts bytes whose write completed, and reads never go
 * past it.
 */
export class Segment {
  readonly baseOffset: bigint;
  size = 0;
  readableSize = 0;
  /** Offset after the last batch added. Exact for the active segment and after recovery. */
  nextOffset: bigint;
  maxTimestamp = -1;
  offsetOfMaxTimestamp: bigint;
  /** Max timestamp of the first batch; the reference for time-based rolling (-1 when empty). */
  private firstTimestampMs = -1;
  private readonly createdMs: number;
  private lastIndexedPosition = 0;
  deleted = false;

  private log: StoredFile | undefined;
  private indexFile: StoredFile | undefined;
  private timeIndexFile: StoredFile | undefined;
  /** Opened on the first aborted transaction: most segments never have one. */
  private txnIndexFile: StoredFile | undefined;
  private indexes: Indexes | undefined;
  private loadingIndexes: Promise<Indexes> | undefined;
  private persistedOffsetEntries = 0;
  private persistedTimeEntries = 0;
  /** Where the last read ended, so a consumer reading sequentially skips the index lookup and scan. */
  private lastRead: { offset: bigint; position: number } | undefined;

  private constructor(private readonly opts: SegmentOptions) {
    this.baseOffset = opts.baseOffset;
    this.nextOffset = opts.baseOffset;
    this.offsetOfMaxTimestamp = opts.baseOffset;
    this.createdMs = opts.nowMs;
  }

  /** A new, empty segment. Its files are created by the first write (or by seal/close). */
  static create(opts: SegmentOptions): Segment {
    const s = new Segment(opts);
    const { maxIndexSize } = opts.settings();
    s.indexes = { offset: new OffsetIndex(maxIndexSize), time: new TimeIndex(maxIndexSize), txn: new TxnIndex() };
    return s;
  }

  /** An existing segment: opens its `.log` only; indexes load on first use. */
  static async open(opts: SegmentOptions): Promise<Segment> {
    const s = new Segment(opts);
    s.log = await opts.storage.open(opts.dir, segmentFileName(opts.baseOffset, LOG_SUFFIX), false);
    s.size = s.readableSize = s.log.size;
    return s;
  }

  private get name(): string {
    return `${this.opts.dir}/${segmentFileName(this.baseOffset, LOG_SUFFIX)}`;
  }

  private relative(offset: bigint): number {
    return Number(offset - this.baseOffset);
  }

  /** Whether an offset can still be stored relative to this segment's base (int32 in the index). */
  canHoldOffset(offset: bigint): boolean {
    return offset - this.baseOffset <= BigInt(MAX_RELATIVE_OFFSET);
  }

  /** True when an index has no room left; the log then rolls. */
  get indexFull(): boolean {
    return this.indexes !== undefined && (this.indexes.offset.isFull || this.indexes.time.isFull);
  }

  /** How long this segment has been filling, by Kafka's rule: batch time if known, else wall time. */
  timeWaitedForRoll(nowMs: number, incomingMaxTimestamp: number): number {
    return this.firstTimestampMs >= 0 ? incomingMaxTimestamp - this.firstTimestampMs : nowMs - this.createdMs;
  }

  /**
   * The first batch's max timestamp (Kafka's getFirstBatchTimestamp), -1 for an empty segment:
   * max.compaction.lag.ms counts from it. Read from the file once for a segment opened from disk.
   */
  async firstBatchTimestamp(): Promise<number> {
    if (this.firstTimestampMs < 0 && this.log && this.readableSize >= HEADER_SIZE) {
      this.firstTimestampMs = maxTimestampAt(await this.log.read(0, HEADER_SIZE), 0);
    }
    return this.firstTimestampMs;
  }

  /** Kafka's LogSegment.lastModified: the log file's mtime (its creation time until the file exists). */
  async lastModified(): Promise<number> {
    try {
      return Math.floor(await this.opts.storage.modifiedMs(this.opts.dir, segmentFileName(this.baseOffset, LOG_SUFFIX)));
    } catch {
      return this.createdMs;
    }
  }

  /** The timestamp retention.ms compares against: the newest batch's, or the file's mtime without one. */
  async largestTimestamp(): Promise<number> {
    await this.loadIndexes();
    if (this.maxTimestamp >= 0) return this.maxTimestamp;
    return this.opts.storage.modifiedMs(this.opts.dir, segmentFileName(this.baseOffset, LOG_SUFFIX));
  }

  // ----------------------------------------------------------------------------- append

  /**
   * Accounts for a batch about to be written at the end of this segment: size, max timestamp, and
   * a sparse index entry whenever more than index.interval.bytes were added since the last one.
   * Synchronous; the indexes must be loaded (they always are for the active segment).
   */
  add(size: number, lastOffset: bigint, maxTimestamp: number): void {
    const { offset: offsetIndex, time: timeIndex } = this.indexes!;
    if (this.size === 0) this.firstTimestampMs = maxTimestamp;
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    // Same rule and entry as Kafka: (last offset of this batch → its start position).
    if (this.size - this.lastIndexedPosition > this.opts.settings().indexIntervalBytes && !offsetIndex.isFull) {
      offsetIndex.append(this.relative(lastOffset), this.size);
      timeIndex.maybeAppend(this.maxTimestamp, this.relative(this.offsetOfMaxTimestamp));
      this.lastIndexedPosition = this.size;
    }
    this.size += size;
    this.nextOffset = lastOffset + 1n;
  }

  /** Writes bytes previously `add`ed, in order, with one gathered write; then new aborted-transaction entries. */
  async write(buffers: Buffer[]): Promise<void> {
    const log = await this.ensureFiles();
    await log.append(buffers);
    await this.persistTxnIndex();
  }

  /**
   * Records a transaction aborted by a marker in this segment (synchronous, like `add`; the active
   * segment's indexes are always loaded). Written to `.txnindex` with the next write.
   */
  addAbortedTxn(entry: AbortedTxn): void {
    this.indexes!.txn.append(entry);
  }

  /** Kafka's collectAbortedTxns over this segment's `.txnindex`. */
  async collectAbortedTxns(fetchOffset: bigint, upperBoundOffset: bigint): Promise<{ found: AbortedTxn[]; complete: boolean }> {
    const { txn } = await this.loadIndexes();
    return txn.collect(fetchOffset, upperBoundOffset);
  }

  /** The entries of `.txnindex` (tests, dump-log). */
  async abortedTxns(): Promise<readonly AbortedTxn[]> {
    return (await this.loadIndexes()).txn.entries;
  }

  /**
   * Appends the entries not yet in `.txnindex`. With `rewrite`, replaces the file with every entry
   * (after recovery rebuilt them), removing it when there are none.
   */
  async persistTxnIndex(rewrite = false): Promise<void> {
    const txn = this.indexes?.txn;
    if (!txn) return;
    const { storage, dir } = this.opts;
    const name = segmentFileName(this.baseOffset, TXN_INDEX_SUFFIX);
    if (rewrite) {
      if (txn.entries.length === 0) {
        await this.txnIndexFile?.close();
        this.txnIndexFile = undefined;
        if (await storage.exists(dir, name)) await storage.remove(dir, name);
        return;
      }
      this.txnIndexFile ??= await storage.open(dir, name, true);
      txn.persisted = 0;
      await this.txnIndexFile.overwrite(txn.unpersisted());
      txn.persisted = txn.entries.length;
      return;
    }
    if (txn.persisted === txn.entries.length) return;
    this.txnIndexFile ??= await storage.open(dir, name, true);
    const upTo = txn.entries.length;
    await this.txnIndexFile.append([txn.unpersisted()]);
    txn.persisted = upTo;
  }

  private async ensureFiles(): Promise<StoredFile> {
    if (this.log && this.indexFile && this.timeIndexFile) return this.log;
    const { storage, dir } = this.opts;
    this.log ??= await storage.open(dir, segmentFileName(this.baseOffset, LOG_SUFFIX), true);
    // Kafka creates all three files with the segment; so do we, for an identical layout.
    this.indexFile ??= await storage.open(dir, segmentFileName(this.baseOffset, INDEX_SUFFIX), true);
    this.timeIndexFile ??= await storage.open(dir, segmentFileName(this.baseOffset, TIME_INDEX_SUFFIX), true);
    return this.log;
  }

  // ----------------------------------------------------------------------------- read

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes`, never past `readableSize` nor,
   * when given, to a batch starting at or after `maxOffset` (the LSO of a read_committed fetch,
   * always a batch boundary). With `minOneMessage` the first batch comes whole even when larger than
   * `maxBytes` (KIP-74); without it, a first batch that does not fit gives no records. Undefined when
   * this segment holds no batch at or after `offset` (below `maxOffset`). `alloc` supplies the
   * buffers read into (see StoredFile.read).
   */
  async read(
    offset: bigint, maxBytes: number, minOneMessage = true, maxOffset?: bigint, alloc?: (size: number) => Buffer,
  ): Promise<{ records: Buffer; nextOffset: bigint } | undefined> {
    const limit = this.readableSize;
    if (limit === 0 || !this.log) return undefined;
    const { offset: offsetIndex } = await this.loadIndexes();
    let start = offsetIndex.lookup(Math.max(0, this.relative(offset)));
    let slack = this.opts.settings().indexIntervalBytes;
    const cached = this.lastRead;
    if (cached && offset >= cached.offset && cached.position > start && cached.position <= limit) {
      start = cached.position;
      slack = 0;
    }
    // One read sized to cover the scan from the floor entry plus the answer, so usually it suffices.
    let found = -1;
    let firstSize = 0;
    let chunk: Buffer = Buffer.alloc(0);
    let chunkPos = 0;
    await scanBatches(
      this.log,
      start,
      limit,
      { chunkSize: Math.max(maxBytes, HEADER_SIZE) + slack, wholeBatches: false, alloc },
      (buf, at, position, size) => {
        if (baseOffsetAt(buf, at) + BigInt(lastOffsetDeltaAt(buf, at)) < offset) return true;
        if (maxOffset !== undefined && baseOffsetAt(buf, at) >= maxOffset) return false;
        found = position;
        firstSize = size;
        chunk = buf;
        chunkPos = position - at;
        return false;
      },
    );
    if (found < 0) return undefined;
    if (firstSize > maxBytes && !minOneMessage) return { records: Buffer.alloc(0), nextOffset: offset };
    const want = Math.min(limit, found + Math.max(firstSize, maxBytes));
    const data =
      want <= chunkPos + chunk.length
        ? chunk.subarray(found - chunkPos, want - chunkPos)
        : await this.log.read(found, want - found, alloc);
    // Trim to whole batches by walking headers in memory.
    let end = firstSize;
    let lastStart = 0;
    while (end + HEADER_SIZE <= data.length) {
      const size = batchSizeAt(data, end);
      if (size < HEADER_SIZE || end + size > data.length) break;
      if (maxOffset !== undefined && baseOffsetAt(data, end) >= maxOffset) break;
      lastStart = end;
      end += size;
    }
    const nextOffset = baseOffsetAt(data, lastStart) + BigInt(lastOffsetDeltaAt(data, lastStart)) + 1n;
    this.lastRead = { offset: nextOffset, position: found + end };
    return { records: data.subarray(0, end), nextOffset };
  }

  /**
   * Kafka's `LogSegment.findOffsetByTimestamp`: the first record at or after `startOffset` whose
   * timestamp is >= `timestamp`, with that record's own timestamp. The time index gives the last
   * entry not after the target, the offset index turns it into a position, a header walk finds the
   * first batch whose max timestamp reaches the target, and only that batch's records are read
   * (decompressed if need be). A batch whose header promised more than its records hold is passed
   * over, as in Kafka.
   */
  async findOffsetByTimestamp(
    timestamp: number,
    startOffset: bigint,
  ): Promise<{ offset: bigint; timestamp: number } | undefined> {
    if (!this.log || this.readableSize === 0) return undefined;
    const { offset: offsetIndex, time: timeIndex } = await this.loadIndexes();
    const fromTime = timeIndex.lookup(timestamp)?.relativeOffset ?? 0;
    let position = offsetIndex.lookup(Math.max(fromTime, this.relative(startOffset), 0));
    for (;;) {
      const batch = await this.nextBatchWhere(position, (buf, at) =>
        baseOffsetAt(buf, at) + BigInt(lastOffsetDeltaAt(buf, at)) >= startOffset && maxTimestampAt(buf, at) >= timestamp);
      if (!batch) return undefined;
      const found = this.firstRecordWhere(batch.bytes, (offset, ts) => offset >= startOffset && ts >= timestamp);
      if (found) return found;
      position = batch.position + batch.bytes.length;
    }
  }

  /**
   * ListOffsets -3 (KIP-734, Kafka's `UnifiedLog.fetchOffsetByTimestamp`): the first record holding
   * this segment's largest timestamp, found in the first batch, from the index entry for
   * `offsetOfMaxTimestamp` on, whose header carries that timestamp. Undefined for an empty segment.
   */
  async findMaxTimestampRecord(): Promise<{ offset: bigint; timestamp: number } | undefined> {
    if (!this.log || this.readableSize === 0) return undefined;
    const { offset: offsetIndex } = await this.loadIndexes();
    const target = this.maxTimestamp;
    const batch = await this.nextBatchWhere(offsetIndex.lookup(this.relative(this.offsetOfMaxTimestamp)), (buf, at) => maxTimestampAt(buf, at) === target);
    return batch && this.firstRecordWhere(batch.bytes, (_, ts) => ts === target);
  }

  /** The first whole batch from `position` on (within what is readable) whose header satisfies `accept`. */
  private async nextBatchWhere(
    position: number,
    accept: (buf: Buffer, at: number) => boolean,
  ): Promise<{ position: number; bytes: Buffer } | undefined> {
    let found: { position: number; bytes: Buffer | undefined; size: number } | undefined;
    await scanBatches(this.log!, position, this.readableSize, { chunkSize: HEADER_SCAN_CHUNK, wholeBatches: false }, (buf, at, pos, size) => {
      if (!accept(buf, at)) return true;
      found = { position: pos, size, bytes: at + size <= buf.length ? buf.subarray(at, at + size) : undefined };
      return false;
    });
    if (!found) return undefined;
    return { position: found.position, bytes: found.bytes ?? (await this.log!.read(found.position, found.size)) };
  }

  /**
   * The first record of `batch` satisfying `accept`, with its offset and timestamp. A batch whose
   * records do not parse (Kafka would have refused it on produce; Tafka does not read records there)
   * is passed over like one whose header over-promised, with a warning.
   */
  private firstRecordWhere(batch: Buffer, accept: (offset: bigint, timestamp: number) => boolean): { offset: bigint; timestamp: number } | undefined {
    let found: { offset: bigint; timestamp: number } | undefined;
    try {
      forEachRecordTime(batch, 0, (offset, timestamp) => {
        if (accept(offset, timestamp)) found = { offset, timestamp };
        return found !== undefined;
      });
    } catch (err) {
      this.opts.logger.warn({ segment: this.name, baseOffset: baseOffsetAt(batch, 0), err: String(err) }, 'the records of a stored batch do not parse; passing over it');
    }
    return found;
  }

  // ----------------------------------------------------------------------------- the cleaner's view

  /**
   * Up to `length` bytes of the `.log` from `position`, as stored (whole batches or not): how the
   * cleaner reads a segment it rewrites. Never past `readableSize`.
   */
  async readRaw(position: number, length: number): Promise<Buffer> {
    const end = Math.min(this.readableSize, position + length);
    if (!this.log || end <= position) return Buffer.alloc(0);
    return this.log.read(position, end - position);
  }

  /** Where the batch holding `offset` starts, or an earlier one (the offset index's floor entry). */
  async positionOf(offset: bigint): Promise<number> {
    const { offset: offsetIndex } = await this.loadIndexes();
    return offsetIndex.lookup(Math.max(0, this.relative(offset)));
  }

  /** Bytes of the segment's offset and time indexes (Kafka groups segments by them too). */
  async indexBytes(): Promise<{ offset: number; time: number }> {
    const { offset, time } = await this.loadIndexes();
    return { offset: offset.sizeInBytes, time: time.sizeInBytes };
  }

  // ----------------------------------------------------------------------------- load & recovery

  /** The in-memory indexes, loading them from their files (or rebuilding them from the log) once. */
  loadIndexes(): Promise<Indexes> {
    if (this.indexes) return Promise.resolve(this.indexes);
    this.loadingIndexes ??= this.readIndexFiles();
    return this.loadingIndexes;
  }

  private async readIndexFiles(): Promise<Indexes> {
    const { storage, dir } = this.opts;
    const { maxIndexSize } = this.opts.settings();
    const [indexBytes, timeBytes, txnBytes] = await Promise.all([
      storage.readFile(dir, segmentFileName(this.baseOffset, INDEX_SUFFIX)),
      storage.readFile(dir, segmentFileName(this.baseOffset, TIME_INDEX_SUFFIX)),
      storage.readFile(dir, segmentFileName(this.baseOffset, TXN_INDEX_SUFFIX)),
    ]);
    const txn = new TxnIndex(this.decodeTxnIndex(txnBytes));
    const offset = new OffsetIndex(maxIndexSize, indexBytes);
    const time = new TimeIndex(maxIndexSize, timeBytes);
    const missing = this.size > 0 && (indexBytes === undefined || timeBytes === undefined);
    if (missing || !offset.isConsistentWith(this.size) || !time.isConsistentWith(MAX_RELATIVE_OFFSET)) {
      this.opts.logger.warn({ segment: this.name }, 'index missing or corrupt; rebuilding it from the log');
      await this.recover(undefined, txn);
      return this.indexes!;
    }
    this.indexes = { offset, time, txn };
    this.persistedOffsetEntries = offset.entries;
    this.persistedTimeEntries = time.entries;
    this.lastIndexedPosition = offset.lastEntry()?.position ?? 0;
    const lastTime = time.lastEntry();
    if (lastTime) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = this.baseOffset + BigInt(lastTime.relativeOffset);
    }
    return this.indexes;
  }

  /** A `.txnindex` file's entries; an unreadable one is dropped with a warning (recovery rebuilds the rest). */
  private decodeTxnIndex(bytes: Buffer | undefined): AbortedTxn[] {
    if (!bytes) return [];
    try {
      return decodeAbortedTxns(bytes);
    } catch (err) {
      this.opts.logger.warn({ err, segment: this.name }, 'unreadable aborted-transaction index; ignoring it');
      return [];
    }
  }

  /**
   * Opens the segment as the active one after a clean shutdown, reading only what is needed: the
   * indexes, the headers after the last index entry (to find the next offset) and the first header
   * (for time-based rolling). Returns false if the tail does not parse, so the caller recovers.
   */
  async loadAsActive(): Promise<boolean> {
    const { offset: offsetIndex } = await this.loadIndexes();
    const log = this.log!;
    // The last index entry names the last offset of the batch at its position; from there on each
    // batch must follow the previous one.
    const entry = offsetIndex.lastEntry();
    const entryLastOffset = entry ? this.baseOffset + BigInt(entry.relativeOffset) : undefined;
    const gaps = this.opts.offsetGaps?.() ?? false;
    let expectedBase: bigint | undefined = entry ? undefined : this.baseOffset;
    const scan = await scanBatches(
      log,
      entry?.position ?? 0,
      this.size,
      { chunkSize: HEADER_SCAN_CHUNK, wholeBatches: false },
      (buf, at) => {
        const base = baseOffsetAt(buf, at);
        const last = base + BigInt(lastOffsetDeltaAt(buf, at));
        if (expectedBase === undefined ? last !== entryLastOffset : base !== expectedBase && !(gaps && base > expectedBase)) return false;
        expectedBase = last + 1n;
        return true;
      },
    );
    if (scan.reason !== 'end' || expectedBase === undefined) return false;
    this.nextOffset = expectedBase;
    if (this.size >= HEADER_SIZE) this.firstTimestampMs = maxTimestampAt(await log.read(0, HEADER_SIZE), 0);
    return true;
  }

  /**
   * Re-validates every batch (length, magic, CRC, contiguous offsets), truncates the log at the first
   * one that fails, and rebuilds both indexes from what remains. Returns the bytes truncated.
   * `onBatch` sees each batch kept, so the caller can rebuild other state (producer state) in the
   * same pass.
   */
  async recover(onBatch?: (buf: Buffer, at: number) => void, txnIndex?: TxnIndex): Promise<number> {
    const log = await this.ensureFiles();
    const gaps = this.opts.offsetGaps?.() ?? false;
    const { indexIntervalBytes, maxIndexSize } = this.opts.settings();
    const offsetIndex = new OffsetIndex(maxIndexSize);
    const timeIndex = new TimeIndex(maxIndexSize);
    let expected = this.baseOffset;
    let maxTimestamp = -1;
    let offsetOfMax = this.baseOffset;
    let firstTimestamp = -1;
    let lastIndexed = 0;
    const scan = await scanBatches(
      log,
      0,
      log.size,
      { chunkSize: RECOVERY_CHUNK, wholeBatches: true },
      (buf, at, position, size) => {
        if (checkBatchIntegrity(buf, at, at + size) !== 0) return false;
        // Offsets go up batch by batch: contiguous, unless compaction removed some. A jump in a log
        // never compacted is a damaged baseOffset field, which the CRC does not cover.
        const base = baseOffsetAt(buf, at);
        if (base !== expected && !(gaps && base > expected)) return false;
        const delta = lastOffsetDeltaAt(buf, at);
        const last = base + BigInt(delta);
        if (delta < 0 || !this.canHoldOffset(last)) return false;
        const ts = maxTimestampAt(buf, at);
        if (position === 0) firstTimestamp = ts;
        if (ts > maxTimestamp) {
          maxTimestamp = ts;
          offsetOfMax = last;
        }
        if (position - lastIndexed > indexIntervalBytes && !offsetIndex.isFull) {
          offsetIndex.append(this.relative(last), position);
          timeIndex.maybeAppend(maxTimestamp, this.relative(offsetOfMax));
          lastIndexed = position;
        }
        expected = last + 1n;
        onBatch?.(buf, at);
        return true;
      },
    );
    const truncated = log.size - scan.position;
    if (truncated > 0) {
      this.opts.logger.warn({ segment: this.name, position: scan.position, truncated }, 'truncating log at first invalid batch');
      await log.truncate(scan.position);
    }
    this.size = this.readableSize = scan.position;
    this.nextOffset = expected;
    this.maxTimestamp = maxTimestamp;
    this.offsetOfMaxTimestamp = offsetOfMax;
    this.firstTimestampMs = firstTimestamp;
    this.lastIndexedPosition = lastIndexed;
    this.lastRead = undefined;
    // The aborted-transaction index cannot be rebuilt from this segment alone (an entry needs the
    // transaction's first offset, maybe in an earlier segment): the log loader rebuilds it while
    // replaying producer state and hands it in; otherwise the loaded one is kept.
    const txn = txnIndex ?? this.indexes?.txn ?? new TxnIndex();
    this.indexes = { offset: offsetIndex, time: timeIndex, txn };
    await this.indexFile!.overwrite(offsetIndex.bytes());
    await this.timeIndexFile!.overwrite(timeIndex.bytes());
    this.persistedOffsetEntries = offsetIndex.entries;
    this.persistedTimeEntries = timeIndex.entries;
    return truncated;
  }

  /**
   * Calls `visit` with each batch (whole) whose last offset is >= `fromOffset`, starting at the
   * index floor entry: how producer state is replayed from a snapshot to the log end.
   */
  async scanHeaders(fromOffset: bigint, visit: (buf: Buffer, at: number) => void): Promise<void> {
    if (!this.log || this.size === 0) return;
    const { offset: offsetIndex } = await this.loadIndexes();
    const start = offsetIndex.lookup(Math.max(0, this.relative(fromOffset)));
    // Whole batches: a transaction marker is told apart (COMMIT or ABORT) by its one record.
    await scanBatches(this.log, start, this.size, { chunkSize: RECOVERY_CHUNK, wholeBatches: true }, (buf, at) => {
      if (baseOffsetAt(buf, at) + BigInt(lastOffsetDeltaAt(buf, at)) >= fromOffset) visit(buf, at);
      return true;
    });
  }

  // ----------------------------------------------------------------------------- durability & lifecycle

  /**
   * Makes this segment inactive: records its max timestamp as a last time-index entry (so retention
   * and reopen know it without reading the log) and writes out index entries.
   */
  async seal(): Promise<void> {
    const { time } = await this.loadIndexes();
    if (this.maxTimestamp >= 0) time.maybeAppend(this.maxTimestamp, this.relative(this.offsetOfMaxTimestamp), true);
    await this.persistIndexes();
  }

  /** Appends index entries not yet in the files. Indexes live in memory; the files are their copy. */
  async persistIndexes(): Promise<void> {
    if (!this.indexes) return;
    await this.ensureFiles();
    await this.persistTxnIndex();
    const { offset, time } = this.indexes;
    if (offset.entries > this.persistedOffsetEntries) {
      await this.indexFile!.append([offset.bytes(this.persistedOffsetEntries)]);
      this.persistedOffsetEntries = offset.entries;
    }
    if (time.entries > this.persistedTimeEntries) {
      await this.timeIndexFile!.append([time.bytes(this.persistedTimeEntries)]);
      this.persistedTimeEntries = time.entries;
    }
  }

  /** fsync the log (and index files when open). */
  async sync(): Promise<void> {
    await this.log?.sync();
    await this.indexFile?.sync();
    await this.timeIndexFile?.sync();
    await this.txnIndexFile?.sync();
  }

  /**
   * Cuts the `.log` file back to `size` bytes, if it exists (after a failed write: what follows was
   * never acknowledged). The segment must be closed; the log is reopened from disk afterwards.
   */
  async truncateLog(size: number): Promise<void> {
    const { storage, dir } = this.opts;
    const name = segmentFileName(this.baseOffset, LOG_SUFFIX);
    if (!(await storage.exists(dir, name))) return;
    const log = await storage.open(dir, name, false);
    try {
      if (log.size > size) await log.truncate(size);
    } finally {
      await log.close();
    }
  }

  async close(): Promise<void> {
    const files = [this.log, this.indexFile, this.timeIndexFile, this.txnIndexFile];
    this.log = this.indexFile = this.timeIndexFile = this.txnIndexFile = undefined;
    await Promise.all(files.map((f) => f?.close()));
  }

  /** Kafka's first deletion step: rename every file to `*.deleted`; reads in flight keep working. */
  async markDeleted(): Promise<void> {
    this.deleted = true;
    const { storage, dir } = this.opts;
    for (const suffix of SEGMENT_SUFFIXES) {
      const name = segmentFileName(this.baseOffset, suffix);
      if (await storage.exists(dir, name)) await storage.rename(dir, name, name + DELETED_SUFFIX);
    }
  }

  /** The second step, after file.delete.delay.ms: close and remove the `.deleted` files. */
  async removeFiles(): Promise<void> {
    await this.close();
    const { storage, dir } = this.opts;
    for (const suffix of SEGMENT_SUFFIXES) {
      await storage.remove(dir, segmentFileName(this.baseOffset, suffix) + DELETED_SUFFIX);
    }
  }
}
