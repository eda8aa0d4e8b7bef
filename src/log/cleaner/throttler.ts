/**
 * log.cleaner.io.max.bytes.per.second, after Kafka's Throttler: the cleaner reports the bytes it
 * reads and writes, and when, over the last check interval, they ran faster than the limit, it
 * waits until the average is back under it. Time comes from the injected clock; the rate is read
 * at each check, so a dynamic config change applies at once. Shared by all cleaner threads, so
 * the limit is theirs together, as in Kafka.
 */
import type { Clock } from '../../clock.js';

/** Kafka checks the rate every 300 ms. */
const CHECK_INTERVAL_MS = 300;

export class Throttler {
  private periodStart: number;
  private observed = 0;

  constructor(
    private readonly clock: Clock,
    /** Bytes per second; Infinity (Kafka's Double.MAX_VALUE default) never throttles. */
    private readonly rate: () => number,
  ) {
    this.periodStart = clock.now();
  }

  /** Accounts for `bytes` of I/O; resolves at once, or after the wait that brings the rate down. */
  async maybeThrottle(bytes: number): Promise<void> {
    this.observed += bytes;
    const now = this.clock.now();
    const elapsed = now - this.periodStart;
    if (elapsed < CHECK_INTERVAL_MS) return;
    const rate = this.rate();
    const wait = Number.isFinite(rate) && rate > 0 ? (this.observed * 1000) / rate - elapsed : 0;
    this.observed = 0;
    if (wait > 0) await new Promise<void>((resolve) => this.clock.schedule(wait, resolve));
    this.periodStart = this.clock.now();
  }
}
