/**
 * One client connection: frames in, responses out — in request order.
 *
 * Several requests may be in flight at once (a long-polling Fetch, a JoinGroup waiting for the rest
 * of its group), and handlers may finish in any order; Kafka clients still expect the responses on a
 * connection in the order of their requests, so each response waits in `ready` until every earlier
 * one has been written. Nothing thrown by a handler escapes this file: the outcome is always a
 * response or a clean close.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { monotonicNow } from '../clock.js';
import type { ConnectionObserver, RequestProbe } from '../observe/observer.js';
import type { BrokerServices } from '../services.js';
import { FrameReader } from './frame-reader.js';
import { encodeResponse, type HandlerRegistry, type ParsedRequest, type RequestHeader } from './dispatch.js';
import type { RequestContext } from './handler.js';

/** Past this many unanswered requests, stop reading from the socket until some are answered. */
const MAX_IN_FLIGHT = 128;

export class Connection {
  private readonly frames: FrameReader;
  private nextSeq = 0;
  private nextToSend = 0;
  /** Responses finished out of order, by sequence number; null means "no response" (acks=0). */
  private readonly ready = new Map<number, Buffer[] | null>();
  private closing = false;
  private readonly log: Logger;
  private readonly clientHost: string;
  private readonly aborter = new AbortController();
  /** Metrics and the inspector (src/observe/observer.ts): probes of requests not yet sent, by sequence number. */
  private readonly observer: ConnectionObserver | undefined;
  private readonly probes = new Map<number, RequestProbe>();

  constructor(
    private readonly socket: Socket,
    private readonly registry: HandlerRegistry,
    private readonly services: BrokerServices,
    logger: Logger,
    observe?: (clientHost: string) => ConnectionObserver,
  ) {
    this.clientHost = `${socket.remoteAddress}:${socket.remotePort}`;
    this.log = logger.child({ client: this.clientHost });
    this.frames = new FrameReader(services.config.get('socket.request.max.bytes'));
    this.observer = observe?.(this.clientHost);
    socket.once('close', () => {
      this.aborter.abort();
      this.observer?.closed();
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.frames.push(chunk);
    // One clock read per chunk, not per frame: the frames in it arrived together.
    const receivedAt = this.observer ? monotonicNow() : 0;
    try {
      let frame: Buffer | undefined;
      while (!this.closing && (frame = this.frames.next())) this.onFrame(frame, receivedAt);
    } catch (err) {
      this.close((err as Error).message);
    }
  }

  private onFrame(frame: Buffer, receivedAt: number): void {
    const seq = this.nextSeq++;
    const d = this.registry.dispatch(frame);
    if (d.kind === 'close') return this.close(d.reason);
    if (d.kind === 'reply') return this.complete(seq, d.frame);
    if (this.nextSeq - this.nextToSend >= MAX_IN_FLIGHT) this.socket.pause();
    if (this.observer) this.probes.set(seq, this.observer.request(d.request.header, d.request.handler.api, frame, d.request.body, receivedAt));
    this.run(seq, d.request, frame.length);
  }

  private run(seq: number, { header, handler, body }: ParsedRequest, requestBytes: number): void {
    // The request log costs one level check per request while debug is off.
    const startedMs = this.log.isLevelEnabled('debug') ? this.services.clock.now() : -1;
    const ctx: RequestContext = {
      ...header,
      clientHost: this.clientHost,
      services: this.services,
      apis: this.registry,
      log: this.log,
      signal: this.aborter.signal,
      closeConnection: (reason) => this.closeAfter(seq, reason),
    };
    const fail = (err: unknown) => {
      this.log.error({ err, api: handler.api.name, version: header.apiVersion }, 'handler failed; closing connection');
      this.close('handler error');
    };
    const answer = (response: unknown) => {
      try {
        const frame = response === null ? null : encodeResponse(handler.api, header, response);
        this.probes.get(seq)?.responded(response, frame);
        if (startedMs >= 0) this.logRequest(header, handler.api.name, requestBytes, frame, startedMs);
        this.complete(seq, frame);
      } catch (err) {
        fail(err);
      }
    };
    try {
      const result = handler.handle(body as never, ctx);
      if (result instanceof Promise) result.then(answer, fail);
      else answer(result);
    } catch (err) {
      fail(err);
    }
  }

  private sent(seq: number, waited: boolean): void {
    const probe = this.probes.get(seq);
    if (!probe) return;
    this.probes.delete(seq);
    probe.sent(waited);
  }

  /** One debug line per request, like Kafka's kafka.request.logger: what, who, how long, how big. */
  private logRequest(header: RequestHeader, api: string, requestBytes: number, frame: Buffer[] | null, startedMs: number): void {
    let responseBytes = 0;
    for (const b of frame ?? []) responseBytes += b.length;
    this.log.debug(
      {
        api,
        version: header.apiVersion,
        clientId: header.clientId,
        correlationId: header.correlationId,
        ms: this.services.clock.now() - startedMs,
        requestBytes: requestBytes + 4,
        responseBytes,
      },
      'request',
    );
  }

  /** Sequence number after whose response the connection closes (acks=0 failures). */
  private closeAfterSeq = -1;
  private closeReason = '';

  private closeAfter(seq: number, reason: string): void {
    this.closeAfterSeq = seq;
    this.closeReason = reason;
  }

  /** Record a finished response and write every response that is now next in line. */
  private complete(seq: number, frame: Buffer[] | null): void {
    if (this.closing) return;
    this.ready.set(seq, frame);
    if (seq !== this.nextToSend) return;
    this.socket.cork();
    while (this.ready.has(this.nextToSend)) {
      const seqSent = this.nextToSend++;
      const out = this.ready.get(seqSent)!;
      this.ready.delete(seqSent);
      if (out) for (const b of out) this.socket.write(b);
      if (this.observer) this.sent(seqSent, seqSent !== seq);
      if (seqSent === this.closeAfterSeq) {
        this.socket.uncork();
        return this.close(this.closeReason);
      }
    }
    this.socket.uncork();
    if (this.socket.isPaused() && this.nextSeq - this.nextToSend < MAX_IN_FLIGHT) this.socket.resume();
  }

  close(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.log.info({ reason }, 'closing connection');
    this.socket.end();
    this.socket.destroySoon();
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }
}
