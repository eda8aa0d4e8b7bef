/**
 * Client quotas on the request path: Kafka's QuotaManagers and the throttling rules of KafkaApis.
 *
 * Three quotas, each per user and client id (see client-quota-manager.ts for which entity applies):
 * - `producer_byte_rate`: Produce request bytes per second;
 * - `consumer_byte_rate`: Fetch response bytes per second;
 * - `request_percentage`: time spent handling the client's requests, in percent of one thread
 *   (Tafka counts the synchronous work of decoding, handling and encoding on the event loop;
 *   waiting for I/O is not work, as it is not in Kafka's I/O threads).
 *
 * After a request is handled its usage is recorded. Over a quota, the response still goes out at
 * once, carrying `throttle_time_ms`, and the connection reads nothing more for that long (KIP-219):
 * a client that honours the field waits by itself, and one that does not is held anyway. A client
 * under a quota is read one request at a time, as Kafka reads every client, so that a throttle
 * applies from its very next request rather than after a pipeline of them. The rules
 * per API, as KafkaApis applies them:
 * - Produce: producer bytes and request time (request time not for acks=0, which has no response);
 * - Fetch: request time and consumer bytes; a throttled Fetch answers with no partitions and its
 *   bytes are taken back, and before it runs its max bytes are capped to what the quota window
 *   allows;
 * - everything else: request time.
 *
 * Every decision is synchronous over in-memory counters, and nothing is done at all while no quota
 * is set (`enabled` is false): the connection then pays one property read per request.
 */
import type { ApiSpec } from '../../protocol/schema.js';
import { Fetch } from '../../protocol/messages/01-fetch.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import type { Clock } from '../clock.js';
import { inRange } from '../codec/versions.js';
import type { KafkaPrincipal } from '../security/principal.js';
import { ClientQuotaManager, type QuotaSensor } from './client-quota-manager.js';
import { CONSUMER_BYTE_RATE, PRODUCER_BYTE_RATE, REQUEST_PERCENTAGE } from './entity.js';
import type { RateConfig } from './rate.js';
import type { ClientQuotaStore } from './store.js';

/** One client's three budgets. */
export interface ClientSensors {
  readonly produce: QuotaSensor;
  readonly fetch: QuotaSensor;
  readonly request: QuotaSensor;
  /** Whether any quota applies to this client (then its connection reads one request at a time). */
  readonly limited: boolean;
}

/** What a request used, for the throttle decision. */
export interface RequestUsage {
  readonly apiKey: number;
  readonly body: unknown;
  /** The request frame's size (Kafka's request.sizeInBytes). */
  readonly requestBytes: number;
  /** The encoded response's size (0 when there is none). */
  readonly responseBytes: number;
  /** Milliseconds of handling work. */
  readonly workMs: number;
}

/** The throttle decision: how long, and whether a Fetch must answer with no data. */
export interface Throttle {
  readonly ms: number;
  readonly emptyFetch: boolean;
}

const NO_THROTTLE: Throttle = { ms: 0, emptyFetch: false };
const MAX_CACHED_CLIENTS = 10_000;

export class ClientQuotas {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  readonly request: ClientQuotaManager;
  private readonly cache = new Map<string, ClientSensors>();
  private cacheStamp = -1;

  constructor(
    private readonly store: ClientQuotaStore,
    rate: RateConfig,
    private readonly clock: Clock,
    /** Milliseconds from an arbitrary origin, for measuring work; tests pass a fake one. */
    readonly stopwatch: () => number = () => performance.now(),
  ) {
    this.produce = new ClientQuotaManager(PRODUCER_BYTE_RATE, store, rate, clock);
    this.fetch = new ClientQuotaManager(CONSUMER_BYTE_RATE, store, rate, clock);
    // Kafka caps request-time throttling at one quota window (ClientRequestQuotaManager).
    this.request = new ClientQuotaManager(REQUEST_PERCENTAGE, store, rate, clock, rate.windowMs);
  }

  /** True when any client quota is set. */
  get enabled(): boolean {
    return this.produce.enabled || this.fetch.enabled || this.request.enabled;
  }

  /** Whether request time must be measured (request_percentage is set somewhere). */
  get timed(): boolean {
    return this.request.enabled;
  }

  /** The budgets of a principal and client id (Kafka uses "" for a missing client id). */
  sensorsFor(principal: KafkaPrincipal, clientId: string | null): ClientSensors {
    const stamp = this.store.generation + this.produce.purges + this.fetch.purges + this.request.purges;
    if (stamp !== this.cacheStamp || this.cache.size > MAX_CACHED_CLIENTS) {
      this.cache.clear();
      this.cacheStamp = stamp;
    }
    const user = principal.name;
    const client = clientId ?? '';
    const key = `${user}\u0000${client}`;
    let sensors = this.cache.get(key);
    if (!sensors) {
      const produce = this.produce.sensorFor(user, client);
      const fetch = this.fetch.sensorFor(user, client);
      const request = this.request.sensorFor(user, client);
      sensors = { produce, fetch, request, limited: Math.min(produce.limit, fetch.limit, request.limit) < Infinity };
      this.cache.set(key, sensors);
    }
    return sensors;
  }

  /**
   * Before a request runs: a Fetch asks for no more bytes than one quota window allows
   * (KafkaApis.handleFetchRequest), so one fetch cannot earn a throttle of many windows.
   */
  beforeRequest(sensors: ClientSensors, apiKey: number, body: unknown): void {
    if (apiKey !== Fetch.apiKey || !this.fetch.enabled) return;
    const fetch = body as { maxBytes: number };
    const cap = this.fetch.maxValueInQuotaWindow(sensors.fetch);
    if (cap < fetch.maxBytes) fetch.maxBytes = Math.max(1, Math.floor(cap));
  }

  /** Records what a request used and says how long to throttle its client. */
  afterRequest(sensors: ClientSensors, use: RequestUsage): Throttle {
    const now = this.clock.now();
    const requestMs = () => (this.request.enabled ? this.request.record(sensors.request, use.workMs / 10, now) : 0);
    if (use.apiKey === Produce.apiKey) {
      const bytesMs = this.produce.enabled ? this.produce.record(sensors.produce, use.requestBytes, now) : 0;
      const timeMs = (use.body as { acks: number }).acks === 0 ? 0 : requestMs();
      const ms = Math.max(bytesMs, timeMs);
      return ms > 0 ? { ms, emptyFetch: false } : NO_THROTTLE;
    }
    if (use.apiKey === Fetch.apiKey) {
      const timeMs = requestMs();
      const bytesMs = this.fetch.enabled ? this.fetch.record(sensors.fetch, use.responseBytes, now) : 0;
      const ms = Math.max(bytesMs, timeMs);
      if (ms === 0) return NO_THROTTLE;
      if (this.fetch.enabled) this.fetch.unrecord(sensors.fetch, use.responseBytes, now);
      return { ms, emptyFetch: true };
    }
    const ms = requestMs();
    return ms > 0 ? { ms, emptyFetch: false } : NO_THROTTLE;
  }

  close(): void {
    this.produce.close();
    this.fetch.close();
    this.request.close();
  }
}

/**
 * The response to send to a throttled client: `throttle_time_ms` set (where the version has it),
 * and for a Fetch over its quota, no partitions (FetchContext.getThrottledResponse).
 */
export function throttledResponse(api: ApiSpec, version: number, response: Record<string, unknown>, throttle: Throttle): Record<string, unknown> {
  const out = { ...response };
  const field = api.response.fields.find((f) => f.name === 'throttleTimeMs');
  if (field && inRange(version, field.versions)) out.throttleTimeMs = throttle.ms;
  if (throttle.emptyFetch && api.apiKey === Fetch.apiKey) out.responses = [];
  return out;
}
