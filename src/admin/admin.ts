/**
 * The admin side of a broker: the taps (network, log, groups), the figures they keep, the traffic
 * capture, and the HTTP server that shows them (http.ts). src/broker.ts starts it before loading
 * anything, so /health answers during a long recovery, and fills in `sources` as start-up goes.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { ConfigError } from '../config/parse.js';
import type { NodeIdentity } from '../services.js';
import { createAdminServer } from './http.js';
import { createRegistry } from './metrics.js';
import { NetworkTap } from './network-tap.js';
import { AdminSources, BrokerState, type GroupView, type LogView, type TopicView } from './sources.js';
import { GroupTimeline, LogStats, NetworkStats } from './stats.js';
import { TrafficCapture } from './traffic.js';

class AddressInUse extends ConfigError {
  constructor(message: string, readonly address: string) {
    super(message);
  }
}

/** The figures and state the admin server shows; the broker hands the taps to the layers it builds. */
interface AdminParts {
  readonly sources: AdminSources;
  readonly network: NetworkTap;
  readonly logStats: LogStats;
  readonly timeline: GroupTimeline;
}

export class Admin implements AdminParts {
  readonly sources: AdminSources;
  readonly network: NetworkTap;
  readonly logStats: LogStats;
  readonly timeline: GroupTimeline;

  private constructor(
    private readonly server: Server,
    /** Where the admin server listens, e.g. "127.0.0.1:9644". */
    readonly address: string,
    parts: AdminParts,
  ) {
    ({ sources: this.sources, network: this.network, logStats: this.logStats, timeline: this.timeline } = parts);
  }

  /**
   * Binds `tafka.admin.listener`. When the address is in use, a listener set explicitly stops
   * start-up with a message naming the key; the default one is skipped with a warning, so a second
   * broker on the same machine still starts (without its admin server).
   */
  static async start(config: BrokerConfig, clock: Clock, logger: Logger): Promise<Admin | undefined> {
    try {
      return await Admin.bind(config, clock, logger);
    } catch (err) {
      if (!(err instanceof AddressInUse) || config.explicit.has('tafka.admin.listener')) throw err;
      logger.warn({ admin: err.address }, `admin server not started: ${err.address} is in use (set tafka.admin.listener to serve it elsewhere)`);
      return undefined;
    }
  }

  private static async bind(config: BrokerConfig, clock: Clock, logger: Logger): Promise<Admin> {
    const { host, port } = config.adminListener!;
    const sources = new AdminSources();
    const topicName = (id: string) => sources.topics?.getById(id)?.name;
    const traffic = new TrafficCapture(config.get('tafka.inspector.traffic.enable'), () => clock.now(), topicName);
    const network = new NetworkTap(new NetworkStats(), traffic, topicName);
    const logStats = new LogStats();
    const registry = createRegistry({
      network: network.stats,
      log: logStats,
      partitions: () => sources.logs?.allLogs() ?? [],
      groups: () => sources.groups,
      brokerState: () => sources.state,
      startup: sources.startup,
    });
    const log = logger.child({ component: 'admin' });
    const timeline = new GroupTimeline();
    const server = createAdminServer({ sources, registry, traffic, timeline, clock }, (err) => log.error({ err }, 'admin request failed'));
    const bound = await new Promise<number>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const address = `${host}:${port}`;
        const why = err.code === 'EADDRINUSE' ? 'the address is in use' : err.message;
        const message = `Cannot serve tafka.admin.listener ${address}: ${why} (set it to another host:port, or to nothing to turn it off)`;
        reject(err.code === 'EADDRINUSE' ? new AddressInUse(message, address) : new ConfigError(message));
      });
      server.listen({ host, port }, () => resolve((server.address() as { port: number }).port));
    });
    const address = `${host.includes(':') ? `[${host}]` : host}:${bound}`;
    log.info({ admin: address, trafficCapture: traffic.enabled }, `admin server on http://${address}/ (metrics, health, inspector)`);
    return new Admin(server, address, { sources, network, logStats, timeline });
  }

  /** The logs and the group coordinator are loaded (start-up took `logsMs` and `groupsMs` for them). */
  loaded(parts: { logs: LogView; groups: GroupView; topics: TopicView; node: NodeIdentity; logsMs: number; groupsMs: number }): void {
    const s = this.sources;
    ({ logs: s.logs, groups: s.groups, topics: s.topics, node: s.node } = parts);
    s.startup.logsMs = parts.logsMs;
    s.startup.groupsMs = parts.groupsMs;
  }

  /** Start-up is done and the Kafka listener is bound. */
  running(listener: string): void {
    this.sources.listener = listener;
    this.sources.state = BrokerState.RUNNING;
  }

  /** Readiness fails from now on; the server itself stays up until close(). */
  stopping(): void {
    this.sources.state = BrokerState.SHUTTING_DOWN;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
