/**
 * One TCP listener: accepts connections and hands each to a Connection, once its listener's
 * security (src/security/listener-security.ts) says frames may flow — after the TLS handshake on
 * SSL and SASL_SSL listeners. The broker runs one KafkaServer per listener.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ListenerSecurity } from '../security/listener-security.js';
import type { BrokerServices } from '../services.js';
import { Connection } from './connection.js';
import type { HandlerRegistry } from './dispatch.js';

export class KafkaServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly services: BrokerServices,
    private readonly registry: HandlerRegistry,
    private readonly log: Logger,
    private readonly security: ListenerSecurity,
  ) {
    this.server = createServer((raw: Socket) => {
      this.security.accept(raw, (socket, auth) => {
        const conn = new Connection(socket, this.registry, this.services, this.log, auth);
        this.connections.add(conn);
        socket.once('close', () => this.connections.delete(conn));
      });
    });
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: host || undefined, port }, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Stops accepting and drops open connections; in-flight responses are abandoned. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) c.destroy();
    this.security.close();
    await closed;
  }
}
