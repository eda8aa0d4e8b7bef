/**
 * The broker: the composition root. It opens the services (configuration, node identity, topics,
 * partition logs, group coordinator, producer ids) in order, hands them to the listener as one
 * BrokerServices (src/services.ts), and stops them in order. Everything a request does lives in
 * those services; nothing here is reachable from a handler.
 */
import { pino, type Logger } from 'pino';
import { ALLOW_ALL } from './auth/authorizer.js';
import { systemClock, type Clock } from './clock.js';
import { BrokerConfig } from './config/broker-config.js';
import { DynamicBrokerConfigs } from './config/dynamic.js';
import { DynamicConfigStore } from './config/dynamic-store.js';
import { brokerLogConfig, topicLogConfig } from './config/log-config.js';
import { HANDLERS } from './handlers/index.js';
import { loadOrCreateMetaProperties } from './meta-properties.js';
import { HandlerRegistry, type VersionsFloor } from './server/dispatch.js';
import { KafkaServer } from './server/server.js';
import type { BrokerServices, NodeIdentity } from './services.js';
import { TopicManager } from './topics/manager.js';
import { TopicRegistry } from './topics/registry.js';
import { LogManager } from './log/log-manager.js';
import { logCleanerConfig } from './log/cleaner/log-cleaner.js';
import { GroupCoordinator } from './group/coordinator.js';
import { ProducerIdManager } from './producer-ids.js';

export interface BrokerOptions {
  readonly config: BrokerConfig;
  /** Keep everything in memory (an embedded broker for tests); no files are written. */
  readonly inMemory?: boolean;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export class Broker {
  private constructor(
    /** What every request is handed (as `ctx.services`); also the way in for code embedding a broker. */
    readonly services: BrokerServices,
    /** The bound listener port (differs from the configured one only when that was 0). */
    readonly port: number,
    /** The data directory, or undefined for an in-memory broker. */
    readonly dataDir: string | undefined,
    private readonly server: KafkaServer,
    private readonly logs: LogManager,
    private readonly groups: GroupCoordinator,
    private readonly logger: Logger,
  ) {}

  static async start(opts: BrokerOptions): Promise<Broker> {
    const { config } = opts;
    const logger = opts.logger ?? pino({ level: 'silent' });
    const dataDir = opts.inMemory ? undefined : config.dataDir;
    const meta = await loadOrCreateMetaProperties(dataDir, config.get('node.id'));
    // Dynamic broker configs first: the logs open under the log defaults in force.
    const dynamicConfigs = await DynamicBrokerConfigs.open({ config, store: await DynamicConfigStore.open(dataDir), nodeId: meta.nodeId, logger });
    const registry = await TopicRegistry.open(dataDir);
    const clock = opts.clock ?? systemClock;
    const logs = await LogManager.open({
      dataDir,
      config: brokerLogConfig(config),
      // Recovery rebuilds indexes, so each partition must load under its topic's overrides.
      configFor: (topic) => topicLogConfig(config, registry.get(topic)?.configs ?? {}),
      clock,
      logger,
      retentionCheckIntervalMs: config.get('log.retention.check.interval.ms'),
      producerIdExpirationCheckIntervalMs: config.get('producer.id.expiration.check.interval.ms'),
      cleaner: { config: logCleanerConfig(config), executors: 'worker' },
    });
    const groups = await GroupCoordinator.open({ config, logs, registry, clock, logger });
    const producerIds = await ProducerIdManager.open(dataDir);
    const topics = await TopicManager.open({ registry, logs, config, logger, onDeleted: (topic) => groups.onTopicDeleted(topic) });
    dynamicConfigs.onChange(() => topics.reapplyLogConfigs());

    let boundPort = 0;
    const node = nodeIdentity(config, meta, () => boundPort);
    const services: BrokerServices = { config, dynamicConfigs, clock, node, topics, logs, groups, producerIds, authorizer: ALLOW_ALL };
    const server = new KafkaServer(services, new HandlerRegistry(HANDLERS, config.get('api.versions.floor') as VersionsFloor), logger);
    const { host, port } = config.listener;
    boundPort = await server.listen(host, port);
    return new Broker(services, boundPort, dataDir, server, logs, groups, logger);
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.groups.close();
    await this.logs.close();
    this.logger.info('broker stopped');
  }
}

/** The node's identity; the advertised port is the bound one unless `advertised.listeners` names one. */
function nodeIdentity(config: BrokerConfig, ids: { nodeId: number; clusterId: string }, boundPort: () => number): NodeIdentity {
  return {
    nodeId: ids.nodeId,
    clusterId: ids.clusterId,
    rack: config.get('broker.rack'),
    get advertised() {
      const adv = config.advertised;
      return { host: adv.host, port: config.get('advertised.listeners') ? adv.port : boundPort() };
    },
  };
}
