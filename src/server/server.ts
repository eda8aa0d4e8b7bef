/**
 * One TCP listener: accepts connections, applies the connection limits, and hands each admitted
 * socket to a Connection once its listener's security (src/security/listener-security.ts) says
 * frames may flow — after the TLS handshake on SSL and SASL_SSL listeners. The broker runs one
 * KafkaServer per listener; the connection limits are shared by all of them, as in Kafka.
 *
 * Limits (Kafka's Acceptor with ConnectionQuotas, see connection-quotas.ts):
 * - under `max.connections`, a new connection is counted against its address's per-IP limit and
 *   closed at once if that is reached;
 * - at `max.connections`, Kafka's acceptor stops accepting and new connections wait in the listen
 *   backlog. Node cannot stop accepting, so they are accepted paused (nothing read) and wait here,
 *   in arrival order, at most `socket.listen.backlog.size` of them; past that they are closed, as a
 *   full backlog drops them. Each close of an admitted connection admits the oldest waiting one.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ListenerSecurity } from '../security/listener-security.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { normalizeAddress, type ConnectionQuotas } from './connection-quotas.js';

export interface ServerOptions extends ConnectionOptions {
  readonly limits: ConnectionQuotas;
  /** `socket.listen.backlog.size`. */
  readonly backlog: number;
  /** The listener's transport and authentication. */
  readonly security: ListenerSecurity;
}

export class KafkaServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly waiting: Socket[] = [];
  /** Admitted sockets, including those still in their TLS handshake (no Connection yet). */
  private readonly admitted = new Set<Socket>();
  private readonly log: Logger;

  constructor(private readonly opts: ServerOptions) {
    this.log = opts.logger;
    // Paused from the start: a connection that has to wait must not be read.
    this.server = createServer({ pauseOnConnect: true }, (socket: Socket) => this.onConnect(socket));
  }

  private onConnect(socket: Socket): void {
    if (this.opts.limits.slotAvailable()) return this.admit(socket);
    if (this.waiting.length >= this.opts.backlog) {
      this.log.info({ client: socket.remoteAddress }, 'max.connections reached and the backlog is full; closing new connection');
      this.opts.observer?.connectionRejected('max.connections reached and the backlog is full');
      socket.destroy();
      return;
    }
    socket.on('error', () => {});
    this.waiting.push(socket);
    socket.once('close', () => {
      const i = this.waiting.indexOf(socket);
      if (i >= 0) this.waiting.splice(i, 1);
    });
  }

  private admit(socket: Socket): void {
    const address = normalizeAddress(socket.remoteAddress);
    const admission = this.opts.limits.inc(address);
    if (!admission.ok) {
      this.log.info(`Rejected connection from ${address}, ${admission.reason}`);
      this.opts.observer?.connectionRejected(admission.reason);
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    // The raw socket's close also ends a TLS connection over it: the slot is given back once.
    this.admitted.add(socket);
    socket.once('close', () => {
      this.admitted.delete(socket);
      this.opts.limits.dec(address);
      this.admitWaiting();
    });
    this.opts.security.accept(socket, (transport, auth) => {
      const conn = new Connection(transport, this.opts, auth);
      this.connections.add(conn);
      transport.once('close', () => this.connections.delete(conn));
    });
    socket.resume();
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.opts.limits.slotAvailable()) {
      const socket = this.waiting.shift()!;
      if (!socket.destroyed) this.admit(socket);
    }
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: host || undefined, port, backlog: this.opts.backlog }, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Open connections (admitted ones; waiting ones are not counted). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting and drops open connections; in-flight responses are abandoned. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.waiting.splice(0)) s.destroy();
    for (const c of this.connections) c.destroy();
    // A connection still in its TLS handshake has no Connection to destroy yet.
    for (const s of this.admitted) s.destroy();
    this.opts.security.close();
    await closed;
  }
}
