/**
 * Every place the broker can be watched from, in one file: what the network layer, the log and the
 * group coordinator report as they work. Metrics (src/admin/metrics.ts) and the inspector's traffic
 * capture (src/admin/traffic.ts) implement these interfaces; src/broker.ts wires them in.
 *
 * The rules that keep watching cheap (a request must not pay for being observed):
 * - a tap does plain bookkeeping (add to a number, store a time) and returns; anything costly
 *   (building metric samples, decoding for display) happens when someone asks (a scrape, a page);
 * - what the inspector does only when its capture is on is behind one boolean check;
 * - nothing here may throw into the caller: a tap is not allowed to fail a request.
 *
 * This module is below the server, the log and the groups: it imports only types from the
 * protocol schemas, so any of them can report to it without an import cycle.
 */
import type { ApiSpec } from '../../protocol/schema.js';

/** The request header fields a tap sees (what src/server/dispatch.ts parses). */
export interface ObservedHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/** The network layer's taps: one per broker. */
export interface NetworkObserver {
  /** A connection was accepted; what it returns watches that connection's requests. */
  connectionOpened(clientHost: string): ConnectionObserver;
  /** A connection was refused (connection limits) before any request was read. */
  connectionRejected(reason: string): void;
}

/** One connection's taps. */
export interface ConnectionObserver {
  /**
   * A request frame was parsed and is about to be handled. `frame` is the whole frame after its
   * size prefix; it is only valid during this call (Produce rewrites offsets in it afterwards).
   * `body` is the request as the handler will get it. `receivedAt` is `monotonicNow()` when the
   * frame was cut from the stream.
   */
  request(header: ObservedHeader, api: ApiSpec, frame: Buffer, body: unknown, receivedAt: number): RequestProbe;
  closed(): void;
}

/** One request on its way through the broker. */
export interface RequestProbe {
  /**
   * The handler answered: its response object (before encoding) and the framed bytes, or null
   * when no response is sent (acks=0) or the handler failed.
   */
  responded(response: unknown, frame: readonly Buffer[] | null): void;
  /**
   * The response was handed to the socket, after every earlier response on the connection.
   * `waited` is false when that happened as soon as it was ready (no earlier response pending),
   * so the probe can reuse its ready time instead of reading the clock again.
   */
  sent(waited: boolean): void;
}

/** The partition log's taps (src/log/partition-log.ts). */
export interface LogObserver {
  /** Record batches were accepted and given offsets (bytes and records of the whole append). */
  appended(topic: string, partition: number, bytes: number, records: number): void;
  /** A new segment was started: Kafka's roll reasons (segment.bytes, segment.ms, index full, ...). */
  rolled(topic: string, partition: number, baseOffset: bigint, reason: string): void;
  /** Whole segments were deleted (retention, DeleteRecords). */
  segmentsDeleted(topic: string, partition: number, count: number): void;
  /** An fsync of the partition's data finished, after `ms` milliseconds. */
  flushed(topic: string, partition: number, ms: number): void;
}

/** The group coordinator's taps. */
export interface GroupObserver {
  /** A classic group changed state (src/group/group.ts), with Kafka's reason and the clock's time. */
  transition(groupId: string, generation: number, from: string, to: string, reason: string, atMs: number): void;
}
