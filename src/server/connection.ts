/**
 * One client connection: frames in, responses out — in request order, and no faster than the
 * broker can hold.
 *
 * Ordering. Several requests may be in flight at once (a long-polling Fetch, a JoinGroup waiting for
 * the rest of its group, pipelined Produce requests), and handlers may finish in any order; Kafka
 * clients still expect the responses on a connection in the order of their requests, so each
 * response waits in `ready` until every earlier one has been written.
 *
 * Backpressure (Kafka's mute/unmute). Kafka reads one request from a connection, mutes it until
 * the response is sent, then reads the next. Tafka lets small requests pipeline (a producer keeps
 * several Produce requests in flight) but takes a new request only while all of these hold:
 * - fewer than MAX_IN_FLIGHT requests are unanswered;
 * - at most MAX_UNSENT_BYTES of responses are waiting: written but not yet taken by the kernel (a
 *   client that does not read), finished out of order, or reserved by requests in flight whose
 *   answers may be large (a Fetch reserves its max bytes, so fetches go one at a time as in Kafka);
 * - the connection is not throttled by a client quota (see src/quota/client-quotas.ts), and if a
 *   quota applies to its client, no request is in flight (Kafka's one request at a time);
 * - the broker-wide request gate is open (`queued.max.requests`, `queued.max.request.bytes`).
 * Otherwise frames stay unread in the FrameReader and the socket is paused, so the kernel's receive
 * buffer fills and TCP holds the client back. Whatever a client sends, the memory it can pin is
 * bounded by those limits plus one response.
 *
 * Idle connections. A connection that has read and written nothing for `connections.max.idle.ms`,
 * with no request in flight, is closed, as Kafka's Selector closes idle channels.
 *
 * Observers. Metrics and the inspector (src/observe/observer.ts) see each request through a probe:
 * decoded, answered, sent. With nothing watching, the cost is one undefined check per request.
 *
 * Authentication. Every frame is first shown to the connection's authenticator
 * (src/security/authenticator.ts): on a SASL listener nothing but ApiVersions and the SASL requests
 * reaches a handler until the client has authenticated, and frames are limited to
 * `sasl.server.max.receive.size` meanwhile. The authenticated principal is what quotas and ACLs see.
 *
 * Failures. A handler that throws is answered, as Kafka answers it, with an error response for its
 * request (src/server/error-response.ts), logged once; the connection stays. Only a malformed frame
 * (or an acks=0 Produce failure, which has no response to carry the error) closes the connection.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { monotonicNow, type ScheduledTask } from '../clock.js';
import type { ConnectionObserver, NetworkObserver, RequestProbe } from '../observe/observer.js';
import type { ClientQuotas, ClientSensors } from '../quota/client-quotas.js';
import { throttledResponse } from '../quota/client-quotas.js';
import type { ConnectionAuth } from '../security/authenticator.js';
import { clientAddress } from '../security/listener-security.js';
import type { KafkaPrincipal } from '../security/principal.js';
import type { BrokerServices } from '../services.js';
import { FrameReader } from './frame-reader.js';
import { encodeResponse, type HandlerRegistry, type ParsedRequest, type RequestHeader } from './dispatch.js';
import { errorFor, errorResponse, expectsNoResponse } from './error-response.js';
import type { RequestContext } from './handler.js';
import type { RequestGate } from './request-gate.js';

/** Past this many unanswered requests, stop reading from the socket until some are answered. */
export const MAX_IN_FLIGHT = 128;
/** Past this many bytes of responses waiting to be sent (or reserved), stop reading requests. */
export const MAX_UNSENT_BYTES = 1024 * 1024;
/** How long a closing connection may take to flush its last responses before it is cut. */
const CLOSE_LINGER_MS = 10_000;

export interface ConnectionOptions {
  readonly registry: HandlerRegistry;
  readonly services: BrokerServices;
  readonly logger: Logger;
  readonly gate: RequestGate;
  readonly quotas: ClientQuotas;
  /** `connections.max.idle.ms`; negative: never close for idleness. */
  readonly idleMs: number;
  /** Metrics and the inspector; undefined when nothing watches. */
  readonly observer?: NetworkObserver;
}

/** A response ready to go (null: none is sent), and what runs once it has been written. */
interface Finished {
  readonly frame: Buffer[] | null;
  readonly written: (() => void)[] | undefined;
}

/** Runs a response's afterResponse hooks; the socket's write callback (error or not) calls it. */
const runAll = (fns: (() => void)[]) => () => {
  for (const fn of fns) fn();
};

const bytesOf = (frame: Buffer[] | null): number => {
  let n = 0;
  if (frame) for (const b of frame) n += b.length;
  return n;
};

export class Connection {
  private readonly frames: FrameReader;
  private nextSeq = 0;
  private nextToSend = 0;
  /** Responses finished out of order, by sequence number; null means "no response" (acks=0). */
  private readonly ready = new Map<number, Finished>();
  private readyBytes = 0;
  /** Response bytes reserved by requests in flight (Handler.responseBytes). */
  private reservedBytes = 0;
  /** Requests in flight that must be alone (from a client under a quota): nothing more is read meanwhile. */
  private exclusive = 0;
  /** Set when reading stopped for a limit; whoever lifts a limit then calls pump(). */
  private muted = false;
  private pumping = false;
  private closing = false;
  private throttleTask: ScheduledTask | undefined;
  private throttledUntil = 0;
  private idleTask: ScheduledTask | undefined;
  private lastActive: number;
  private readonly log: Logger;
  private readonly clientHost: string;
  /** The client's IP address alone, which ACLs name as their host. */
  private readonly clientAddress: string;
  /** socket.request.max.bytes, read once as the frame reader always has. */
  private readonly maxRequestBytes: number;
  private readonly aborter = new AbortController();
  private readonly wake = () => this.pump();
  /** Probes of requests not yet sent, by sequence number (only while an observer watches). */
  private readonly observer: ConnectionObserver | undefined;
  private readonly probes = new Map<number, RequestProbe>();
  /** The socket is corked until the end of this tick (see corkUntilTickEnds). */
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly opts: ConnectionOptions,
    /** Who the connection is and what it may send yet (src/security/authenticator.ts). */
    private readonly auth: ConnectionAuth,
  ) {
    const { services, logger } = opts;
    this.clientHost = `${socket.remoteAddress}:${socket.remotePort}`;
    this.clientAddress = clientAddress(socket);
    this.log = logger.child({ client: this.clientHost });
    this.maxRequestBytes = services.config.get('socket.request.max.bytes');
    this.frames = new FrameReader(this.frameLimit());
    this.lastActive = services.clock.now();
    this.observer = opts.observer?.connectionOpened(this.clientHost);
    socket.once('close', () => this.onClosed());
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.frames.push(chunk);
      this.lastActive = services.clock.now();
      this.pump();
    });
    socket.on('drain', () => {
      this.lastActive = services.clock.now();
      if (this.muted) this.pump();
    });
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    if (opts.idleMs >= 0) this.idleTask = services.clock.schedule(opts.idleMs, () => this.checkIdle());
  }

  /** Who is on the other end: User:ANONYMOUS, the TLS certificate's principal, or the SASL user once authenticated. */
  get principal(): KafkaPrincipal {
    return this.auth.principal;
  }

  /** socket.request.max.bytes, or less while the connection has not authenticated. */
  private frameLimit(): number {
    return Math.min(this.maxRequestBytes, this.auth.maxFrameBytes());
  }

  /** Whether the connection may take another request now (see the header comment). */
  private mayRead(): boolean {
    return (
      this.exclusive === 0 &&
      this.throttleTask === undefined &&
      this.opts.gate.open &&
      this.nextSeq - this.nextToSend < MAX_IN_FLIGHT &&
      this.socket.writableLength + this.readyBytes + this.reservedBytes <= MAX_UNSENT_BYTES
    );
  }

  /** Handles buffered frames while the connection may read; pauses the socket when it may not. */
  private pump(): void {
    if (this.closing || this.pumping) return;
    this.pumping = true;
    // One clock read per batch of frames, not per frame: they arrived together.
    const receivedAt = this.observer ? monotonicNow() : 0;
    try {
      while (this.mayRead()) {
        const frame = this.frames.next();
        if (!frame) {
          this.muted = false;
          if (this.socket.isPaused()) this.socket.resume();
          return;
        }
        this.onFrame(frame, receivedAt);
        if (this.closing) return;
      }
      this.muted = true;
      this.socket.pause();
      if (!this.opts.gate.open) this.opts.gate.whenOpen(this.wake);
    } catch (err) {
      this.close((err as Error).message);
    } finally {
      this.pumping = false;
    }
  }

  private onFrame(frame: Buffer, receivedAt: number): void {
    const seq = this.nextSeq++;
    const quotas = this.opts.quotas;
    const started = quotas.timed ? quotas.stopwatch() : 0;
    // Authentication first: before it completes, only its own requests reach a handler.
    const admission = this.auth.admit(frame);
    this.frames.maxFrameBytes = this.frameLimit();
    if (admission.kind !== 'dispatch') {
      if (admission.kind === 'close') return this.close(admission.reason);
      // A bare SASL token (SaslHandshake v0): its answer is a bare SASL message, or a close.
      admission.reply.then((out) => (out ? this.complete(seq, { frame: out, written: undefined }) : this.close('SASL authentication failed')), (err) => this.close(String(err)));
      return;
    }
    const d = this.opts.registry.dispatch(frame);
    if (d.kind === 'close') return this.close(d.reason);
    if (d.kind === 'reply') return this.complete(seq, { frame: d.frame, written: undefined });
    if (this.observer) this.probes.set(seq, this.observer.request(d.request.header, d.request.handler.api, frame, d.request.body, receivedAt));
    this.run(seq, d.request, frame.length, started);
  }

  private run(seq: number, { header, handler, body }: ParsedRequest, requestBytes: number, started: number): void {
    const { quotas, gate } = this.opts;
    // Quotas are decided synchronously from in-memory counters: nothing here awaits (design §3).
    const sensors: ClientSensors | undefined = quotas.enabled ? quotas.sensorsFor(this.principal, header.clientId) : undefined;
    if (sensors) quotas.beforeRequest(sensors, header.apiKey, body);
    const reserved = handler.responseBytes?.(body as never) ?? 0;
    this.reservedBytes += reserved;
    const exclusive = sensors?.limited === true;
    if (exclusive) this.exclusive++;
    gate.admit(requestBytes);
    let workMs = 0;
    // The request log costs one level check per request while debug is off.
    const startedMs = this.log.isLevelEnabled('debug') ? this.opts.services.clock.now() : -1;
    let written: (() => void)[] | undefined;
    // The header's fields one by one: a spread here cost ~17 µs per request in CPU profiles (the
    // object is then grown property by property), more than the rest of a small produce together.
    const ctx: RequestContext = {
      apiKey: header.apiKey,
      apiVersion: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      clientHost: this.clientHost,
      clientAddress: this.clientAddress,
      principal: this.auth.principal,
      listenerName: this.auth.listenerName,
      sasl: this.auth,
      services: this.opts.services,
      apis: this.opts.registry,
      log: this.log,
      signal: this.aborter.signal,
      closeConnection: (reason) => this.closeAfter(seq, reason),
      afterResponse: (fn) => void (written ??= []).push(fn),
    };
    const finish = (frame: Buffer[] | null) => {
      gate.release(requestBytes);
      this.reservedBytes -= reserved;
      if (exclusive) this.exclusive--;
      this.complete(seq, { frame, written });
    };
    const fail = (err: unknown) => {
      const { code, message } = errorFor(err);
      const { apiVersion: version, clientId, correlationId } = header;
      const fields = { err, api: handler.api.name, version, clientId, correlationId, errorCode: code };
      if (expectsNoResponse(handler.api, body)) {
        this.log.error(fields, 'handler failed; no response expected (acks=0), closing connection');
        this.closeAfter(seq, 'handler failed on a request without response');
        return finish(null);
      }
      this.log.error(fields, 'handler failed; answering with an error response');
      let frame: Buffer[];
      try {
        frame = encodeResponse(handler.api, header, errorResponse(handler.api, header.apiVersion, body, code, message));
      } catch (encodeErr) {
        this.log.error({ err: encodeErr }, 'could not encode the error response; closing connection');
        this.closeAfter(seq, 'unencodable error response');
        return finish(null);
      }
      finish(frame);
    };
    const answer = (response: unknown) => {
      let frame: Buffer[] | null;
      try {
        const encodeStart = sensors && quotas.timed ? quotas.stopwatch() : 0;
        frame = response === null ? null : encodeResponse(handler.api, header, response);
        if (sensors) {
          if (quotas.timed) workMs += quotas.stopwatch() - encodeStart;
          const throttle = quotas.afterRequest(sensors, { apiKey: header.apiKey, body, requestBytes, responseBytes: bytesOf(frame), workMs });
          if (throttle.ms > 0) {
            // KIP-219: the answer goes out at once, carrying the throttle time; then the connection is muted.
            if (response !== null) {
              frame = encodeResponse(handler.api, header, throttledResponse(handler.api, header.apiVersion, response as Record<string, unknown>, throttle));
            }
            this.throttle(throttle.ms);
          }
        }
      } catch (err) {
        return fail(err);
      }
      this.probes.get(seq)?.responded(response, frame);
      if (startedMs >= 0) this.logRequest(header, handler.api.name, requestBytes, frame, startedMs);
      finish(frame);
    };
    try {
      const result = handler.handle(body as never, ctx);
      if (sensors && quotas.timed) workMs = quotas.stopwatch() - started;
      if (result instanceof Promise) result.then(answer, fail);
      else answer(result);
    } catch (err) {
      fail(err);
    }
  }

  /** One debug line per request, like Kafka's kafka.request.logger: what, who, how long, how big. */
  private logRequest(header: RequestHeader, api: string, requestBytes: number, frame: Buffer[] | null, startedMs: number): void {
    this.log.debug(
      {
        api,
        version: header.apiVersion,
        clientId: header.clientId,
        correlationId: header.correlationId,
        ms: this.opts.services.clock.now() - startedMs,
        requestBytes: requestBytes + 4,
        responseBytes: bytesOf(frame),
      },
      'request',
    );
  }

  private sent(seq: number, waited: boolean): void {
    const probe = this.probes.get(seq);
    if (!probe) return;
    this.probes.delete(seq);
    probe.sent(waited);
  }

  /** Sequence number after whose response the connection closes (acks=0 failures). */
  private closeAfterSeq = -1;
  private closeReason = '';

  private closeAfter(seq: number, reason: string): void {
    this.closeAfterSeq = seq;
    this.closeReason = reason;
  }

  /**
   * Record a finished response and write every response that is now next in line. A response's
   * afterResponse hooks ride on the write callback of its last chunk: Node calls it once libuv is
   * done with the bytes (sent, or failed when the socket died), never while it still reads them.
   */
  private complete(seq: number, finished: Finished): void {
    if (this.closing) return;
    if (seq !== this.nextToSend) {
      this.ready.set(seq, finished);
      this.readyBytes += bytesOf(finished.frame);
      return;
    }
    this.lastActive = this.opts.services.clock.now();
    this.corkUntilTickEnds();
    let next: Finished | undefined = finished;
    for (;;) {
      const seqSent = this.nextToSend++;
      const { frame: out, written } = next;
      if (out && out.length > 0) {
        const last = out.length - 1;
        for (let i = 0; i < last; i++) this.socket.write(out[i]);
        this.socket.write(out[last], written && runAll(written));
      } else if (written) runAll(written)();
      if (this.observer) this.sent(seqSent, seqSent !== seq);
      if (seqSent === this.closeAfterSeq) {
        this.uncork();
        return this.close(this.closeReason);
      }
      next = this.ready.get(this.nextToSend);
      if (next === undefined) break;
      this.ready.delete(this.nextToSend);
      this.readyBytes -= bytesOf(next.frame);
    }
    if (this.muted) this.pump();
  }

  /**
   * Holds this turn's responses in the socket until the current batch of callbacks has run: the
   * appends of pipelined produce requests are written together and complete together, and their
   * responses then leave in one writev instead of one syscall each (each ~15 µs on loopback).
   */
  private corkUntilTickEnds(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(this.uncorkNow);
  }

  private readonly uncorkNow = (): void => this.uncork();

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  /** Reads nothing more for `ms` (a client quota was exceeded); responses still go out. */
  private throttle(ms: number): void {
    const clock = this.opts.services.clock;
    const until = clock.now() + ms;
    if (this.throttleTask && until <= this.throttledUntil) return;
    this.throttleTask?.cancel();
    this.throttledUntil = until;
    this.throttleTask = clock.schedule(ms, () => {
      this.throttleTask = undefined;
      this.pump();
    });
  }

  private checkIdle(): void {
    this.idleTask = undefined;
    if (this.closing) return;
    const { clock } = this.opts.services;
    const idleFor = clock.now() - this.lastActive;
    const busy = this.nextSeq !== this.nextToSend;
    if (!busy && idleFor >= this.opts.idleMs) {
      this.log.info({ idleMs: idleFor }, 'closing idle connection (connections.max.idle.ms)');
      return this.destroy();
    }
    this.idleTask = clock.schedule(busy ? this.opts.idleMs : this.opts.idleMs - idleFor, () => this.checkIdle());
  }

  close(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.log.info({ reason }, 'closing connection');
    this.socket.end();
    this.socket.destroySoon();
    // A client that never reads would keep its unsent responses, and the socket, forever.
    if (this.socket.writableLength > 0) this.opts.services.clock.schedule(CLOSE_LINGER_MS, () => this.socket.destroy());
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private onClosed(): void {
    this.closing = true;
    this.aborter.abort();
    this.auth.dispose();
    this.observer?.closed();
    this.throttleTask?.cancel();
    this.idleTask?.cancel();
    this.opts.gate.forget(this.wake);
  }
}
