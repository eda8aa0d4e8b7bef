/**
 * Where the group coordinator makes its state durable: committed offsets and group metadata, as
 * records in the partitions of a log (Kafka's `__consumer_offsets`; each group's records in the one
 * partition its id hashes to). At start-up every partition is replayed; later records for a key
 * replace earlier ones and a null value deletes the key. Transactional offset commits are written
 * in transactional batches to the group's partition and resolved by the transaction's marker,
 * written to that same partition (pending-offsets.ts).
 *
 * So that replay time does not grow with every commit ever made, the coordinator now and then
 * writes a *snapshot* of a partition: its live state, appended as ordinary records, after which
 * everything before the snapshot is dropped. (Kafka compacts `__consumer_offsets` with its log cleaner
 * instead; the effect on replay is the same: it reads roughly one record per live key.)
 */
import type { Logger } from 'pino';
import type { TxnMarker } from '../codec/control-record.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { topicLogConfig } from '../config/log-config.js';
import { CoordinatorLog, type CoordinatorRecord, type TxnTag } from '../coordinator/coordinator-log.js';
import type { LogManager } from '../log/log-manager.js';
import { CONSUMER_OFFSETS_TOPIC } from '../topics/internal.js';
import { InternalTopicLogs, type InternalTopicRegistry } from '../topics/internal-logs.js';

/** What a replay hands the coordinator, partition by partition, in log order within each. */
export interface OffsetReplayVisitor {
  /** A record of `partition`, with the producer id when it is a transactional offset commit. */
  record(r: CoordinatorRecord, partition: number, producerId?: bigint): void;
  /** A transaction marker in `partition`: it resolves the producer's pending offsets of that partition. */
  marker?(partition: number, producerId: bigint, commit: boolean): void;
}

export interface OffsetStore {
  /**
   * How many partitions the records are spread over; a group's records all go to one of them
   * (Kafka's `offsets.topic.num.partitions`, chosen by hashing the group id).
   */
  readonly partitionCount: number;
  /** Makes the store ready for writes (creates `__consumer_offsets` on first use). */
  prepare(): Promise<void>;
  /**
   * Visits every record kept (from each partition's last snapshot on), partition by partition from
   * 0, oldest first within a partition, with the transaction markers among them.
   */
  replay(visitor: OffsetReplayVisitor): Promise<void>;
  /**
   * Appends records to a partition, in call order; with `txn`, as a transactional batch of that
   * producer. Resolves once they are written to the file (so a process kill cannot lose them);
   * only then may a commit be acknowledged.
   */
  append(partition: number, records: readonly CoordinatorRecord[], txn?: TxnTag): Promise<void>;
  /** Appends a transaction marker (COMMIT or ABORT of a producer's transactional offset commits). */
  appendMarker(partition: number, marker: TxnMarker): Promise<void>;
  /** Appends `live` (the partition's complete current state) and drops every record before it. */
  snapshot(partition: number, live: readonly CoordinatorRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A record as the memory store keeps it: with the producer id of its transactional batch, or, for a
 * transaction marker, `marker` set (and an empty key and no value: it is not a coordinator record).
 */
export interface StoredRecord extends CoordinatorRecord {
  readonly producerId?: bigint;
  readonly marker?: { readonly producerId: bigint; readonly commit: boolean };
}

/** Keeps the records in memory: for tests and an in-memory broker. Nothing survives the process. */
export class MemoryOffsetStore implements OffsetStore {
  /** Each partition's records and markers, in append order. */
  readonly partitions: StoredRecord[][];

  constructor(readonly partitionCount = 1) {
    this.partitions = Array.from({ length: partitionCount }, () => []);
  }

  /** Every record (markers left out), partition by partition. */
  get records(): CoordinatorRecord[] {
    return this.partitions.flat().filter((r) => !r.marker);
  }

  async prepare(): Promise<void> {}

  async replay(visitor: OffsetReplayVisitor): Promise<void> {
    this.partitions.forEach((records, p) => {
      for (const r of records) {
        if (r.marker) visitor.marker?.(p, r.marker.producerId, r.marker.commit);
        else visitor.record(r, p, r.producerId);
      }
    });
  }

  async append(partition: number, records: readonly CoordinatorRecord[], txn?: TxnTag): Promise<void> {
    this.partitions[partition]!.push(...records.map((r) => ({ key: r.key, value: r.value, producerId: txn?.producerId })));
  }

  async appendMarker(partition: number, marker: TxnMarker): Promise<void> {
    this.partitions[partition]!.push({ key: Buffer.alloc(0), value: null, marker: { producerId: marker.producerId, commit: marker.commit } });
  }

  async snapshot(partition: number, live: readonly CoordinatorRecord[]): Promise<void> {
    this.partitions[partition] = [...live];
  }

  async close(): Promise<void> {}
}

export const OFFSETS_TOPIC = CONSUMER_OFFSETS_TOPIC;

/**
 * The topic configs `__consumer_offsets` is created with (Kafka's groupMetadataTopicConfigs): a
 * compacted log — so retention never deletes a live commit — with offsets.topic.segment.bytes segments.
 */
export function offsetsTopicConfigs(config: BrokerConfig): Record<string, string> {
  return {
    'cleanup.policy': 'compact',
    'compression.type': 'producer',
    'segment.bytes': String(config.get('offsets.topic.segment.bytes')),
  };
}

/**
 * The records in the partitions of `__consumer_offsets`, through the shared coordinator log
 * (src/coordinator/coordinator-log.ts): record batch v2 (uncompressed, CRC-32C), Kafka's segment
 * files, recovery after a crash, transactional batches and markers. The topic is created on first
 * use (see src/topics/internal-logs.ts); until then there is nothing to replay.
 */
export class LogOffsetStore implements OffsetStore {
  private readonly log: CoordinatorLog;

  private constructor(
    private readonly topic: InternalTopicLogs,
    clock: { now(): number },
    private readonly logger?: Logger,
  ) {
    this.log = new CoordinatorLog(OFFSETS_TOPIC, topic.partitionCount, (p) => topic.log(p), clock, logger);
  }

  /**
   * Opens `__consumer_offsets` in `registry` and `logs` (created later, on first use, with
   * offsets.topic.num.partitions partitions, unless it exists).
   */
  static async open(opts: {
    config: BrokerConfig; logs: LogManager; registry: InternalTopicRegistry; clock: { now(): number }; logger?: Logger;
  }): Promise<LogOffsetStore> {
    const topic = await InternalTopicLogs.open({
      name: OFFSETS_TOPIC,
      partitions: opts.config.get('offsets.topic.num.partitions'),
      configs: offsetsTopicConfigs(opts.config),
      registry: opts.registry,
      logs: opts.logs,
      logConfig: (configs) => topicLogConfig(opts.config, configs),
    });
    return new LogOffsetStore(topic, opts.clock, opts.logger);
  }

  get partitionCount(): number {
    return this.topic.partitionCount;
  }

  prepare(): Promise<void> {
    return this.topic.ensureCreated();
  }

  async replay(visitor: OffsetReplayVisitor): Promise<void> {
    if (!this.topic.created) return;
    for (let p = 0; p < this.partitionCount; p++) {
      const { from, to, batches } = await this.log.replay(p, {
        record: (r, _offset, producerId) => visitor.record(r, p, producerId),
        marker: (producerId, commit) => visitor.marker?.(p, producerId, commit),
      });
      if (batches > 0) this.logger?.info({ partition: this.log.log(p).dir, from, to, batches }, 'replayed group coordinator log');
    }
  }

  async append(partition: number, records: readonly CoordinatorRecord[], txn?: TxnTag): Promise<void> {
    await this.topic.ensureCreated();
    return this.log.append(partition, records, txn);
  }

  async appendMarker(partition: number, marker: TxnMarker): Promise<void> {
    await this.topic.ensureCreated();
    return this.log.appendMarker(partition, marker);
  }

  async snapshot(partition: number, live: readonly CoordinatorRecord[]): Promise<void> {
    await this.topic.ensureCreated();
    return this.log.snapshot(partition, live);
  }

  /** The logs themselves are closed by the LogManager. */
  async close(): Promise<void> {}
}
