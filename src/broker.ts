/**
 * The broker: the composition root. It opens the services (configuration, node identity, topics,
 * partition logs, group coordinator, producer ids, transaction coordinator) in order, hands them to the listener as one
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
import { GroupCoordinator } from './group/coordinator.js';
import { ProducerIdManager } from './producer-ids.js';
import { TRANSACTION_STATE_TOPIC } from './topics/internal.js';
import type { TopicService } from './topics/manager.js';
import { TransactionCoordinator, transactionCoordinatorConfig } from './txn/coordinator.js';
import { MarkerWriter } from './txn/markers.js';
import type { PartitionLog } from './log/partition-log.js';

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
    private readonly txn: TransactionCoordinator,
    private readonly logger: Logger,
  ) {}

  static async start(opts: BrokerOptions): Promise<Broker> {
    const { config } = opts;
    const logger = opts.logger ?? pino({ level: 'silent' });
    const dataDir = opts.inMemory ? undefined : config.dataDir;
    const meta = await loadOrCreateMetaProperties(dataDir, config.get('node.id'));
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
    });
    const groups = await GroupCoordinator.open({ config, logs, clock, logger });
    const producerIds = await ProducerIdManager.open(dataDir);
    const topics = await TopicManager.open({ registry, logs, config, logger });
    const markers = new MarkerWriter({
      clock,
      partitionLog: (topic, p) => topics.partitionLog(topic, p),
      // `__consumer_offsets` is the group coordinator's log: it writes (and applies) markers there itself.
      groupMarker: (p, marker) => groups.writeTxnMarker(p, marker),
    });
    const txn = new TransactionCoordinator({
      config: transactionCoordinatorConfig(config),
      clock,
      logger,
      producerIds,
      markers,
      offsetsPartitionFor: (groupId) => groups.offsetsPartitionFor(groupId),
      openStateLog: (partitions, segmentBytes) => openTransactionStateLog(topics, partitions, segmentBytes),
    });
    // As Kafka creates it on first use, `__transaction_state` is loaded at start only when it exists.
    if (topics.get(TRANSACTION_STATE_TOPIC)) await txn.ensureStarted();

    let boundPort = 0;
    const node = nodeIdentity(config, meta, () => boundPort);
    const services: BrokerServices = { config, clock, node, topics, logs, groups, producerIds, txn };
    const server = new KafkaServer(services, new HandlerRegistry(HANDLERS), logger);
    const { host, port } = config.listener;
    boundPort = await server.listen(host, port);
    return new Broker(services, boundPort, dataDir, server, logs, groups, txn, logger);
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.txn.close();
    await this.groups.close();
    await this.logs.close();
    this.logger.info('broker stopped');
  }
}

/**
 * `__transaction_state`, created on first use as Kafka does (compacted; Tafka's coordinator keeps
 * it bounded with snapshots), and its partition logs.
 */
async function openTransactionStateLog(topics: TopicService, partitions: number, segmentBytes: number): Promise<PartitionLog[]> {
  const topic = topics.get(TRANSACTION_STATE_TOPIC) ??
    (await topics.create(TRANSACTION_STATE_TOPIC, partitions, { 'cleanup.policy': 'compact', 'segment.bytes': String(segmentBytes) }));
  return Array.from({ length: topic.partitions }, (_, p) => {
    const log = topics.partitionLog(TRANSACTION_STATE_TOPIC, p);
    if (!log) throw new Error(`${TRANSACTION_STATE_TOPIC}-${p} has no log`);
    return log;
  });
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
