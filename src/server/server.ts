/**
 * The TCP listener: accepts connections, applies the connection limits, and hands each admitted
 * socket to a Connection.
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
import { Connection, type ConnectionOptions } from './connection.js';
import { normalizeAddress, type ConnectionQuotas } from './connection-quotas.js';

export interface ServerOptions extends ConnectionOptions {
  readonly limits: ConnectionQuotas;
  /** `socket.listen.backlog.size`. */
  readonly backlog: number;
}

export class KafkaServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly waiting: Socket[] = [];
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
    const conn = new Connection(socket, this.opts);
    this.connections.add(conn);
    socket.once('close', () => {
      this.connections.delete(conn);
      this.opts.limits.dec(address);
      this.admitWaiting();
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
    await closed;
  }
}
