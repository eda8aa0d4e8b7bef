/**
 * The cleaner's key → last offset map, after Kafka's SkimpyOffsetMap: an open-addressed table of
 * (128-bit key digest, offset) slots, 24 bytes each, so a key costs the same whatever its size and
 * log.cleaner.dedupe.buffer.size bounds the memory exactly. Two keys with the same digest would be
 * taken for one; with 128 bits that is as unlikely as in Kafka (which uses MD5).
 *
 * Kafka allocates the whole buffer up front. Tafka starts small and doubles the table as keys
 * arrive, up to the configured size, so a broker whose compacted topics hold a few thousand keys
 * does not reserve 128 MB per cleaner thread; the capacity — `slots` — is Kafka's all the same.
 *
 * `latestOffset` is the last offset put (or moved forward by `updateLatestOffset`): records after
 * it were not looked at when the map was built, so cleaning keeps them whatever their key.
 */
import { murmur3x86x128 } from './murmur3.js';

/** Digest (16 bytes) + offset (8 bytes), as Kafka's bytesPerEntry with MD5. */
export const BYTES_PER_ENTRY = 24;
const INITIAL_SLOTS = 4096;
/** Grow before probing gets long; at full size the load factor Kafka allows applies instead. */
const GROW_AT = 0.5;
const EMPTY = -1;

export class SkimpyOffsetMap {
  /** Kafka's `slots`: how many keys the configured memory holds. */
  readonly slots: number;
  private tableSlots = 0;
  private hashes = new Uint32Array(0);
  private offsets = new Float64Array(0);
  private entries = 0;
  private lastOffset = -1;
  private readonly digest = new Uint32Array(4);

  constructor(memoryBytes: number) {
    this.slots = Math.max(1, Math.floor(memoryBytes / BYTES_PER_ENTRY));
    this.allocate(Math.min(this.slots, INITIAL_SLOTS));
  }

  get size(): number {
    return this.entries;
  }

  get latestOffset(): number {
    return this.lastOffset;
  }

  /** Share of the configured capacity in use (Kafka's bufferUtilization). */
  get utilization(): number {
    return this.entries / this.slots;
  }

  /** Bytes the table occupies now (at most slots × 24). */
  get allocatedBytes(): number {
    return this.tableSlots * BYTES_PER_ENTRY;
  }

  clear(): void {
    this.entries = 0;
    this.lastOffset = -1;
    this.allocate(Math.min(this.slots, INITIAL_SLOTS));
  }

  updateLatestOffset(offset: number): void {
    this.lastOffset = offset;
  }

  /** Records that `key` (the bytes buf[start, end)) was last seen at `offset`. */
  put(buf: Buffer, start: number, end: number, offset: number): void {
    if (this.entries >= this.slots) throw new Error(`offset map is full (${this.entries} of ${this.slots} slots)`);
    if (this.tableSlots < this.slots && this.entries + 1 > this.tableSlots * GROW_AT) this.grow();
    murmur3x86x128(buf, start, end, this.digest);
    const slot = this.find(this.digest);
    if (this.offsets[slot] === EMPTY) {
      this.hashes.set(this.digest, slot * 4);
      this.entries++;
    }
    this.offsets[slot] = offset;
    this.lastOffset = offset;
  }

  /** The last offset put for `key`, or -1 when it is not in the map. */
  get(buf: Buffer, start: number, end: number): number {
    murmur3x86x128(buf, start, end, this.digest);
    return this.offsets[this.find(this.digest)]!;
  }

  /**
   * The slot holding `digest`, or the empty slot where it would go (linear probing). A full table
   * without the key answers the spare slot after it, which is always EMPTY (only `get` can meet
   * that: `put` refuses to fill the last slot).
   */
  private find(digest: Uint32Array): number {
    const n = this.tableSlots;
    const h = this.hashes;
    let slot = digest[0]! % n;
    for (let probes = 0; probes < n; probes++, slot = slot + 1 === n ? 0 : slot + 1) {
      if (this.offsets[slot] === EMPTY) return slot;
      const at = slot * 4;
      if (h[at] === digest[0] && h[at + 1] === digest[1] && h[at + 2] === digest[2] && h[at + 3] === digest[3]) return slot;
    }
    return n;
  }

  private allocate(slots: number): void {
    this.tableSlots = slots;
    this.hashes = new Uint32Array(slots * 4);
    // One spare slot past the table reads as EMPTY: what `find` answers for a key absent from a full table.
    this.offsets = new Float64Array(slots + 1).fill(EMPTY);
  }

  private grow(): void {
    const { hashes, offsets, tableSlots } = this;
    this.allocate(Math.min(this.slots, tableSlots * 2));
    const digest = new Uint32Array(4);
    for (let s = 0; s < tableSlots; s++) {
      if (offsets[s] === EMPTY) continue;
      digest.set(hashes.subarray(s * 4, s * 4 + 4));
      const slot = this.find(digest);
      this.hashes.set(digest, slot * 4);
      this.offsets[slot] = offsets[s]!;
    }
  }
}
