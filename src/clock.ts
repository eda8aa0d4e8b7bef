/**
 * The one time source of the broker: what time it is, and running a task later. Every timeout in
 * `src/` goes through an injected `Clock` (fetch long polls, flush.ms, file.delete.delay.ms,
 * retention/checkpoint/producer-expiration checks, group session and rebalance timeouts, offset
 * expiration), as Kafka's code goes through its `Time` and `Scheduler`. Production uses
 * `systemClock`; tests and benchmarks use `ManualClock` (test/support/manual-clock.ts), whose time
 * moves only when told to, so a 30-second session timeout or a 7-day retention takes no real time.
 *
 * This module is the only place in `src/` that touches `Date.now`, `setTimeout` or `setInterval`.
 */

/** A scheduled task. Cancelling is idempotent, and harmless after the task ran. */
export interface ScheduledTask {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `task` once, `delayMs` from now (0 = as soon as possible, never synchronously). */
  schedule(delayMs: number, task: () => void): ScheduledTask;
  /** Runs `task` every `periodMs`, the first time `periodMs` from now, until cancelled. */
  scheduleEvery(periodMs: number, task: () => void): ScheduledTask;
}

/**
 * Real time. Timers are unref'd: a pending timeout never keeps the process alive (the listening
 * socket does that), so shutdown does not wait for a retention check due in five minutes.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(delayMs, task) {
    const handle = setTimeout(task, Math.max(0, delayMs));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
  scheduleEvery(periodMs, task) {
    const handle = setInterval(task, periodMs);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  },
};

/**
 * A monotonic time in milliseconds with sub-millisecond precision, for measuring how long
 * something took (request latencies, fsyncs). Never for scheduling or for timestamps: those use
 * a `Clock`.
 */
export const monotonicNow = (): number => performance.now();
