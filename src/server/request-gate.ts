/**
 * The broker-wide bound on requests in progress: Kafka's `queued.max.requests` and
 * `queued.max.request.bytes`.
 *
 * In Kafka, network threads put requests on one queue of `queued.max.requests` slots for the I/O
 * threads; when it is full they block, so no connection is read until a slot frees. Request bytes
 * come from a memory pool of `queued.max.request.bytes` (-1: unlimited); when it is empty,
 * connections are muted until memory returns. Tafka has no thread pool: a request's handler starts
 * the moment its frame is read. So here a request is "queued" from being read until it is answered,
 * and holds its frame's bytes for that long (a Produce's records are views into its frame).
 * While either count is at its limit the gate is closed, and every connection stops taking new
 * frames from its socket; answering requests reopens it.
 *
 * The gate is a pair of counters: admitting and releasing a request costs two additions and a
 * comparison. Like Kafka's non-strict memory pool, a request is admitted while any byte is left,
 * so one request may overshoot the byte limit; that is why Kafka requires the limit to be at least
 * `socket.request.max.bytes`.
 */
import { ConfigError } from '../config/parse.js';

export class RequestGate {
  private requests = 0;
  private bytes = 0;
  /** Whether connections may read another request (kept up to date, so readers pay one field read). */
  open = true;
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly maxRequests: number,
    /** -1 (or any value <= 0): no byte limit. */
    private readonly maxBytes: number,
  ) {}

  /** From the broker configuration, checked as Kafka's KafkaConfig does. */
  static fromConfig(maxRequests: number, maxBytes: number, socketRequestMaxBytes: number): RequestGate {
    if (maxBytes > 0 && maxBytes < socketRequestMaxBytes) {
      throw new ConfigError('queued.max.request.bytes must be larger or equal to socket.request.max.bytes');
    }
    return new RequestGate(maxRequests, maxBytes);
  }

  /** A request of `bytes` was read. */
  admit(bytes: number): void {
    this.requests++;
    this.bytes += bytes;
    if (this.requests >= this.maxRequests || (this.maxBytes > 0 && this.bytes >= this.maxBytes)) this.open = false;
  }

  /** A request of `bytes` was answered (or dropped). Reopening the gate wakes the waiting connections. */
  release(bytes: number): void {
    this.requests--;
    this.bytes -= bytes;
    if (this.open || this.requests >= this.maxRequests || (this.maxBytes > 0 && this.bytes >= this.maxBytes)) return;
    this.open = true;
    const woken = [...this.waiting];
    this.waiting.clear();
    for (const wake of woken) wake();
  }

  /** Calls `wake` once, when the gate next opens. */
  whenOpen(wake: () => void): void {
    this.waiting.add(wake);
  }

  /** Forget a waiter (its connection closed). */
  forget(wake: () => void): void {
    this.waiting.delete(wake);
  }

  get queuedRequests(): number {
    return this.requests;
  }

  get queuedBytes(): number {
    return this.bytes;
  }
}
