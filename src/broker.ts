/**
 * The broker: the composition root. It opens the services (configuration, node identity, topics,
 * partition logs, group coordinator, producer ids) in order, hands them to the listener as one
 * BrokerServices (src/services.ts), and stops them in order. Everything a request does lives in
 * those services; nothing here is reachable from a handler.
 */
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import { BrokerConfig } from './config/broker-config.js';
import { brokerLogConfig, topicLogConfig } from './config/log-config.js';
import { HANDLERS } from './handlers/index.js';
import { loadOrCreateMetaProperties } from './meta-properties.js';
import { HandlerRegistry } from './server/dispatch.js';
import { KafkaServer } from './server/server.js';
import type { BrokerServices, NodeIdentity } from './services.js';
import { TopicManager } from './topics/manager.js';
import { TopicRegistry } from './topics/registry.js';
import { LogManager } from './log/log-manager.js';
import { DataDirLock } from './log/data-dir-lock.js';
import { FileStorage } from './log/file-storage.js';
import { MemoryStorage } from './log/memory-storage.js';
import type { Storage } from './log/storage.js';
import { GroupCoordinator } from './group/coordinator.js';
import { ProducerIdManager } from './producer-ids.js';

export interface BrokerOptions {
  readonly config: BrokerConfig;
  /** Keep everything in memory (an embedded broker for tests); no files are written. */
  readonly inMemory?: boolean;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Where the logs and the topic registry live; default: the data directory, or memory with `inMemory`. Tests inject failing storage here. */
  readonly storage?: Storage;
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
    private readonly lock: DataDirLock | undefined,
  ) {}

  /** Starts a broker; a data directory another broker holds stops it with DataDirLockedError. */
  static async start(opts: BrokerOptions): Promise<Broker> {
    const logger = opts.logger ?? pino({ level: 'silent' });
    const dataDir = opts.inMemory ? undefined : opts.config.dataDir;
    const lock = dataDir === undefined ? undefined : await DataDirLock.acquire(dataDir, logger);
    try {
      return await Broker.open(opts, logger, dataDir, lock);
    } catch (err) {
      await lock?.release();
      throw err;
    }
  }

  private static async open(opts: BrokerOptions, logger: Logger, dataDir: string | undefined, lock: DataDirLock | undefined): Promise<Broker> {
    const { config } = opts;
    const meta = await loadOrCreateMetaProperties(dataDir, config.get('node.id'));
    const clock = opts.clock ?? systemClock;
    const storage = opts.storage ?? (dataDir === undefined ? new MemoryStorage(clock) : await FileStorage.create(dataDir, config.get('tafka.log.max.open.files')));
    const registry = await TopicRegistry.open(storage);
    const logs = await LogManager.open({
      storage,
      // A directory no registered topic claims was left by a crash mid-create or mid-delete.
      isStray: (topic, partition) => !registry.claims(topic, partition),
      config: brokerLogConfig(config),
      // Recovery rebuilds indexes, so each partition must load under its topic's overrides.
      configFor: (topic) => topicLogConfig(config, registry.get(topic)?.configs ?? {}),
      clock,
      logger,
      retentionCheckIntervalMs: config.get('log.retention.check.interval.ms'),
      producerIdExpirationCheckIntervalMs: config.get('producer.id.expiration.check.interval.ms'),
    });
    const groups = await GroupCoordinator.open({ config, logs, clock, logger });
    const producerIds = await ProducerIdManager.open(dataDir);
    const topics = await TopicManager.open({ registry, logs, config, logger });

    let boundPort = 0;
    const node = nodeIdentity(config, meta, () => boundPort);
    const services: BrokerServices = { config, clock, node, topics, logs, groups, producerIds };
    const server = new KafkaServer(services, new HandlerRegistry(HANDLERS), logger);
    const { host, port } = config.listener;
    boundPort = await server.listen(host, port);
    return new Broker(services, boundPort, dataDir, server, logs, groups, logger, lock);
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.groups.close();
    await this.logs.close();
    await this.lock?.release();
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
