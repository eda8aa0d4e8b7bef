/**
 * One kind of client quota (producer bytes, consumer bytes, or request time): which quota applies
 * to a request, how much the client has used, and how long to throttle it. Kafka's
 * ClientQuotaManager with its DefaultQuotaCallback.
 *
 * Which quota applies: the most specific entity that has this quota key set, in this order:
 *
 *     1. user=<user>, client-id=<client-id>      5. user=<default>, client-id=<default>
 *     2. user=<user>, client-id=<default>        6. user=<default>
 *     3. user=<user>                             7. client-id=<client-id>
 *     4. user=<default>, client-id=<client-id>   8. client-id=<default>
 *
 * Who shares a rate: the entity that matched decides. A quota set for `user=alice` is one budget
 * for all of alice's client ids; one set for `client-id=<default>` gives each client id its own
 * budget. Kafka names that budget by "metric tags" (user, client-id), with the part the matched
 * entity does not name left empty; so does this class (the sensor key).
 *
 * Unused rates are dropped after an hour, as Kafka expires its quota sensors.
 */
import type { ScheduledTask, Clock } from '../clock.js';
import { CLIENT_ID, USER, entityKey } from './entity.js';
import { Rate, type RateConfig } from './rate.js';
import type { ClientQuotaStore } from './store.js';

const SENSOR_EXPIRY_MS = 3_600_000;
const SENSOR_PURGE_INTERVAL_MS = 30_000;

/** The budget of one (user, client-id) pair of metric tags: its rate and quota. */
export interface QuotaSensor {
  readonly rate: Rate;
  /** The quota, or Infinity when none applies (the rate is still measured, as in Kafka). */
  readonly limit: number;
  lastRecordMs: number;
}

/** Keys of the entities the precedence ladder looks at, built once per (user, client id). */
function ladder(user: string, clientId: string): { key: string; tags: [string, string] }[] {
  const e = (u: string | null | undefined, c: string | null | undefined) => entityKey({ [USER]: u, [CLIENT_ID]: c });
  return [
    { key: e(user, clientId), tags: [user, clientId] },
    { key: e(user, null), tags: [user, clientId] },
    { key: e(user, undefined), tags: [user, ''] },
    { key: e(null, clientId), tags: [user, clientId] },
    { key: e(null, null), tags: [user, clientId] },
    { key: e(null, undefined), tags: [user, ''] },
    { key: e(undefined, clientId), tags: ['', clientId] },
    { key: e(undefined, null), tags: ['', clientId] },
  ];
}

export class ClientQuotaManager {
  private readonly sensors = new Map<string, QuotaSensor>();
  private purgeTask: ScheduledTask | undefined;
  private enabledGeneration = -1;
  private enabledValue = false;
  /** Bumped when unused sensors are dropped, so that callers holding one fetch it again. */
  purges = 0;

  constructor(
    /** The quota key: producer_byte_rate, consumer_byte_rate or request_percentage. */
    readonly quotaKey: string,
    private readonly store: ClientQuotaStore,
    private readonly rateConfig: RateConfig,
    private readonly clock: Clock,
    /** Largest throttle time, in ms (Kafka caps request-time throttling at one window). */
    private readonly maxThrottleMs = Infinity,
  ) {}

  /** Whether any entity sets this quota: otherwise nothing is recorded (Kafka's quotasEnabled). */
  get enabled(): boolean {
    if (this.enabledGeneration !== this.store.generation) {
      this.enabledGeneration = this.store.generation;
      this.enabledValue = this.store.has(this.quotaKey);
    }
    return this.enabledValue;
  }

  /**
   * The sensor for a user and client id: where their usage is recorded. A caller may keep it for
   * later requests while `store.generation` has not changed (see enforcer.ts).
   */
  sensorFor(user: string, clientId: string): QuotaSensor {
    let tags: [string, string] = ['', clientId];
    let limit = Infinity;
    for (const step of ladder(user, clientId)) {
      const value = this.store.get(this.quotaKey, step.key);
      if (value !== undefined) {
        tags = step.tags;
        limit = value;
        break;
      }
    }
    const name = JSON.stringify(tags);
    let sensor = this.sensors.get(name);
    if (!sensor || sensor.limit !== limit) {
      // A changed quota keeps the usage measured so far, as Kafka updates the metric's bound in place.
      sensor = { rate: sensor?.rate ?? new Rate(this.rateConfig), limit, lastRecordMs: this.clock.now() };
      this.sensors.set(name, sensor);
      this.schedulePurge();
    }
    return sensor;
  }

  /** Records `value` and returns how long to throttle the client (0 within its quota). */
  record(sensor: QuotaSensor, value: number, now: number): number {
    sensor.rate.record(value, now);
    sensor.lastRecordMs = now;
    if (sensor.limit === Infinity) return 0;
    return Math.min(sensor.rate.throttleTime(sensor.limit, now), this.maxThrottleMs);
  }

  /** Takes back a recorded value (a throttled Fetch sends no data, so its bytes do not count). */
  unrecord(sensor: QuotaSensor, value: number, now: number): void {
    sensor.rate.record(-value, now);
  }

  /**
   * The most a client can take at once without being throttled even after an idle window: Kafka
   * caps a Fetch's max bytes to it, so one fetch cannot earn a throttle of many windows.
   */
  maxValueInQuotaWindow(sensor: QuotaSensor): number {
    return sensor.limit * (this.rateConfig.samples - 1) * (this.rateConfig.windowMs / 1000);
  }

  /** Sensors currently kept (for tests and the inspector). */
  get sensorCount(): number {
    return this.sensors.size;
  }

  close(): void {
    this.purgeTask?.cancel();
    this.purgeTask = undefined;
  }

  private schedulePurge(): void {
    if (this.purgeTask) return;
    this.purgeTask = this.clock.scheduleEvery(SENSOR_PURGE_INTERVAL_MS, () => {
      const now = this.clock.now();
      for (const [name, sensor] of this.sensors) {
        if (now - sensor.lastRecordMs < SENSOR_EXPIRY_MS) continue;
        this.sensors.delete(name);
        this.purges++;
      }
      if (this.sensors.size === 0) this.close();
    });
  }
}
