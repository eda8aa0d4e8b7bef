/**
 * The TCP listener: accepts connections and hands each to a Connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { NetworkObserver } from '../observe/observer.js';
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
    /** Metrics and the inspector; undefined when nothing watches. */
    private readonly observer?: NetworkObserver,
  ) {
    const observe = observer && ((clientHost: string) => observer.connectionOpened(clientHost));
    this.server = createServer((socket: Socket) => {
      const conn = new Connection(socket, this.registry, this.services, this.log, observe);
      this.connections.add(conn);
      socket.once('close', () => this.connections.delete(conn));
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
    await closed;
  }
}
