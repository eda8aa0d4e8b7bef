/**
 * The network layer's observer (src/observe/observer.ts): per request, four timestamps and a few
 * additions to NetworkStats; with the inspector's capture on, also the decoded exchange.
 *
 * Times (monotonic ms): received (the chunk holding the frame arrived), started (handler called),
 * responded (response encoded), sent (written to the socket after every earlier response on the
 * connection; the responded time when nothing earlier was pending).
 */
import type { ApiSpec } from '../../protocol/schema.js';
import { Fetch } from '../../protocol/messages/01-fetch.js';
import { monotonicNow } from '../clock.js';
import type { ConnectionObserver, NetworkObserver, ObservedHeader, RequestProbe } from '../observe/observer.js';
import type { NetworkStats, RequestStats } from './stats.js';
import type { TrafficCapture, TrafficEntry } from './traffic.js';

export class NetworkTap implements NetworkObserver {
  constructor(
    readonly stats: NetworkStats,
    readonly traffic: TrafficCapture,
    /** Names topics that Fetch v13+ gives by id, for bytes out per topic. */
    readonly topicName: (id: string) => string | undefined,
  ) {}

  connectionOpened(clientHost: string): ConnectionObserver {
    this.stats.connectionsOpen++;
    this.stats.connectionsCreated++;
    return new ConnectionTap(this, clientHost);
  }

  connectionRejected(): void {
    this.stats.connectionsRejected++;
  }
}

class ConnectionTap implements ConnectionObserver {
  /** This connection's share of the broker-wide in-flight figures, given back when it closes. */
  inFlightRequests = 0;
  inFlightBytes = 0;
  queuedBytes = 0;

  constructor(
    readonly tap: NetworkTap,
    readonly clientHost: string,
  ) {}

  request(header: ObservedHeader, api: ApiSpec, frame: Buffer, body: unknown, receivedAt: number): RequestProbe {
    const { traffic } = this.tap;
    const capture = traffic.enabled ? traffic.request(this.clientHost, header, api, frame, body) : undefined;
    return new RequestTap(this, header, api.name, frame.length + 4, receivedAt, capture);
  }

  add(requests: number, bytes: number, queued: number): void {
    const s = this.tap.stats;
    this.inFlightRequests += requests;
    this.inFlightBytes += bytes;
    this.queuedBytes += queued;
    s.inFlightRequests += requests;
    s.inFlightBytes += bytes;
    s.queuedResponseBytes += queued;
  }

  closed(): void {
    const s = this.tap.stats;
    s.connectionsOpen--;
    s.connectionsClosed++;
    this.add(-this.inFlightRequests, -this.inFlightBytes, -this.queuedBytes);
  }
}

class RequestTap implements RequestProbe {
  private readonly startedAt = monotonicNow();
  private respondedAt = 0;
  private responseBytes = 0;
  private readonly stats: RequestStats;

  constructor(
    private readonly conn: ConnectionTap,
    private readonly header: ObservedHeader,
    apiName: string,
    private readonly requestBytes: number,
    private readonly receivedAt: number,
    private readonly capture: TrafficEntry | undefined,
  ) {
    this.stats = conn.tap.stats.requestStats(header.apiKey, header.apiVersion, apiName);
    conn.add(1, requestBytes, 0);
  }

  responded(response: unknown, frame: readonly Buffer[] | null): void {
    this.respondedAt = monotonicNow();
    if (frame === null) return;
    for (const b of frame) this.responseBytes += b.length;
    this.conn.add(0, 0, this.responseBytes);
    const throttle = (response as { throttleTimeMs?: unknown }).throttleTimeMs;
    if (typeof throttle === 'number') this.stats.throttle.observe(throttle);
    if (this.header.apiKey === Fetch.apiKey) this.countBytesOut(response as FetchResponse);
    if (this.capture) this.conn.tap.traffic.response(this.capture, frame);
  }

  sent(waited: boolean): void {
    // Clock reads cost hundreds of nanoseconds on some machines: three per request, not four.
    const now = waited || this.respondedAt === 0 ? monotonicNow() : this.respondedAt;
    const respondedAt = this.respondedAt || now;
    const s = this.stats;
    s.requests++;
    s.requestBytes += this.requestBytes;
    s.responseBytes += this.responseBytes;
    s.queue.observe(this.startedAt - this.receivedAt);
    s.local.observe(respondedAt - this.startedAt);
    s.send.observe(now - respondedAt);
    s.total.observe(now - this.receivedAt);
    this.conn.add(-1, -this.requestBytes, -this.responseBytes);
    if (this.capture) this.conn.tap.traffic.publish(this.capture, now - this.receivedAt);
  }

  /** Kafka's BytesOutPerSec: record bytes sent to consumers, per topic. */
  private countBytesOut(response: FetchResponse): void {
    const out = this.conn.tap.stats.bytesOut;
    for (const t of response.responses ?? []) {
      let bytes = 0;
      for (const p of t.partitions) if (p.records) bytes += recordsLength(p.records);
      if (bytes === 0) continue;
      const topic = t.topic || this.conn.tap.topicName(t.topicId) || t.topicId;
      out.set(topic, (out.get(topic) ?? 0) + bytes);
    }
  }
}

interface FetchResponse {
  responses?: { topic: string; topicId: string; partitions: { records: Buffer | readonly Buffer[] | null }[] }[];
}

const recordsLength = (r: Buffer | readonly Buffer[]): number => (Buffer.isBuffer(r) ? r.length : r.reduce((n, b) => n + b.length, 0));
