/**
 * The topic service: creating, growing, reconfiguring and deleting topics, keeping the topic
 * registry (names, ids, partition counts, overrides) and the partition logs in step.
 *
 * Mutations of one topic run one at a time, in arrival order (two names that differ only by '.'
 * and '_' count as one, since they may not coexist): a DeleteTopics racing a CreateTopics of the
 * same topic waits for it, and never finds half a topic.
 *
 * Each operation orders its two steps so that a request arriving in between finds something
 * consistent, and a failure (a full disk) undoes what was done (docs/05-admin-and-configs.md):
 * - create writes the logs, then the registry entry; a failure removes the new logs, and a crash in
 *   between leaves directories no topic claims, which start-up removes or sets aside;
 * - grow creates the new logs, then raises the count;
 * - delete removes the registry entry, then the logs.
 * A storage failure answers 56 KAFKA_STORAGE_ERROR.
 *
 * The broker's partition count is bounded by `max.broker.partitions` (the name KIP-578 proposed;
 * Kafka itself has no such limit), checked before anything is created: over it, a create or grow
 * answers 44 POLICY_VIOLATION, the code Kafka uses when a topic policy refuses.
 */
import type { Logger } from 'pino';
import { ErrorCode, isKafkaError, KafkaError } from '../../protocol/errors.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { topicLogConfig, type LogConfig } from '../config/log-config.js';
import type { LogManager } from '../log/log-manager.js';
import type { PartitionLog } from '../log/partition-log.js';
import { KeyedSerializer } from '../util/concurrency.js';
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
  /**
   * Creates a topic and its partition logs; 17 for a bad name or a '.'/'_' collision, 36 when it
   * exists, 37 for no partitions, 44 over max.broker.partitions, 56 when storage fails.
   */
  create(name: string, partitions: number, configs?: Record<string, string>): Promise<TopicInfo>;
  /** Auto-creation as Metadata triggers it: `num.partitions` partitions, the same checks as create. */
  autoCreate(name: string): Promise<TopicInfo>;
  /** Throws 44 POLICY_VIOLATION when `partitions` more would pass max.broker.partitions (for validate_only). */
  checkPartitionLimit(partitions: number): void;
  /** Raises a topic's partition count to `count`; 3 for an unknown topic, 37 when it is no increase, 44, 56. */
  createPartitions(name: string, count: number): Promise<void>;
  /** Replaces a topic's config overrides (already validated); 3 for an unknown topic, 56. */
  setConfigs(name: string, configs: Record<string, string>): Promise<void>;
  /** Deletes a topic and its logs; 3 for an unknown topic, 56. */
  delete(name: string): Promise<void>;
}

export interface TopicManagerOptions {
  readonly registry: TopicRegistry;
  readonly logs: LogManager;
  /** For `num.partitions` (auto-creation), `max.broker.partitions` and the log defaults under each topic's overrides. */
  readonly config: BrokerConfig;
  readonly logger: Logger;
  /** Told after a topic is deleted (the group coordinator then drops its committed offsets). */
  readonly onDeleted?: (topic: string) => Promise<void>;
}

const isOutOfSpace = (err: unknown): boolean => ['ENOSPC', 'EDQUOT'].includes((err as NodeJS.ErrnoException)?.code ?? '');

/** Kafka refuses topics whose names differ only by '.' and '_' (they collide in metric names). */
export const collisionKey = (name: string): string => name.replace(/\./g, '_');

/** The existing topic `name` would collide with, if any. */
export function collidingTopic(topics: Iterable<TopicInfo>, name: string): TopicInfo | undefined {
  const key = collisionKey(name);
  for (const t of topics) if (t.name !== name && collisionKey(t.name) === key) return t;
  return undefined;
}

export class TopicManager implements TopicService {
  private readonly registry: TopicRegistry;
  private readonly logs: LogManager;
  private readonly config: BrokerConfig;
  private readonly logger: Logger;
  private readonly onDeleted: (topic: string) => Promise<void>;
  private readonly mutations = new KeyedSerializer();
  /** Partitions being created right now: counted against the limit before they exist. */
  private reserved = 0;

  private constructor(opts: TopicManagerOptions) {
    this.registry = opts.registry;
    this.logs = opts.logs;
    this.config = opts.config;
    this.logger = opts.logger;
    this.onDeleted = opts.onDeleted ?? (async () => {});
  }

  /**
   * Opens the service over a loaded registry and log store, making sure every partition of every
   * known topic has a log (it may have been removed by hand). The log store opened the existing
   * ones under their topic's overrides already.
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

  /** Every registered topic's partitions, internal ones included (as KIP-578 counts), plus creations under way. */
  partitionCount(): number {
    let count = this.reserved;
    for (const t of this.registry.list()) count += t.partitions;
    return count;
  }

  checkPartitionLimit(partitions: number): void {
    const limit = this.config.get('max.broker.partitions');
    const current = this.partitionCount();
    if (current + partitions > limit) {
      throw new KafkaError(
        ErrorCode.POLICY_VIOLATION,
        `Adding ${partitions} partition(s) would exceed the broker's limit: ${current} of max.broker.partitions=${limit} are in use.`,
      );
    }
  }

  create(name: string, partitions: number, configs: Record<string, string> = {}): Promise<TopicInfo> {
    return this.mutate(name, async () => {
      const invalid = invalidTopicName(name);
      if (invalid) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
      if (this.registry.get(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
      const collides = collidingTopic(this.registry.list(), name);
      if (collides) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collides.name}`);
      if (partitions < 1) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
      const topic = await this.withReservation(partitions, async () => {
        const created = await this.createLogs(name, 0, partitions, configs);
        try {
          return await this.registry.create(name, partitions, configs);
        } catch (err) {
          await this.removeLogs(name, created);
          throw err;
        }
      });
      this.logger.info({ topic: name, partitions, id: topic.id }, 'created topic');
      return topic;
    });
  }

  async autoCreate(name: string): Promise<TopicInfo> {
    return this.registry.get(name) ?? this.create(name, this.config.get('num.partitions')).catch((err) => {
      // Another request created it while this one waited its turn.
      const made = isKafkaError(err) && err.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && this.registry.get(name);
      if (made) return made;
      throw err;
    });
  }

  /** The new partitions' logs exist before the registry (and so Metadata) shows them. */
  createPartitions(name: string, count: number): Promise<void> {
    return this.mutate(name, async () => {
      const topic = requireTopic(this.registry, { name });
      const current = topic.partitions;
      if (count <= current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
      await this.withReservation(count - current, async () => {
        const created = await this.createLogs(name, current, count, topic.configs);
        try {
          await this.registry.update(name, (t) => void (t.partitions = count));
        } catch (err) {
          await this.removeLogs(name, created);
          throw err;
        }
      });
      this.logger.info({ topic: name, partitions: count }, 'added partitions');
    });
  }

  /**
   * Persisted first, then pushed into every partition log, which acts on the new settings from its
   * next append or retention check.
   */
  setConfigs(name: string, configs: Record<string, string>): Promise<void> {
    return this.mutate(name, async () => {
      const topic = requireTopic(this.registry, { name });
      await this.registry.update(name, (t) => void (t.configs = { ...configs }));
      const config = this.logConfig(configs);
      for (let p = 0; p < topic.partitions; p++) this.logs.getLog(name, p)?.updateConfig(config);
      this.logger.info({ topic: name, configs }, 'altered topic configs');
    });
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
   * (directories removed). Requests that already hold a log finish against a closed one. Once the
   * registry entry is gone the topic is deleted: a log that then fails to go is left to start-up,
   * which sets aside what no topic claims.
   *
   * On a full disk the registry cannot be rewritten, yet deleting a topic is how an operator frees
   * space: then the logs go first and the registry is written after. Should even that fail, the
   * topic stays listed without data (Produce answers 3) until a retried delete is recorded.
   */
  delete(name: string): Promise<void> {
    return this.mutate(name, async () => {
      const topic = requireTopic(this.registry, { name });
      try {
        await this.registry.delete(name);
      } catch (err) {
        if (!isOutOfSpace(err)) throw err;
        this.logger.warn({ topic: name }, 'disk full: removing the topic\'s logs before recording its deletion');
        await this.logs.deleteLogs(name);
        await this.registry.delete(name);
      }
      try {
        await this.logs.deleteLogs(name);
      } catch (err) {
        this.logger.error({ err, topic: name }, 'topic deleted, but removing its logs failed; the next start sets them aside');
      }
      this.logger.info({ topic: name, id: topic.id }, 'deleted topic');
      // The topic is gone either way; what depends on it (committed offsets) is cleaned up after.
      await this.onDeleted(name).catch((err: unknown) => this.logger.error({ err, topic: name }, 'cleanup after topic deletion failed'));
    });
  }

  /** Runs a mutation after every earlier one of the same topic; storage failures become 56. */
  private mutate<T>(name: string, run: () => Promise<T>): Promise<T> {
    return this.mutations.run(collisionKey(name), async () => {
      try {
        return await run();
      } catch (err) {
        if (isKafkaError(err)) throw err;
        this.logger.error({ err, topic: name }, 'topic change failed on storage');
        throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `Storage error while changing topic ${name}: ${(err as Error).message}`);
      }
    });
  }

  /**
   * Counts `partitions` against max.broker.partitions while `create` runs. The check and the
   * reservation happen in one synchronous step, so concurrent creations of different topics cannot
   * pass the limit together.
   */
  private async withReservation<T>(partitions: number, create: () => Promise<T>): Promise<T> {
    this.checkPartitionLimit(partitions);
    this.reserved += partitions;
    try {
      return await create();
    } finally {
      this.reserved -= partitions;
    }
  }

  /** Creates logs [from, to) of a topic; on failure removes the ones it made. Returns the partitions made. */
  private async createLogs(name: string, from: number, to: number, configs: Record<string, string>): Promise<number[]> {
    const config = this.logConfig(configs);
    const created: number[] = [];
    try {
      for (let p = from; p < to; p++) {
        if (this.logs.getLog(name, p)) continue; // a coordinator's own log, already open
        await this.logs.createLog(name, p, config);
        created.push(p);
      }
    } catch (err) {
      await this.removeLogs(name, created);
      throw err;
    }
    return created;
  }

  /** Undoes createLogs. Removing frees space, so it works on a full disk too; if not, start-up finishes it. */
  private async removeLogs(name: string, partitions: number[]): Promise<void> {
    for (const p of partitions) {
      await this.logs.deleteLog(name, p).catch((err) => this.logger.warn({ err, topic: name, partition: p }, 'could not remove a new log'));
    }
  }
}
