/**
 * The numbers the taps add to while the broker works: plain counters and fixed-bucket histograms,
 * with no labels, hashing or allocation per event. Prometheus samples are built from them only when
 * /metrics is scraped (metrics.ts).
 */
import type { GroupObserver, LogObserver } from '../observe/observer.js';

/** Request latency buckets in milliseconds, as Kafka's request timers report (…TimeMs). */
export const LATENCY_BUCKETS_MS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/** Counts per bucket (not cumulative; the last slot is +Inf), with the sum and count of values. */
export class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[] = LATENCY_BUCKETS_MS) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** One API key at one version. */
export class RequestStats {
  requests = 0;
  requestBytes = 0;
  responseBytes = 0;
  /** From the frame being read to the handler starting (Kafka: RequestQueueTimeMs). */
  readonly queue = new Histogram();
  /** The handler's work, including its waits: long polls, rebalances, writes (Kafka: LocalTimeMs + RemoteTimeMs). */
  readonly local = new Histogram();
  /** From the response being ready to being handed to the socket, after earlier responses (Kafka: ResponseSendTimeMs). */
  readonly send = new Histogram();
  readonly total = new Histogram();
  /** throttle_time_ms the response carried (quotas). */
  readonly throttle = new Histogram();

  constructor(readonly apiName: string, readonly version: number) {}
}

export class NetworkStats {
  /** By API key, then version; filled on first use. */
  readonly byApi: (RequestStats | undefined)[][] = [];
  connectionsOpen = 0;
  connectionsCreated = 0;
  connectionsClosed = 0;
  connectionsRejected = 0;
  /** Requests read but not yet answered on the socket, and their frame bytes. */
  inFlightRequests = 0;
  inFlightBytes = 0;
  /** Encoded responses waiting for an earlier response on their connection. */
  queuedResponseBytes = 0;
  /** Record bytes sent in Fetch responses, by topic (Kafka: BytesOutPerSec). */
  readonly bytesOut = new Map<string, number>();

  requestStats(apiKey: number, version: number, apiName: string): RequestStats {
    const versions = (this.byApi[apiKey] ??= []);
    return (versions[version] ??= new RequestStats(apiName, version));
  }
}

export interface TopicIn {
  bytes: number;
  messages: number;
}

/** The log's taps: bytes and records appended per topic, rolls, deletions, fsync times. */
export class LogStats implements LogObserver {
  readonly byTopic = new Map<string, TopicIn>();
  readonly rolls = new Map<string, number>();
  deletedSegments = 0;
  readonly flush = new Histogram();

  appended(topic: string, _partition: number, bytes: number, records: number): void {
    let t = this.byTopic.get(topic);
    if (!t) this.byTopic.set(topic, (t = { bytes: 0, messages: 0 }));
    t.bytes += bytes;
    t.messages += records;
  }

  rolled(_topic: string, _partition: number, _baseOffset: bigint, reason: string): void {
    this.rolls.set(reason, (this.rolls.get(reason) ?? 0) + 1);
  }

  segmentsDeleted(_topic: string, _partition: number, count: number): void {
    this.deletedSegments += count;
  }

  flushed(_topic: string, _partition: number, ms: number): void {
    this.flush.observe(ms);
  }
}

export interface Transition {
  readonly atMs: number;
  readonly generation: number;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** The last transitions of each group, for the inspector's rebalance timeline. */
export class GroupTimeline implements GroupObserver {
  private readonly byGroup = new Map<string, Transition[]>();

  constructor(private readonly perGroup = 50) {}

  transition(groupId: string, generation: number, from: string, to: string, reason: string, atMs: number): void {
    let list = this.byGroup.get(groupId);
    if (!list) this.byGroup.set(groupId, (list = []));
    list.push({ atMs, generation, from, to, reason });
    if (list.length > this.perGroup) list.shift();
  }

  of(groupId: string): readonly Transition[] {
    return this.byGroup.get(groupId) ?? [];
  }
}
