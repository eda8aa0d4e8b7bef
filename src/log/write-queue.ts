/**
 * An ordered queue that runs jobs one group at a time. Consecutive jobs that `canMerge` are handed
 * to `run` together, which is how many producers' appends become one gathered write (and, with
 * flush.messages=1, one fsync: group commit). Each push resolves when its group has run.
 */
export class WriteQueue<T> {
  private pending: { job: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly run: (jobs: T[]) => Promise<void>,
    private readonly canMerge: (first: T, next: T) => boolean,
  ) {}

  push(job: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Start on a microtask so appends issued in the same tick land in the first write together.
        queueMicrotask(() => void this.drain());
      }
    });
  }

  /** Resolves once every job pushed so far has run. */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      let n = 1;
      const first = this.pending[0]!.job;
      while (n < this.pending.length && this.canMerge(first, this.pending[n]!.job)) n++;
      const group = this.pending.splice(0, n);
      try {
        await this.run(group.map((g) => g.job));
        for (const g of group) g.resolve();
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
