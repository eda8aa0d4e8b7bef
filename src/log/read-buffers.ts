/**
 * Reusable read buffers for Fetch: the bytes a fetch reads from a segment go to the socket as they
 * are, so each read used to allocate a fresh Buffer of up to `partition_max_bytes` (1 MiB by
 * default) that lived only until the response was written. Buffers that large live outside V8's
 * heap, and every ~100 MB of them made V8 run a full Mark-Compact ("external memory pressure"):
 * consuming was dominated by garbage collection, not by moving bytes. Here they are reused instead.
 *
 * Ownership is what keeps this correct. A fetch takes a `ReadLease`; every buffer the lease hands
 * out belongs to that fetch until `release()`, which the fetch calls only once nothing can read the
 * buffers any more: its response has been written to the socket (the write's completion callback,
 * see Connection), or the reads were discarded before anything referenced them. A lease that is
 * never released (a connection that closed with the response unsent) only means its buffers are
 * collected as garbage instead of reused: losing a buffer is safe, reusing one early is not.
 */

/** Reads smaller than this come from Node's allocator: cheap, and not worth holding on to. */
export const MIN_POOLED_BYTES = 64 * 1024;
/** Larger reads (a client asking for huge partitions) are allocated each time. */
export const MAX_POOLED_BYTES = 64 * 1024 * 1024;
/** Capacities are rounded up to this, so reads of nearly the same size share buffers. */
const GRANULE = 64 * 1024;

export class ReadBufferPool {
  /**
   * Free buffers, smallest first. Any buffer at least as large as a read serves it: a consumer's
   * reads are mostly `partition_max_bytes` plus the index slack, but shorter at the log's end.
   */
  private readonly free: Buffer[] = [];
  private freeBytes = 0;
  /** Buffers handed out and not yet given back, to refuse a double give (a bug that would share a buffer). */
  private readonly lent = new WeakSet<ArrayBufferLike>();

  /** `maxFreeBytes`: how much idle memory the pool may keep; beyond it the smallest buffers are dropped. */
  constructor(private readonly maxFreeBytes = 64 * 1024 * 1024) {}

  /** A buffer for one fetch's reads. */
  lease(): ReadLease {
    return new ReadLease(this);
  }

  /** Idle bytes kept for reuse. */
  get idleBytes(): number {
    return this.freeBytes;
  }

  /** A whole buffer of at least `size` bytes, with its own ArrayBuffer (length = its capacity). */
  take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= size);
    let buf: Buffer;
    if (i >= 0) {
      buf = this.free.splice(i, 1)[0]!;
      this.freeBytes -= buf.length;
    } else {
      buf = Buffer.allocUnsafeSlow(Math.ceil(size / GRANULE) * GRANULE); // never a slice of a shared slab
    }
    this.lent.add(buf.buffer);
    return buf;
  }

  /** Gives back a buffer from take(): from now on the pool may hand it to another reader. */
  give(buf: Buffer): void {
    if (!this.lent.has(buf.buffer)) throw new Error('read buffer given back twice, or not from this pool');
    this.lent.delete(buf.buffer);
    let at = this.free.findIndex((b) => b.length >= buf.length);
    if (at < 0) at = this.free.length;
    this.free.splice(at, 0, buf);
    this.freeBytes += buf.length;
    // Over budget: drop the smallest (garbage now, never reused), which serve the fewest reads.
    while (this.freeBytes > this.maxFreeBytes) this.freeBytes -= this.free.shift()!.length;
  }
}

/**
 * The buffers one fetch reads into. `alloc` is what the log's reads call; `release` gives every
 * pooled buffer back at once and may be called more than once (later calls do nothing).
 */
export class ReadLease {
  private readonly held: Buffer[] = [];
  private released = false;

  constructor(private readonly pool: ReadBufferPool) {}

  /** `size` bytes to read into: pooled when the size is worth it, a plain allocation otherwise. */
  readonly alloc = (size: number): Buffer => {
    if (this.released) throw new Error('read lease used after release');
    if (size < MIN_POOLED_BYTES || size > MAX_POOLED_BYTES) return Buffer.allocUnsafe(size);
    const buf = this.pool.take(size);
    this.held.push(buf);
    return buf.subarray(0, size);
  };

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const b of this.held) this.pool.give(b);
    this.held.length = 0;
  }
}
