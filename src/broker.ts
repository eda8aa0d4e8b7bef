/**
 * The broker: the one object every handler reaches through `ctx.broker`. It owns the configuration,
 * the node's identity, topic metadata, the partition logs and the group coordinator, and starts and
 * stops them in order.
 */
import { pino, type Logger } from 'pino';
import { KafkaError, ErrorCode } from '../protocol/errors.js';
import { systemClock, type Clock } from './clock.js';
import { BrokerConfig } from './config/broker-config.js';
import { brokerLogConfig, topicLogConfig, type LogConfig } from './config/log-config.js';
import { HANDLERS } from './handlers/index.js';
import { loadOrCreateMetaProperties } from './meta-properties.js';
import { HandlerRegistry } from './server/dispatch.js';
import { KafkaServer } from './server/server.js';
import { invalidTopicName, TopicRegistry, type TopicInfo } from './topics.js';
import { LogManager } from './log/log-manager.js';
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
  readonly registry = new HandlerRegistry(HANDLERS);
  private server?: KafkaServer;
  private boundPort = 0;

  private constructor(
    readonly config: BrokerConfig,
    readonly logger: Logger,
    readonly clock: Clock,
    readonly nodeId: number,
    readonly clusterId: string,
    readonly dataDir: string | undefined,
    readonly topics: TopicRegistry,
    readonly logs: LogManager,
    readonly groups: GroupCoordinator,
    readonly producerIds: ProducerIdManager,
  ) {}

  static async start(opts: BrokerOptions): Promise<Broker> {
    const { config } = opts;
    const logger = opts.logger ?? pino({ level: 'silent' });
    const dataDir = opts.inMemory ? undefined : config.dataDir;
    const meta = await loadOrCreateMetaProperties(dataDir, config.get('node.id'));
    const topics = await TopicRegistry.open(dataDir);
    const clock = opts.clock ?? systemClock;
    const logs = await LogManager.open({
      dataDir,
      config: brokerLogConfig(config),
      // Recovery rebuilds indexes, so each partition must load under its topic's overrides.
      configFor: (topic) => topicLogConfig(config, topics.get(topic)?.configs ?? {}),
      clock,
      logger,
      retentionCheckIntervalMs: config.get('log.retention.check.interval.ms'),
      producerIdExpirationCheckIntervalMs: config.get('producer.id.expiration.check.interval.ms'),
    });
    const groups = await GroupCoordinator.open({ config, logs, clock, logger });
    const producerIds = await ProducerIdManager.open(dataDir);
    const broker = new Broker(config, logger, clock, meta.nodeId, meta.clusterId, dataDir, topics, logs, groups, producerIds);
    await broker.openTopicLogs();
    await broker.listen();
    return broker;
  }

  /**
   * Every partition of every known topic has a log: a crash may have come between registering a
   * topic and creating its logs. (The log store opened the existing ones under their topic's
   * overrides already.)
   */
  private async openTopicLogs(): Promise<void> {
    for (const t of this.topics.list()) {
      for (let p = 0; p < t.partitions; p++) {
        if (!this.logs.getLog(t.name, p)) await this.logs.createLog(t.name, p, this.topicLogConfig(t.configs));
      }
    }
  }

  /** The log settings of a topic: broker defaults with the topic's own overrides on top. */
  topicLogConfig(configs: Record<string, string>): LogConfig {
    return topicLogConfig(this.config, configs);
  }

  private async listen(): Promise<void> {
    const { host, port } = this.config.listener;
    this.server = new KafkaServer(this, this.registry, this.logger);
    this.boundPort = await this.server.listen(host, port);
  }

  /** The bound listener port (differs from the configured one only when that was 0). */
  get port(): number {
    return this.boundPort;
  }

  /** Host and port clients are told to connect to. */
  get advertised(): { host: string; port: number } {
    const adv = this.config.advertised;
    return { host: adv.host, port: this.config.get('advertised.listeners') ? adv.port : this.boundPort };
  }

  get rack(): string | null {
    return this.config.get('broker.rack');
  }

  /**
   * Creates a topic (and its partition logs). Throws KafkaError with Kafka's codes for a bad name
   * or an existing topic.
   */
  async createTopic(name: string, partitions: number, configs: Record<string, string> = {}): Promise<TopicInfo> {
    const invalid = invalidTopicName(name);
    if (invalid) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
    if (this.topics.get(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    if (partitions < 1) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    const topic = await this.topics.create(name, partitions, configs);
    for (let p = 0; p < partitions; p++) await this.logs.createLog(name, p, this.topicLogConfig(configs));
    this.logger.info({ topic: name, partitions, id: topic.id }, 'created topic');
    return topic;
  }

  /** Auto-creation as Metadata/Produce trigger it, under `auto.create.topics.enable` and `num.partitions`. */
  async autoCreateTopic(name: string): Promise<TopicInfo> {
    const existing = this.topics.get(name);
    if (existing) return existing;
    const pending = this.creating.get(name);
    if (pending) return pending;
    const p = this.createTopic(name, this.config.get('num.partitions')).finally(() => this.creating.delete(name));
    this.creating.set(name, p);
    return p;
  }
  private readonly creating = new Map<string, Promise<TopicInfo>>();

  /**
   * Deletes a topic: out of the registry first, so no new request finds it, then its partition logs
   * (directories removed). Requests that already hold a log finish against a closed one.
   */
  async deleteTopic(name: string): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    await this.topics.delete(name);
    await this.logs.deleteLogs(name);
    this.logger.info({ topic: name, id: topic.id }, 'deleted topic');
  }

  /** Raises a topic's partition count; the new partitions' logs exist before Metadata shows them. */
  async createPartitions(name: string, count: number): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    if (count <= topic.partitions) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${topic.partitions} partition(s).`);
    const config = this.topicLogConfig(topic.configs);
    for (let p = topic.partitions; p < count; p++) await this.logs.createLog(name, p, config);
    await this.topics.update(name, (t) => void (t.partitions = count));
    this.logger.info({ topic: name, partitions: count }, 'added partitions');
  }

  /**
   * Replaces a topic's config overrides (already validated by src/config/topic-values.ts): persisted
   * first, then pushed into every partition log, which acts on them from its next append or
   * retention check.
   */
  async setTopicConfigs(name: string, configs: Record<string, string>): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    await this.topics.update(name, (t) => void (t.configs = { ...configs }));
    const config = this.topicLogConfig(configs);
    for (let p = 0; p < topic.partitions; p++) this.logs.getLog(name, p)?.updateConfig(config);
    this.logger.info({ topic: name, configs }, 'altered topic configs');
  }

  async close(): Promise<void> {
    await this.server?.close();
    await this.groups.close();
    await this.logs.close();
    this.logger.info('broker stopped');
  }
}
