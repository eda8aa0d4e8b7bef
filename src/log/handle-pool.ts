/**
 * A bound on the file descriptors the log store holds: at most `capacity` at once, whatever the
 * number of partitions and segments.
 *
 * Kafka keeps every segment's `.log` open and maps its indexes, so a broker with many partitions
 * needs `ulimit -n` raised to match. Tafka instead opens files when they are used and keeps the
 * recently used ones open: a file handle is acquired for each operation, and when all `capacity`
 * slots are taken, the least recently used idle handle is closed to make room (a handle in use is
 * never closed under an operation; if every slot is busy, the operation waits for one). The active
 * segment of a busy partition stays open; a sealed segment nobody reads is closed soon.
 *
 * Closing a file does not lose anything: data written through any descriptor sits in the page
 * cache, and a later fsync through a new descriptor writes it out (fsync flushes the file, not the
 * descriptor).
 */

/** A file whose descriptor the pool may close when it needs the slot. */
export interface Evictable {
  /** Closes the idle descriptor; the pool frees its slot when this settles. */
  evict(): Promise<void>;
}

export class HandlePool {
  /** Slots taken: descriptors open or opening, cached or for a one-off operation. */
  private taken = 0;
  /** Idle cached descriptors, least recently used first (a Map keeps insertion order). */
  private readonly idle = new Map<Evictable, true>();
  private readonly waiters: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get openCount(): number {
    return this.taken;
  }

  /** Takes a slot, closing the least recently used idle descriptor or waiting for a release when none is free. */
  async acquire(): Promise<void> {
    for (;;) {
      if (this.taken < this.capacity) {
        this.taken++;
        return;
      }
      const lru = this.idle.keys().next();
      if (!lru.done) {
        this.idle.delete(lru.value);
        // The slot is freed when the close completes; meanwhile another waiter may take a free one.
        void lru.value.evict().finally(() => this.release());
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Gives a slot back (its descriptor is closed). */
  release(): void {
    this.taken--;
    this.waiters.shift()?.();
  }

  /** Runs a one-off operation (a whole-file read, an atomic write, a directory listing) in a slot. */
  async withSlot<T>(run: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await run();
    } finally {
      this.release();
    }
  }

  /**
   * A cached descriptor is no longer in use: it becomes the most recently used idle one, or, when an
   * operation is waiting for a slot, is closed at once to give it one.
   */
  markIdle(file: Evictable): void {
    this.idle.delete(file);
    if (this.waiters.length > 0) void file.evict().finally(() => this.release());
    else this.idle.set(file, true);
  }

  /** A cached descriptor is in use, or closing for good: it may not be evicted. */
  markBusy(file: Evictable): void {
    this.idle.delete(file);
  }
}
