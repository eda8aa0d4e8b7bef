/**
 * In-memory form of Kafka's `.index` and `.timeindex` files: a Buffer of fixed-size big-endian
 * entries plus a count, kept in the exact on-disk layout so persisting is a plain write of bytes.
 * Node has no mmap, so the Buffer is the index and the file is its copy. Sans-io.
 */
export abstract class SparseIndex {
  protected buf: Buffer;
  protected count = 0;

  constructor(
    readonly entrySize: number,
    /** The most entries the index may hold (log.index.size.max.bytes / entrySize). */
    readonly maxEntries: number,
  ) {
    // Small at first and grown on demand: thousands of partitions must not cost megabytes of empty index.
    this.buf = Buffer.alloc(entrySize * Math.min(maxEntries + 1, 16));
  }

  get entries(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Size of the index file these entries make. */
  get sizeInBytes(): number {
    return this.count * this.entrySize;
  }

  /** The on-disk bytes of entries [from, count). */
  bytes(from = 0): Buffer {
    return this.buf.subarray(from * this.entrySize, this.count * this.entrySize);
  }

  clear(): void {
    this.count = 0;
  }

  /** The sort key of entry i (offset or timestamp). */
  protected abstract keyAt(i: number): number;

  /** Index of the last entry whose key <= target, or -1 when there is none. */
  protected floorSlot(target: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keyAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Room for one more entry, growing the Buffer geometrically. */
  protected slotForAppend(): number {
    if ((this.count + 1) * this.entrySize > this.buf.length) {
      const grown = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(grown, 0, 0, this.count * this.entrySize);
      this.buf = grown;
    }
    return this.count++ * this.entrySize;
  }

  /** Loads entries from file bytes, ignoring a partial last entry and trailing zeros. */
  protected load(bytes: Buffer): void {
    // Kafka preallocates index files with zeros and trims them only on a clean close, so trailing
    // all-zero entries are unused space. Kafka never indexes position 0, so no real entry is lost.
    let end = Math.floor(bytes.length / this.entrySize) * this.entrySize;
    while (end > 0 && bytes[end - 1] === 0) end--;
    const n = Math.ceil(end / this.entrySize);
    this.buf = Buffer.alloc(Math.max(n + 1, 16) * this.entrySize);
    bytes.copy(this.buf, 0, 0, n * this.entrySize);
    this.count = n;
  }
}

export interface OffsetPosition {
  /** Offset relative to the segment's base offset. */
  relativeOffset: number;
  /** Byte position of a batch in the segment's `.log`. */
  position: number;
}

/** `.index`: 8-byte entries (int32 relative offset, int32 position), increasing in both. */
export class OffsetIndex extends SparseIndex {
  static readonly ENTRY_SIZE = 8;

  constructor(maxIndexSize: number, bytes?: Buffer) {
    super(OffsetIndex.ENTRY_SIZE, Math.floor(maxIndexSize / OffsetIndex.ENTRY_SIZE));
    if (bytes) this.load(bytes);
  }

  protected keyAt(i: number): number {
    return this.buf.readInt32BE(i * 8);
  }

  entry(i: number): OffsetPosition {
    return { relativeOffset: this.buf.readInt32BE(i * 8), position: this.buf.readInt32BE(i * 8 + 4) };
  }

  lastEntry(): OffsetPosition | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1);
  }

  append(relativeOffset: number, position: number): void {
    const at = this.slotForAppend();
    this.buf.writeInt32BE(relativeOffset, at);
    this.buf.writeInt32BE(position, at + 4);
  }

  /**
   * The position to start scanning from for `relativeOffset`: that of the last entry at or before it,
   * or 0 (the segment start) when there is none.
   */
  lookup(relativeOffset: number): number {
    const slot = this.floorSlot(relativeOffset);
    return slot < 0 ? 0 : this.buf.readInt32BE(slot * 8 + 4);
  }

  /** Kafka-style sanity check: entries strictly increasing and inside the log. */
  isConsistentWith(logSize: number): boolean {
    let prevOffset = -1;
    let prevPosition = -1;
    for (let i = 0; i < this.count; i++) {
      const { relativeOffset, position } = this.entry(i);
      if (relativeOffset <= prevOffset || position <= prevPosition || position >= logSize) return false;
      prevOffset = relativeOffset;
      prevPosition = position;
    }
    return true;
  }
}

export interface TimestampOffset {
  timestamp: number;
  relativeOffset: number;
}

/** `.timeindex`: 12-byte entries (int64 timestamp, int32 relative offset), increasing in both. */
export class TimeIndex extends SparseIndex {
  static readonly ENTRY_SIZE = 12;

  constructor(maxIndexSize: number, bytes?: Buffer) {
    super(TimeIndex.ENTRY_SIZE, Math.floor(maxIndexSize / TimeIndex.ENTRY_SIZE));
    if (bytes) this.load(bytes);
  }

  protected keyAt(i: number): number {
    return Number(this.buf.readBigInt64BE(i * 12));
  }

  entry(i: number): TimestampOffset {
    return { timestamp: Number(this.buf.readBigInt64BE(i * 12)), relativeOffset: this.buf.readInt32BE(i * 12 + 8) };
  }

  lastEntry(): TimestampOffset | undefined {
    return this.count === 0 ? undefined : this.entry(this.count - 1);
  }

  /**
   * Adds an entry only when the timestamp moves past the last one, as Kafka does, so the index
   * stays sorted. `force` lets the final entry in when a segment is sealed even if the index is full.
   */
  maybeAppend(timestamp: number, relativeOffset: number, force = false): void {
    if (this.isFull && !force) return;
    const last = this.lastEntry();
    if (last && timestamp <= last.timestamp) return;
    const at = this.slotForAppend();
    this.buf.writeBigInt64BE(BigInt(timestamp), at);
    this.buf.writeInt32BE(relativeOffset, at + 8);
  }

  /** The last entry with timestamp <= target, or undefined when every entry is later. */
  lookup(timestamp: number): TimestampOffset | undefined {
    const slot = this.floorSlot(timestamp);
    return slot < 0 ? undefined : this.entry(slot);
  }

  isConsistentWith(maxRelativeOffset: number): boolean {
    let prev: TimestampOffset | undefined;
    for (let i = 0; i < this.count; i++) {
      const e = this.entry(i);
      if (e.relativeOffset < 0 || e.relativeOffset > maxRelativeOffset) return false;
      if (prev && (e.timestamp <= prev.timestamp || e.relativeOffset < prev.relativeOffset)) return false;
      prev = e;
    }
    return true;
  }
}
