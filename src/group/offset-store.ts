/**
 * Where the group coordinator makes its state durable: committed offsets and group metadata, as
 * records in the partitions of a log (Kafka's `__consumer_offsets`; each group's records in the one
 * partition its id hashes to). At start-up every partition is replayed; later records for a key
 * replace earlier ones and a null value deletes the key.
 *
 * So that replay time does not grow with every commit ever made, the coordinator now and then
 * writes a *snapshot* of a partition: its live state, appended as ordinary records, after which
 * everything before the snapshot is dropped. (Kafka compacts `__consumer_offsets` with its log cleaner
 * instead; the effect on replay is the same: it reads roughly one record per live key.)
 */
import type { Logger } from 'pino';
import { decodeRecords, encodeBatch, encodeRecords, readBatchHeader, HEADER_SIZE, COMPRESSION_MASK, type RecordInput } from '../codec/record-batch.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { topicLogConfig } from '../config/log-config.js';
import type { LogManager } from '../log/log-manager.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { CoordinatorRecord } from './records.js';
import { CONSUMER_OFFSETS_TOPIC } from '../topics/internal.js';
import { InternalTopicLogs, type InternalTopicRegistry } from '../topics/internal-logs.js';

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
   * 0, oldest first within a partition.
   */
  replay(visit: (r: CoordinatorRecord, partition: number) => void): Promise<void>;
  /**
   * Appends records to a partition, in call order. Resolves once they are written to the file (so a
   * process kill cannot lose them); only then may a commit be acknowledged.
   */
  append(partition: number, records: readonly CoordinatorRecord[]): Promise<void>;
  /** Appends `live` (the partition's complete current state) and drops every record before it. */
  snapshot(partition: number, live: readonly CoordinatorRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Keeps the records in memory: for tests and an in-memory broker. Nothing survives the process. */
export class MemoryOffsetStore implements OffsetStore {
  readonly partitions: CoordinatorRecord[][];

  constructor(readonly partitionCount = 1) {
    this.partitions = Array.from({ length: partitionCount }, () => []);
  }

  /** Every record, partition by partition. */
  get records(): CoordinatorRecord[] {
    return this.partitions.flat();
  }

  async prepare(): Promise<void> {}

  async replay(visit: (r: CoordinatorRecord, partition: number) => void): Promise<void> {
    this.partitions.forEach((records, p) => records.forEach((r) => visit(r, p)));
  }

  async append(partition: number, records: readonly CoordinatorRecord[]): Promise<void> {
    this.partitions[partition]!.push(...records);
  }

  async snapshot(partition: number, live: readonly CoordinatorRecord[]): Promise<void> {
    this.partitions[partition] = [...live];
  }

  async close(): Promise<void> {}
}

export const OFFSETS_TOPIC = CONSUMER_OFFSETS_TOPIC;
/** Records per batch when writing a snapshot, so no batch approaches message.max.bytes. */
const SNAPSHOT_BATCH_BYTES = 512 * 1024;
const READ_BYTES = 1024 * 1024;

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
 * The records in the partitions of `__consumer_offsets`, through the log store: record batch v2
 * (uncompressed, CRC-32C), Kafka's segment files, recovery after a crash. The topic is created on
 * first use (see src/topics/internal-logs.ts); until then there is nothing to replay.
 */
export class LogOffsetStore implements OffsetStore {
  constructor(
    private readonly topic: InternalTopicLogs,
    private readonly clock: { now(): number },
    private readonly logger?: Logger,
  ) {}

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

  async replay(visit: (r: CoordinatorRecord, partition: number) => void): Promise<void> {
    for (let p = 0; p < this.partitionCount; p++) {
      const log = this.topic.log(p);
      if (log) await this.replayPartition(log, (r) => visit(r, p));
    }
  }

  private async replayPartition(log: PartitionLog, visit: (r: CoordinatorRecord) => void): Promise<void> {
    const start = log.logStartOffset;
    let offset = start;
    let batches = 0;
    while (offset < log.highWatermark) {
      const { records } = await log.read(offset, READ_BYTES);
      if (records.length === 0) break;
      for (let pos = 0; pos + HEADER_SIZE <= records.length;) {
        const h = readBatchHeader(records, pos)!;
        if ((h.attributes & COMPRESSION_MASK) !== 0) throw new Error(`${log.dir}: compressed batch at ${h.baseOffset}`);
        for (const r of decodeRecords(records.subarray(pos + HEADER_SIZE, pos + h.size), h.recordsCount)) {
          // The first batch read may start before the log start offset (after a snapshot).
          if (h.baseOffset + BigInt(r.offsetDelta) < start) continue;
          if (r.key === null) throw new Error(`${log.dir}: record without key at ${h.baseOffset}`);
          visit({ key: r.key, value: r.value });
        }
        offset = h.baseOffset + BigInt(h.lastOffsetDelta) + 1n;
        pos += h.size;
        batches++;
      }
    }
    if (batches > 0) this.logger?.info({ partition: log.dir, from: start, to: log.highWatermark, batches }, 'replayed group coordinator log');
  }

  /** The records as batches of at most `maxBytes` each (roughly), in order. */
  private batches(records: readonly CoordinatorRecord[], maxBytes = SNAPSHOT_BATCH_BYTES): Buffer[] {
    const now = this.clock.now();
    const out: Buffer[] = [];
    let current: RecordInput[] = [];
    let bytes = 0;
    const flush = () => {
      if (current.length === 0) return;
      out.push(encodeBatch({
        lastOffsetDelta: current.length - 1, recordsCount: current.length, baseTimestamp: now, maxTimestamp: now,
        records: encodeRecords(current),
      }));
      current = [];
      bytes = 0;
    };
    for (const r of records) {
      current.push({ key: r.key, value: r.value });
      bytes += r.key.length + (r.value?.length ?? 0) + 16;
      if (bytes >= maxBytes) flush();
    }
    flush();
    return out;
  }

  private async logOf(partition: number): Promise<PartitionLog> {
    await this.topic.ensureCreated();
    return this.topic.log(partition)!;
  }

  async append(partition: number, records: readonly CoordinatorRecord[]): Promise<void> {
    if (records.length === 0) return;
    await (await this.logOf(partition)).append(Buffer.concat(this.batches(records)));
  }

  async snapshot(partition: number, live: readonly CoordinatorRecord[]): Promise<void> {
    const log = await this.logOf(partition);
    const base = log.logEndOffset;
    // One append per batch, each well inside a segment: offsets.topic.segment.bytes may be small.
    const maxBytes = Math.min(SNAPSHOT_BATCH_BYTES, Math.floor(log.currentConfig().segmentBytes / 4));
    for (const batch of this.batches(live, maxBytes)) await log.append(batch);
    await log.deleteRecordsBefore(base);
  }

  /** The logs themselves are closed by the LogManager. */
  async close(): Promise<void> {}
}
