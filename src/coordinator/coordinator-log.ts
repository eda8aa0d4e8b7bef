/**
 * A coordinator's state log: the partitions of one internal topic (`__transaction_state`,
 * `__consumer_offsets`) holding keyed records, later ones for a key replacing earlier ones and a
 * null value deleting it. This is the part Kafka's coordinators share (its CoordinatorRuntime and
 * the loaders of the group and transaction coordinators); each coordinator keeps only its state
 * machine and its record formats.
 *
 * - `replay(partition, visitor)`: every record kept, oldest first, at start-up; with the
 *   transactional tag of its batch (the group coordinator's transactional offset commits) and the
 *   transaction markers, so pending transactional records can be resolved as Kafka's loader does.
 * - `append(partition, records, txn?)`: resolves once the records are written (a kill -9 cannot
 *   lose them); only then may the coordinator apply them and answer its client.
 * - `snapshot(partition, live)`: appends the live records (one per key) and drops everything
 *   before them, so replay stays bounded. Kafka compacts these topics with its log cleaner instead;
 *   the effect on replay is the same: roughly one record per live key.
 *
 * Records are written through the log store, so they inherit its CRCs, crash recovery and
 * `dump-log`: record batch v2, uncompressed (as Kafka enforces for these topics).
 *
 * Users: the transaction coordinator over the partitions of `__transaction_state` and the group
 * coordinator's LogOffsetStore over those of `__consumer_offsets`; each routes a key (transactional
 * id, group id) to its partition with Kafka's hash (src/util/java-hash.ts) and takes snapshots per
 * partition, when no write is in flight on that partition.
 */
import type { Logger } from 'pino';
import { encodeMarkerBatch, readMarker, type TxnMarker } from '../codec/control-record.js';
import {
  COMPRESSION_MASK,
  CONTROL_BIT,
  decodeRecords,
  encodeBatch,
  encodeRecords,
  HEADER_SIZE,
  readBatchHeader,
  TRANSACTIONAL_BIT,
  type RecordInput,
} from '../codec/record-batch.js';
import type { PartitionLog } from '../log/partition-log.js';

/** One record of a coordinator log. */
export interface CoordinatorRecord {
  readonly key: Buffer;
  /** null = tombstone. */
  readonly value: Buffer | null;
}

/** The producer whose transaction appended records belong to (transactional offset commits). */
export interface TxnTag {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** What a replay read: the offsets [from, to), and how many batches and records. */
export interface ReplaySummary {
  readonly from: bigint;
  readonly to: bigint;
  readonly batches: number;
  readonly records: number;
}

export interface ReplayVisitor {
  /** A record, with its offset and, when its batch was transactional, its producer id. */
  record(r: CoordinatorRecord, offset: bigint, producerId?: bigint): void;
  /** A transaction marker (COMMIT or ABORT) for a producer's pending transactional records. */
  marker?(producerId: bigint, commit: boolean): void;
}

/** Kafka's coordinator record keys and values start with their int16 schema version (MessageUtil.toVersionPrefixedBytes). */
export function versionPrefixed(version: number, body: readonly Buffer[]): Buffer {
  const v = Buffer.alloc(2);
  v.writeInt16BE(version);
  return Buffer.concat([v, ...body]);
}

/** Records per batch when writing a snapshot, so no batch approaches message.max.bytes. */
const BATCH_BYTES = 512 * 1024;

export class CoordinatorLog {
  constructor(
    /** The internal topic, for messages. */
    readonly topic: string,
    /** How many partitions the topic has. */
    readonly partitions: number,
    /** A partition's log; undefined while the topic does not exist yet (it is created on first use). */
    private readonly logOf: (partition: number) => PartitionLog | undefined,
    private readonly clock: { now(): number },
    private readonly logger?: Logger,
    /** Bytes read at a time while replaying (Kafka's *.load.buffer.size). */
    private readonly loadBufferBytes = 1024 * 1024,
  ) {}

  /** A coordinator log over partition logs that all exist, in partition order. */
  static over(topic: string, logs: readonly PartitionLog[], clock: { now(): number }, logger?: Logger, loadBufferBytes?: number): CoordinatorLog {
    return new CoordinatorLog(topic, logs.length, (p) => logs[p], clock, logger, loadBufferBytes);
  }

  /** The partition's log, for markers written into it and for tests. */
  log(partition: number): PartitionLog {
    const log = partition < this.partitions ? this.logOf(partition) : undefined;
    if (!log) throw new Error(`${this.topic} has no partition ${partition}`);
    return log;
  }

  /** Visits every record kept in one partition (from its log start on), oldest first. Returns what it read. */
  async replay(partition: number, visitor: ReplayVisitor): Promise<ReplaySummary> {
    const log = this.log(partition);
    const start = log.logStartOffset;
    const end = log.highWatermark;
    let offset = start;
    let records = 0;
    let batches = 0;
    while (offset < end) {
      const { records: bytes } = await log.read(offset, this.loadBufferBytes);
      if (bytes.length === 0) break;
      for (let pos = 0; pos + HEADER_SIZE <= bytes.length;) {
        const h = readBatchHeader(bytes, pos)!;
        offset = h.baseOffset + BigInt(h.lastOffsetDelta) + 1n;
        batches++;
        if (h.attributes & CONTROL_BIT) {
          const marker = readMarker(bytes, pos);
          if (marker && h.baseOffset >= start) visitor.marker?.(h.producerId, marker.commit);
          pos += h.size;
          continue;
        }
        if ((h.attributes & COMPRESSION_MASK) !== 0) throw new Error(`${this.topic}-${partition}: compressed batch at ${h.baseOffset}`);
        const producerId = h.attributes & TRANSACTIONAL_BIT ? h.producerId : undefined;
        for (const r of decodeRecords(bytes.subarray(pos + HEADER_SIZE, pos + h.size), h.recordsCount)) {
          const at = h.baseOffset + BigInt(r.offsetDelta);
          // The first batch read may start before the log start offset (after a snapshot).
          if (at < start) continue;
          if (r.key === null) throw new Error(`${this.topic}-${partition}: record without key at ${at}`);
          visitor.record({ key: r.key, value: r.value }, at, producerId);
          records++;
        }
        pos += h.size;
      }
    }
    this.logger?.debug({ topic: this.topic, partition, from: start, to: end, records }, 'replayed coordinator log partition');
    return { from: start, to: end, batches, records };
  }

  /** Encodes records as batches of at most `maxBytes` each (roughly), transactional when tagged. */
  private batches(records: readonly CoordinatorRecord[], txn?: TxnTag, maxBytes = BATCH_BYTES): Buffer[] {
    const now = this.clock.now();
    const out: Buffer[] = [];
    let current: RecordInput[] = [];
    let bytes = 0;
    const flush = () => {
      if (current.length === 0) return;
      out.push(encodeBatch({
        lastOffsetDelta: current.length - 1,
        recordsCount: current.length,
        baseTimestamp: now,
        maxTimestamp: now,
        records: encodeRecords(current),
        // Kafka's coordinators write transactional records with the producer's id and epoch and
        // sequence 0: the log checks the epoch, not the sequence, of coordinator appends.
        ...(txn ? { attributes: TRANSACTIONAL_BIT, producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: 0 } : {}),
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

  /** Appends records to one partition, in call order; resolves once they are written. */
  async append(partition: number, records: readonly CoordinatorRecord[], txn?: TxnTag): Promise<void> {
    if (records.length === 0) return;
    await this.log(partition).append(Buffer.concat(this.batches(records, txn)), { origin: 'coordinator' });
  }

  /**
   * Appends a transaction marker to one partition (the group coordinator writes the markers of its
   * own log, so it applies them in log order with its other writes). Rejects with the log's
   * KafkaError (47, 52, a storage error).
   */
  async appendMarker(partition: number, marker: TxnMarker): Promise<void> {
    await this.log(partition).startAppend(encodeMarkerBatch({ ...marker, timestamp: this.clock.now() }), { origin: 'coordinator' }).done;
  }

  /**
   * Appends `live` (the partition's complete current state) and drops every record before it. The
   * caller must have no write in flight on the partition: those would be dropped too.
   */
  async snapshot(partition: number, live: readonly CoordinatorRecord[]): Promise<void> {
    const log = this.log(partition);
    const base = log.logEndOffset;
    // One append per batch, each well inside a segment: offsets.topic.segment.bytes may be small.
    const maxBytes = Math.min(BATCH_BYTES, Math.floor(log.currentConfig().segmentBytes / 4));
    for (const batch of this.batches(live, undefined, maxBytes)) await log.append(batch, { origin: 'coordinator' });
    await log.deleteRecordsBefore(base);
  }
}
