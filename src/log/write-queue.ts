/** What the queue needs from a job: a way to report that it ran, or failed. */
export interface Settleable {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * An ordered queue that runs jobs one group at a time. Consecutive jobs that `canMerge` are handed
 * to `run` together, which is how many producers' appends become one gathered write (and, with
 * flush.messages=1, one fsync: group commit). Each job is settled once its group has run. Jobs
 * carry their own resolve/reject so an append costs one Promise, not a chain of them.
 */
export class WriteQueue<T extends Settleable> {
  private pending: T[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly run: (jobs: T[]) => Promise<void>,
    private readonly canMerge: (first: T, next: T) => boolean,
    /** Size of a job (bytes for a write); a group stops growing at `maxGroupWeight`. */
    private readonly weight: (job: T) => number = () => 1,
    private readonly maxGroupWeight = Infinity,
  ) {}

  push(job: T): void {
    this.pending.push(job);
    if (!this.running) {
      this.running = true;
      // Start on a microtask so appends issued in the same tick land in the first write together.
      queueMicrotask(() => void this.drain());
    }
  }

  /** Resolves once every job pushed so far has run. */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const first = this.pending[0]!;
      let n = 1;
      let groupWeight = this.weight(first);
      while (n < this.pending.length && this.canMerge(first, this.pending[n]!)) {
        groupWeight += this.weight(this.pending[n]!);
        if (groupWeight > this.maxGroupWeight) break;
        n++;
      }
      const group = n === this.pending.length ? this.pending : this.pending.slice(0, n);
      this.pending = n === this.pending.length ? [] : this.pending.slice(n);
      try {
        await this.run(group);
        for (const job of group) job.resolve();
      } catch (err) {
        for (const job of group) job.reject(err);
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
