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
import type { ConnectionAuth } from '../security/authenticator.js';
import { clientAddress } from '../security/listener-security.js';
import type { BrokerServices } from '../services.js';
import { FrameReader } from './frame-reader.js';
import { encodeResponse, type HandlerRegistry, type ParsedRequest } from './dispatch.js';
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
  private readonly clientAddress: string;
  private readonly aborter = new AbortController();

  constructor(
    private readonly socket: Socket,
    private readonly registry: HandlerRegistry,
    private readonly services: BrokerServices,
    logger: Logger,
    /** Who the connection is and what it may send yet (src/security/authenticator.ts). */
    private readonly auth: ConnectionAuth,
  ) {
    this.clientHost = `${socket.remoteAddress}:${socket.remotePort}`;
    this.clientAddress = clientAddress(socket);
    this.log = logger.child({ client: this.clientHost });
    this.frames = new FrameReader(this.frameLimit());
    socket.once('close', () => {
      this.aborter.abort();
      auth.dispose();
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.frames.push(chunk);
    try {
      let frame: Buffer | undefined;
      while (!this.closing && (frame = this.frames.next())) this.onFrame(frame);
    } catch (err) {
      this.close((err as Error).message);
    }
  }

  /** socket.request.max.bytes, or less while the connection has not authenticated. */
  private frameLimit(): number {
    return Math.min(this.services.config.get('socket.request.max.bytes'), this.auth.maxFrameBytes());
  }

  private onFrame(frame: Buffer): void {
    const seq = this.nextSeq++;
    // Authentication first: before it completes, only its own requests reach a handler.
    const admission = this.auth.admit(frame);
    this.frames.maxFrameBytes = this.frameLimit();
    if (admission.kind === 'close') return this.close(admission.reason);
    if (admission.kind === 'token') {
      admission.reply.then((out) => (out ? this.complete(seq, out) : this.close('SASL authentication failed')), (err) => this.close(String(err)));
      return;
    }
    const d = this.registry.dispatch(frame);
    if (d.kind === 'close') return this.close(d.reason);
    if (d.kind === 'reply') return this.complete(seq, d.frame);
    if (this.nextSeq - this.nextToSend >= MAX_IN_FLIGHT) this.socket.pause();
    this.run(seq, d.request);
  }

  private run(seq: number, { header, handler, body }: ParsedRequest): void {
    const ctx: RequestContext = {
      ...header,
      clientHost: this.clientHost,
      clientAddress: this.clientAddress,
      principal: this.auth.principal,
      listenerName: this.auth.listenerName,
      sasl: this.auth,
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
        this.complete(seq, response === null ? null : encodeResponse(handler.api, header, response));
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
