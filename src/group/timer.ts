/**
 * Timers for the group coordinator: session timeouts, rebalance timeouts, the initial rebalance
 * delay and offset expiration all go through a `Timer`, as Kafka's coordinator goes through its
 * `Timer`/`Time` pair. Production uses `SystemTimer` (setTimeout); tests and benchmarks use
 * `MockTimer`, whose time moves only when told to, so a 30-second session timeout takes no
 * real time to test.
 */
import type { Clock } from '../clock.js';

export interface TimerTask {
  cancel(): void;
}

export interface Timer extends Clock {
  /** Runs `task` once, `delayMs` from now (0 = as soon as possible, never synchronously). */
  schedule(delayMs: number, task: () => void): TimerTask;
}

/** Real time: `setTimeout`, unref'd so a pending timeout never keeps the process alive. */
export class SystemTimer implements Timer {
  constructor(private readonly clock: Clock = { now: () => Date.now() }) {}

  now(): number {
    return this.clock.now();
  }

  schedule(delayMs: number, task: () => void): TimerTask {
    const handle = setTimeout(task, Math.max(0, delayMs));
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  }
}

interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly task: () => void;
  cancelled: boolean;
}

/**
 * Time that moves only through `advance`. Due tasks run in (due time, scheduling order) order,
 * with the clock set to each task's due time, so a task scheduled by another task runs in the
 * same `advance` when it falls due within it.
 */
export class MockTimer implements Timer {
  private ms: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  schedule(delayMs: number, task: () => void): TimerTask {
    const p: Pending = { due: this.ms + Math.max(0, delayMs), seq: this.seq++, task, cancelled: false };
    this.pending.push(p);
    return { cancel: () => void (p.cancelled = true) };
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

  /** Tasks not yet run nor cancelled (for tests that check nothing is left behind). */
  get size(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
