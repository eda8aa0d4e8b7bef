/**
 * Where the group coordinator makes its state durable: committed offsets and group metadata, as
 * records in a log (Kafka's `__consumer_offsets`). At start-up the log is replayed; later records
 * for a key replace earlier ones and a null value deletes the key.
 *
 * So that replay time does not grow with every commit ever made, the coordinator now and then
 * writes a *snapshot*: the live state, appended as ordinary records, after which everything
 * before the snapshot is dropped. (Kafka compacts `__consumer_offsets` with its log cleaner
 * instead; the effect on replay is the same: it reads roughly one record per live key.)
 */
import type { Logger } from 'pino';
import { decodeRecords, encodeBatch, encodeRecords, readBatchHeader, HEADER_SIZE, COMPRESSION_MASK, type RecordInput } from '../codec/record-batch.js';
import type { LogManager } from '../log/log-manager.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { CoordinatorRecord } from './records.js';
import { CONSUMER_OFFSETS_TOPIC } from '../topics/internal.js';

export interface OffsetStore {
  /** Visits every record kept (from the last snapshot on), oldest first. */
  replay(visit: (r: CoordinatorRecord) => void): Promise<void>;
  /**
   * Appends records, in call order. Resolves once they are written to the file (so a process
   * kill cannot lose them); only then may a commit be acknowledged.
   */
  append(records: readonly CoordinatorRecord[]): Promise<void>;
  /** Appends `live` (the complete current state) and drops every record before it. */
  snapshot(live: readonly CoordinatorRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Keeps the records in memory: for tests and an in-memory broker. Nothing survives the process. */
export class MemoryOffsetStore implements OffsetStore {
  records: CoordinatorRecord[] = [];

  async replay(visit: (r: CoordinatorRecord) => void): Promise<void> {
    for (const r of this.records) visit(r);
  }

  async append(records: readonly CoordinatorRecord[]): Promise<void> {
    this.records.push(...records);
  }

  async snapshot(live: readonly CoordinatorRecord[]): Promise<void> {
    this.records = [...live];
  }

  async close(): Promise<void> {}
}

export const OFFSETS_TOPIC = CONSUMER_OFFSETS_TOPIC;
/** Kafka's offsets.topic.segment.bytes default; smaller than a data topic's, as replay reads it. */
const OFFSETS_SEGMENT_BYTES = 100 * 1024 * 1024;
/** Records per batch when writing a snapshot, so no batch approaches message.max.bytes. */
const SNAPSHOT_BATCH_BYTES = 512 * 1024;
const READ_BYTES = 1024 * 1024;

/**
 * The records in partition 0 of `__consumer_offsets`, through the log store: record batch v2
 * (uncompressed, CRC-32C), Kafka's segment files, recovery after a crash. One partition suffices
 * on one broker; Kafka spreads groups over 50 only to spread coordinators over brokers.
 */
export class LogOffsetStore implements OffsetStore {
  private constructor(
    private readonly log: PartitionLog,
    private readonly clock: { now(): number },
    private readonly logger?: Logger,
  ) {}

  static async open(logs: LogManager, clock: { now(): number }, logger?: Logger): Promise<LogOffsetStore> {
    const log = await logs.createLog(OFFSETS_TOPIC, 0);
    // Time- or size-based retention would delete live commits: this log only shrinks by snapshots.
    log.updateConfig({ retentionMs: -1, retentionBytes: -1, segmentBytes: OFFSETS_SEGMENT_BYTES });
    return new LogOffsetStore(log, clock, logger);
  }

  async replay(visit: (r: CoordinatorRecord) => void): Promise<void> {
    const start = this.log.logStartOffset;
    let offset = start;
    let batches = 0;
    while (offset < this.log.highWatermark) {
      const { records } = await this.log.read(offset, READ_BYTES);
      if (records.length === 0) break;
      for (let pos = 0; pos + HEADER_SIZE <= records.length;) {
        const h = readBatchHeader(records, pos)!;
        if ((h.attributes & COMPRESSION_MASK) !== 0) throw new Error(`${OFFSETS_TOPIC}: compressed batch at ${h.baseOffset}`);
        for (const r of decodeRecords(records.subarray(pos + HEADER_SIZE, pos + h.size), h.recordsCount)) {
          // The first batch read may start before the log start offset (after a snapshot).
          if (h.baseOffset + BigInt(r.offsetDelta) < start) continue;
          if (r.key === null) throw new Error(`${OFFSETS_TOPIC}: record without key at ${h.baseOffset}`);
          visit({ key: r.key, value: r.value });
        }
        offset = h.baseOffset + BigInt(h.lastOffsetDelta) + 1n;
        pos += h.size;
        batches++;
      }
    }
    this.logger?.info({ from: start, to: this.log.highWatermark, batches }, 'replayed group coordinator log');
  }

  private batches(records: readonly CoordinatorRecord[]): Buffer {
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
      if (bytes >= SNAPSHOT_BATCH_BYTES) flush();
    }
    flush();
    return Buffer.concat(out);
  }

  async append(records: readonly CoordinatorRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.log.append(this.batches(records));
  }

  async snapshot(live: readonly CoordinatorRecord[]): Promise<void> {
    const base = this.log.logEndOffset;
    if (live.length > 0) await this.log.append(this.batches(live));
    await this.log.deleteRecordsBefore(base);
  }

  /** The log itself is closed by the LogManager. */
  async close(): Promise<void> {}
}
