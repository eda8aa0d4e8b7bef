/**
 * A sustained rate, measured the way Kafka measures client quotas: Kafka's `Rate` over a
 * `SampledStat` of windowed sums (org.apache.kafka.common.metrics.stats), and the throttle time
 * of `QuotaUtils.throttleTime`.
 *
 * Values are summed into `quota.window.num` samples of `quota.window.size.seconds` each (plus one
 * spare that may overlap the start of the window). The rate is the sum of the live samples divided
 * by the time they cover, where that time is never taken as less than `num - 1` whole windows: a
 * client's first burst is spread over ten seconds by default, so it is not throttled for one busy
 * millisecond. A sample with no value for `num` windows is reset.
 *
 * When a recording lifts the rate O above the quota T, the client is throttled for the time that
 * brings the rate back to T if nothing more is recorded: O * W / (W + X) = T, so X = (O - T) / T * W.
 *
 * Time comes from the caller (the broker's Clock), so tests drive it by hand.
 */
export interface RateConfig {
  /** quota.window.num */
  readonly samples: number;
  /** quota.window.size.seconds, in milliseconds */
  readonly windowMs: number;
}

export class Rate {
  // Parallel arrays, one slot per sample (at most samples + 1), so recording allocates nothing.
  private readonly value: Float64Array;
  private readonly start: Float64Array;
  private readonly lastEvent: Float64Array;
  private used = 0;
  private current = 0;

  constructor(private readonly config: RateConfig) {
    const slots = config.samples + 1;
    this.value = new Float64Array(slots);
    this.start = new Float64Array(slots);
    this.lastEvent = new Float64Array(slots);
  }

  /** Adds `value` at time `now` (a negative value takes back an earlier one: Kafka's "unrecord"). */
  record(value: number, now: number): void {
    let s = this.currentSample(now);
    if (now - this.start[s] >= this.config.windowMs) s = this.advance(now);
    this.value[s] += value;
    this.lastEvent[s] = now;
  }

  /** The rate per second at `now`. */
  measure(now: number): number {
    this.purgeObsolete(now);
    let sum = 0;
    for (let i = 0; i < this.used; i++) sum += this.value[i];
    return sum / (this.windowSize(now) / 1000);
  }

  /** The time, in ms, the rate is measured over: at least `samples - 1` whole windows, at least 1 ms. */
  windowSize(now: number): number {
    this.purgeObsolete(now);
    const { samples, windowMs } = this.config;
    let elapsed = now - this.oldestStart(now);
    const fullWindows = Math.floor(elapsed / windowMs);
    if (fullWindows < samples - 1) elapsed += (samples - 1 - fullWindows) * windowMs;
    return Math.max(elapsed, 1);
  }

  /**
   * Throttle time in ms if the rate at `now` exceeds `bound`, else 0 (QuotaUtils.throttleTime).
   */
  throttleTime(bound: number, now: number): number {
    const observed = this.measure(now);
    if (observed <= bound) return 0;
    return Math.round(((observed - bound) / bound) * this.windowSize(now));
  }

  private currentSample(now: number): number {
    if (this.used === 0) this.reset(this.used++, now);
    return this.current;
  }

  private advance(now: number): number {
    this.current = (this.current + 1) % (this.config.samples + 1);
    if (this.current >= this.used) this.used++;
    this.reset(this.current, now);
    return this.current;
  }

  private reset(s: number, now: number): void {
    this.value[s] = 0;
    this.start[s] = now;
    this.lastEvent[s] = now;
  }

  /** Samples with no event for `samples` whole windows hold nothing the rate should see. */
  private purgeObsolete(now: number): void {
    const expireAge = this.config.samples * this.config.windowMs;
    for (let i = 0; i < this.used; i++) if (now - this.lastEvent[i] >= expireAge) this.reset(i, now);
  }

  private oldestStart(now: number): number {
    if (this.used === 0) this.reset(this.used++, now);
    let oldest = this.start[0];
    for (let i = 1; i < this.used; i++) if (this.start[i] < oldest) oldest = this.start[i];
    return oldest;
  }
}
