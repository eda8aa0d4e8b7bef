/**
 * One client connection to one broker: requests out with increasing correlation ids, responses
 * matched back to them. Kafka answers a connection's requests in order, but matching by id keeps
 * this honest and lets several requests be in flight (a long-polling Fetch next to a Heartbeat
 * goes on separate connections anyway; see client.ts).
 */
import { connect, type Socket } from 'node:net';
import type { ApiSpec, MessageOf } from '../../protocol/schema.js';
import { ApiVersions } from '../../protocol/messages/18-api-versions.js';
import { systemClock, type Clock } from '../clock.js';
import { codecFor, isFlexible } from '../codec/interpret.js';
import { Reader } from '../codec/reader.js';
import { FrameReader } from '../server/frame-reader.js';
import { ClientError } from './errors.js';

/** The connection failed or closed, or a request timed out: the request may or may not have been served. */
export class ConnectionError extends ClientError {
  override readonly code = 'TAFKA_ERR_CONNECTION';
}

interface Pending {
  readonly decode: (frame: Buffer, offset: number) => unknown;
  readonly flexibleHeader: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: { cancel(): void };
}

/** Responses can be large (a Fetch of many partitions); the broker never sends more than this. */
const MAX_RESPONSE_BYTES = 1 << 30;

export class BrokerConnection {
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly frames = new FrameReader(MAX_RESPONSE_BYTES);
  private closedError: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly clientId: string,
    private readonly clock: Clock,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new ConnectionError(`${address}: ${err.message}`)));
    socket.on('close', () => this.fail(new ConnectionError(`${address}: connection closed by the broker`)));
  }

  static open(host: string, port: number, opts: { clientId: string; timeoutMs: number; clock?: Clock }): Promise<BrokerConnection> {
    const clock = opts.clock ?? systemClock;
    const address = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = clock.schedule(opts.timeoutMs, () => {
        socket.destroy();
        reject(new ConnectionError(`${address}: no connection within ${opts.timeoutMs} ms`));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        timer.cancel();
        const why = err.code === 'ECONNREFUSED' ? 'connection refused (is a broker running there?)' : err.message;
        reject(new ConnectionError(`${address}: ${why}`));
      });
      socket.once('connect', () => {
        timer.cancel();
        socket.removeAllListeners('error');
        resolve(new BrokerConnection(socket, address, opts.clientId, clock));
      });
    });
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /**
   * Sends one request at `version`. `expectResponse: false` is for Produce with acks=0, which
   * Kafka never answers.
   */
  request<A extends ApiSpec>(
    api: A,
    version: number,
    body: MessageOf<A['request']>,
    opts: { timeoutMs: number; expectResponse?: boolean },
  ): Promise<MessageOf<A['response']>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    const requestCodec = codecFor(api.request, version);
    const frame = [this.header(api.apiKey, version, correlationId, requestCodec.flexible), ...requestCodec.encode(body)];
    let size = 0;
    for (const b of frame) size += b.length;
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeInt32BE(size);
    this.socket.write(Buffer.concat([prefix, ...frame]));
    if (opts.expectResponse === false) return Promise.resolve(undefined as never);
    const responseCodec = codecFor(api.response, version);
    return new Promise((resolve, reject) => {
      const timer = this.clock.schedule(opts.timeoutMs, () => {
        this.pending.delete(correlationId);
        reject(new ConnectionError(`${this.address}: no answer to ${api.name} v${version} within ${opts.timeoutMs} ms`));
      });
      this.pending.set(correlationId, {
        decode: (f, offset) => responseCodec.decode(f, offset),
        // Response header v1 (with tags) for flexible versions, except ApiVersions (always v0).
        flexibleHeader: isFlexible(api.response, version) && api.apiKey !== ApiVersions.apiKey,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
    });
  }

  /** Request header v1, or v2 (an empty tag section after the client id) for flexible versions. */
  private header(apiKey: number, version: number, correlationId: number, flexible: boolean): Buffer {
    const id = Buffer.from(this.clientId, 'utf8');
    const h = Buffer.alloc(10 + id.length + (flexible ? 1 : 0));
    h.writeInt16BE(apiKey, 0);
    h.writeInt16BE(version, 2);
    h.writeInt32BE(correlationId, 4);
    h.writeInt16BE(id.length, 8);
    id.copy(h, 10);
    return h; // the tag section, when present, is the trailing zero byte
  }

  private onData(chunk: Buffer): void {
    this.frames.push(chunk);
    let frame: Buffer | undefined;
    try {
      while ((frame = this.frames.next())) this.onFrame(frame);
    } catch (err) {
      this.fail(new ConnectionError(`${this.address}: bad response: ${(err as Error).message}`));
      this.socket.destroy();
    }
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    if (!p) return; // timed out earlier
    this.pending.delete(correlationId);
    p.timer.cancel();
    let offset = 4;
    if (p.flexibleHeader) {
      const r = new Reader(frame, 4);
      const tags = r.unsignedVarint();
      for (let i = 0; i < tags; i++) {
        r.unsignedVarint();
        r.skip(r.unsignedVarint());
      }
      offset = r.pos;
    }
    try {
      p.resolve(p.decode(frame, offset));
    } catch (err) {
      p.reject(new ConnectionError(`${this.address}: undecodable response: ${(err as Error).message}`));
    }
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    for (const p of this.pending.values()) {
      p.timer.cancel();
      p.reject(err);
    }
    this.pending.clear();
  }

  close(): void {
    this.fail(new ConnectionError(`${this.address}: connection closed`));
    this.socket.destroy();
  }
}
