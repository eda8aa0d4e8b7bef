/**
 * The test double of `Clock` (src/clock.ts): time that moves only through `advance` or `set`, and
 * runs the tasks that fall due on the way. Used by unit tests and benchmarks, so timeouts of
 * seconds, minutes or days take no real time and no test sleeps.
 */
import type { Clock, ScheduledTask } from '../../src/clock.js';

interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly task: () => void;
  cancelled: boolean;
}

/**
 * Due tasks run in (due time, scheduling order) order, synchronously inside `advance`, with the
 * clock set to each task's due time, so a task scheduled by another task runs in the same `advance`
 * when it falls due within it. A task scheduled with delay 0 runs at the next `advance`, never at
 * once (as with a real timer).
 */
export class ManualClock implements Clock {
  private ms: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  schedule(delayMs: number, task: () => void): ScheduledTask {
    const p: Pending = { due: this.ms + Math.max(0, delayMs), seq: this.seq++, task, cancelled: false };
    this.pending.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }

  scheduleEvery(periodMs: number, task: () => void): ScheduledTask {
    const period = Math.max(1, periodMs); // as setInterval: a period of 0 would never let time pass
    let current: ScheduledTask;
    const run = () => {
      current = this.schedule(period, run);
      task();
    };
    current = this.schedule(period, run);
    return { cancel: () => current.cancel() };
  }

  /** Moves time forward by `ms`, running every task that falls due on the way. */
  advance(ms: number): void {
    const target = this.ms + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.due <= target && (!next || p.due < next.due || (p.due === next.due && p.seq < next.seq))) next = p;
      }
      if (!next) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.ms = Math.max(this.ms, next.due);
      next.task();
    }
    this.ms = target;
  }

  /** Moves time to `ms`: forward as `advance` does; backward (a wall clock stepped back) runs nothing. */
  set(ms: number): void {
    if (ms >= this.ms) this.advance(ms - this.ms);
    else this.ms = ms;
  }

  /** Tasks not yet run nor cancelled (for tests that check nothing is left behind). */
  get size(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
