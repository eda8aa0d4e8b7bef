/**
 * The topic service: creating, growing, reconfiguring and deleting topics, keeping the topic
 * registry (names, ids, partition counts, overrides) and the partition logs in step.
 *
 * Each operation orders its two steps so that a request arriving in between finds something
 * consistent (docs/05-admin-and-configs.md): create writes the registry entry, then the logs (a
 * crash between the two is repaired at start-up); grow creates the logs, then raises the count;
 * delete removes the registry entry, then the logs.
 */
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { topicLogConfig, type LogConfig } from '../config/log-config.js';
import type { LogManager } from '../log/log-manager.js';
import type { PartitionLog } from '../log/partition-log.js';
import { requireTopic } from './lookup.js';
import { invalidTopicName, type TopicInfo, type TopicRegistry } from './registry.js';

/** What handlers may do with topics. */
export interface TopicService {
  get(name: string): TopicInfo | undefined;
  getById(id: string): TopicInfo | undefined;
  list(): TopicInfo[];
  /**
   * The log of a partition of a registered topic. A deleted topic leaves the registry before its
   * logs close, so asking through the registry never serves a topic being deleted.
   */
  partitionLog(topic: string, partition: number): PartitionLog | undefined;
  /** Creates a topic and its partition logs; 17 for a bad name, 36 when it exists, 37 for no partitions. */
  create(name: string, partitions: number, configs?: Record<string, string>): Promise<TopicInfo>;
  /** Auto-creation as Metadata and Produce trigger it: `num.partitions` partitions, one creation per name. */
  autoCreate(name: string): Promise<TopicInfo>;
  /** Raises a topic's partition count to `count`; 3 for an unknown topic, 37 when it is no increase. */
  createPartitions(name: string, count: number): Promise<void>;
  /** Replaces a topic's config overrides (already validated); 3 for an unknown topic. */
  setConfigs(name: string, configs: Record<string, string>): Promise<void>;
  /** Deletes a topic and its logs; 3 for an unknown topic. */
  delete(name: string): Promise<void>;
}

export interface TopicManagerOptions {
  readonly registry: TopicRegistry;
  readonly logs: LogManager;
  /** For `num.partitions` (auto-creation) and the log defaults under each topic's overrides. */
  readonly config: BrokerConfig;
  readonly logger: Logger;
  /** Told after a topic is deleted (the group coordinator then drops its committed offsets). */
  readonly onDeleted?: (topic: string) => Promise<void>;
}

export class TopicManager implements TopicService {
  private readonly registry: TopicRegistry;
  private readonly logs: LogManager;
  private readonly config: BrokerConfig;
  private readonly logger: Logger;
  private readonly onDeleted: (topic: string) => Promise<void>;
  /** Auto-creations under way, so concurrent requests for one new topic share a single creation. */
  private readonly creating = new Map<string, Promise<TopicInfo>>();

  private constructor(opts: TopicManagerOptions) {
    this.registry = opts.registry;
    this.logs = opts.logs;
    this.config = opts.config;
    this.logger = opts.logger;
    this.onDeleted = opts.onDeleted ?? (async () => {});
  }

  /**
   * Opens the service over a loaded registry and log store, making sure every partition of every
   * known topic has a log: a crash may have come between the two steps of a create. (The log store
   * opened the existing ones under their topic's overrides already.)
   */
  static async open(opts: TopicManagerOptions): Promise<TopicManager> {
    const manager = new TopicManager(opts);
    for (const t of manager.list()) {
      for (let p = 0; p < t.partitions; p++) {
        if (!manager.logs.getLog(t.name, p)) await manager.logs.createLog(t.name, p, manager.logConfig(t.configs));
      }
    }
    return manager;
  }

  /** The one place a topic's LogConfig is computed: the broker's log defaults under the topic's overrides. */
  private logConfig(configs: Record<string, string>): LogConfig {
    return topicLogConfig(this.config, configs);
  }

  get(name: string): TopicInfo | undefined {
    return this.registry.get(name);
  }

  getById(id: string): TopicInfo | undefined {
    return this.registry.getById(id);
  }

  list(): TopicInfo[] {
    return this.registry.list();
  }

  partitionLog(topic: string, partition: number): PartitionLog | undefined {
    return this.registry.get(topic) ? this.logs.getLog(topic, partition) : undefined;
  }

  async create(name: string, partitions: number, configs: Record<string, string> = {}): Promise<TopicInfo> {
    const invalid = invalidTopicName(name);
    if (invalid) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
    if (this.registry.get(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    if (partitions < 1) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    const topic = await this.registry.create(name, partitions, configs);
    for (let p = 0; p < partitions; p++) await this.logs.createLog(name, p, this.logConfig(configs));
    this.logger.info({ topic: name, partitions, id: topic.id }, 'created topic');
    return topic;
  }

  async autoCreate(name: string): Promise<TopicInfo> {
    const existing = this.registry.get(name);
    if (existing) return existing;
    const pending = this.creating.get(name);
    if (pending) return pending;
    const p = this.create(name, this.config.get('num.partitions')).finally(() => this.creating.delete(name));
    this.creating.set(name, p);
    return p;
  }

  /** The new partitions' logs exist before the registry (and so Metadata) shows them. */
  async createPartitions(name: string, count: number): Promise<void> {
    const topic = requireTopic(this.registry, { name });
    if (count <= topic.partitions) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${topic.partitions} partition(s).`);
    const config = this.logConfig(topic.configs);
    for (let p = topic.partitions; p < count; p++) await this.logs.createLog(name, p, config);
    await this.registry.update(name, (t) => void (t.partitions = count));
    this.logger.info({ topic: name, partitions: count }, 'added partitions');
  }

  /**
   * Persisted first, then pushed into every partition log, which acts on the new settings from its
   * next append or retention check.
   */
  async setConfigs(name: string, configs: Record<string, string>): Promise<void> {
    const topic = requireTopic(this.registry, { name });
    await this.registry.update(name, (t) => void (t.configs = { ...configs }));
    const config = this.logConfig(configs);
    for (let p = 0; p < topic.partitions; p++) this.logs.getLog(name, p)?.updateConfig(config);
    this.logger.info({ topic: name, configs }, 'altered topic configs');
  }

  /**
   * The broker's log defaults changed (dynamic broker configs): every partition log takes its
   * settings anew — its topic's overrides on the new defaults — and acts on them from now on.
   */
  reapplyLogConfigs(): void {
    for (const t of this.list()) {
      const config = this.logConfig(t.configs);
      for (let p = 0; p < t.partitions; p++) this.logs.getLog(t.name, p)?.updateConfig(config);
    }
  }

  /**
   * Out of the registry first, so no new request finds the topic, then its partition logs
   * (directories removed). Requests that already hold a log finish against a closed one.
   */
  async delete(name: string): Promise<void> {
    const topic = requireTopic(this.registry, { name });
    await this.registry.delete(name);
    await this.logs.deleteLogs(name);
    this.logger.info({ topic: name, id: topic.id }, 'deleted topic');
    // The topic is gone either way; what depends on it is cleaned up after.
    await this.onDeleted(name).catch((err: unknown) => this.logger.error({ err, topic: name }, 'cleanup after topic deletion failed'));
  }
}
