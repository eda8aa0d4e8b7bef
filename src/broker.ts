/**
 * The broker: the one object every handler reaches through `ctx.broker`. It owns the configuration,
 * the node's identity, topic metadata, the partition logs and the group coordinator, and starts and
 * stops them in order.
 */
import { pino, type Logger } from 'pino';
import { KafkaError, ErrorCode } from '../protocol/errors.js';
import { systemClock, type Clock } from './clock.js';
import { BrokerConfig } from './config.js';
import { HANDLERS } from './handlers/index.js';
import { loadOrCreateMetaProperties } from './meta-properties.js';
import { HandlerRegistry } from './server/dispatch.js';
import { KafkaServer } from './server/server.js';
import { invalidTopicName, TopicRegistry, type TopicInfo } from './topics.js';

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
  ) {}

  static async start(opts: BrokerOptions): Promise<Broker> {
    const { config } = opts;
    const logger = opts.logger ?? pino({ level: 'silent' });
    const dataDir = opts.inMemory ? undefined : config.dataDir;
    const meta = await loadOrCreateMetaProperties(dataDir, config.get('node.id'));
    const topics = await TopicRegistry.open(dataDir);
    const broker = new Broker(config, logger, opts.clock ?? systemClock, meta.nodeId, meta.clusterId, dataDir, topics);
    await broker.listen();
    return broker;
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

  async close(): Promise<void> {
    await this.server?.close();
    this.logger.info('broker stopped');
  }
}
