/**
 * The partition logs of one internal topic (`__consumer_offsets`; later `__transaction_state`),
 * owned by its coordinator. The topic is registered like any other — so Metadata lists it, flagged
 * `is_internal`, and its partitions have logs — but it is created by the coordinator, on first use,
 * as Kafka creates it when the first FindCoordinator arrives, with the coordinator's partition count
 * and configs (Kafka: `offsets.topic.num.partitions`, cleanup.policy=compact, ...).
 *
 * Once it exists its partition count is what the registry says: a key's partition is a hash modulo
 * that count, so changing the setting later must not move anybody's data (Kafka does the same).
 * Partition logs found on disk without a registry entry (a data directory from before the topic was
 * registered, which kept everything in partition 0) are adopted, never dropped.
 */
import type { LogConfig } from '../config/log-config.js';
import type { LogManager } from '../log/log-manager.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { TopicInfo } from './registry.js';

/** What this needs of the topic registry. */
export interface InternalTopicRegistry {
  get(name: string): TopicInfo | undefined;
  create(name: string, partitions: number, configs?: Record<string, string>): Promise<TopicInfo>;
}

export interface InternalTopicOptions {
  readonly name: string;
  /** How many partitions to create it with, if it does not exist yet. */
  readonly partitions: number;
  /** Its topic configs (overrides), if it is created. */
  readonly configs: Record<string, string>;
  readonly registry: InternalTopicRegistry;
  readonly logs: LogManager;
  /**
   * The settings its partition logs run under, from its configs: applied to every partition when
   * the topic is opened or created, including logs that were loaded before it was registered.
   */
  readonly logConfig: (configs: Readonly<Record<string, string>>) => LogConfig;
}

export class InternalTopicLogs {
  private creating?: Promise<void>;

  private constructor(
    private readonly opts: InternalTopicOptions,
    private count: number,
    private exists: boolean,
  ) {}

  /** Opens the topic's existing logs; creates nothing unless logs exist without a registry entry. */
  static async open(opts: InternalTopicOptions): Promise<InternalTopicLogs> {
    const registered = opts.registry.get(opts.name);
    if (registered) {
      const t = new InternalTopicLogs(opts, registered.partitions, true);
      await t.createLogs(registered.configs);
      return t;
    }
    const onDisk = opts.logs.allLogs().filter((l) => l.topic === opts.name).map((l) => l.partition);
    const t = new InternalTopicLogs(opts, Math.max(opts.partitions, ...onDisk.map((p) => p + 1)), false);
    if (onDisk.length > 0) await t.ensureCreated();
    return t;
  }

  get name(): string {
    return this.opts.name;
  }

  /** Its partitions: the registered count once it exists, the count it will be created with before. */
  get partitionCount(): number {
    return this.count;
  }

  get created(): boolean {
    return this.exists;
  }

  /** A partition's log, or undefined while the topic does not exist. */
  log(partition: number): PartitionLog | undefined {
    return this.exists ? this.opts.logs.getLog(this.opts.name, partition) : undefined;
  }

  /** Creates the topic (registry entry, then every partition's log) unless it exists; callers share one creation. */
  ensureCreated(): Promise<void> {
    if (this.exists) return Promise.resolve();
    this.creating ??= (async () => {
      const topic = await this.opts.registry.create(this.opts.name, this.count, { ...this.opts.configs });
      await this.createLogs(topic.configs);
      this.exists = true;
    })().finally(() => (this.creating = undefined));
    return this.creating;
  }

  private async createLogs(configs: Readonly<Record<string, string>>): Promise<void> {
    const config = this.opts.logConfig(configs);
    for (let p = 0; p < this.count; p++) (await this.opts.logs.createLog(this.opts.name, p)).updateConfig(config);
  }
}
