/**
 * Where the group coordinator makes its state durable: committed offsets and group metadata, as
 * records in a log (Kafka's `__consumer_offsets`). At start-up the log is replayed; later records
 * for a key replace earlier ones and a null value deletes the key. Transactional offset commits
 * are written in transactional batches and resolved by the transaction's marker (txn-offsets.ts).
 *
 * So that replay time does not grow with every commit ever made, the coordinator now and then
 * writes a *snapshot*: the live state, appended as ordinary records, after which everything
 * before the snapshot is dropped. (Kafka compacts `__consumer_offsets` with its log cleaner
 * instead; the effect on replay is the same: it reads roughly one record per live key.)
 */
import type { Logger } from 'pino';
import type { TxnMarker } from '../codec/control-record.js';
import { CoordinatorLog, type CoordinatorRecord, type ReplayVisitor, type TxnTag } from '../coordinator/coordinator-log.js';
import type { LogManager } from '../log/log-manager.js';
import { CONSUMER_OFFSETS_TOPIC } from '../topics/internal.js';

export interface OffsetStore {
  /**
   * Visits every record kept (from the last snapshot on), oldest first, with the producer id of a
   * transactional offset commit, and the transaction markers that resolve those.
   */
  replay(visitor: ReplayVisitor): Promise<void>;
  /**
   * Appends records, in call order; with `txn`, as a transactional batch of that producer.
   * Resolves once they are written to the file (so a process kill cannot lose them); only then
   * may a commit be acknowledged.
   */
  append(records: readonly CoordinatorRecord[], txn?: TxnTag): Promise<void>;
  /** Appends a transaction marker (COMMIT or ABORT of a producer's transactional offset commits). */
  appendMarker(marker: TxnMarker): Promise<void>;
  /** Appends `live` (the complete current state) and drops every record before it. */
  snapshot(live: readonly CoordinatorRecord[]): Promise<void>;
  close(): Promise<void>;
}

type StoredEntry = { record: CoordinatorRecord; producerId?: bigint } | { marker: { producerId: bigint; commit: boolean } };

/** Keeps the records in memory: for tests and an in-memory broker. Nothing survives the process. */
export class MemoryOffsetStore implements OffsetStore {
  entries: StoredEntry[] = [];

  /** The records, without transaction markers. */
  get records(): CoordinatorRecord[] {
    return this.entries.flatMap((e) => ('record' in e ? [e.record] : []));
  }

  async replay(visitor: ReplayVisitor): Promise<void> {
    this.entries.forEach((e, i) => {
      if ('record' in e) visitor.record(e.record, BigInt(i), e.producerId);
      else visitor.marker?.(e.marker.producerId, e.marker.commit);
    });
  }

  async append(records: readonly CoordinatorRecord[], txn?: TxnTag): Promise<void> {
    for (const record of records) this.entries.push({ record, producerId: txn?.producerId });
  }

  async appendMarker(marker: TxnMarker): Promise<void> {
    this.entries.push({ marker: { producerId: marker.producerId, commit: marker.commit } });
  }

  async snapshot(live: readonly CoordinatorRecord[]): Promise<void> {
    this.entries = live.map((record) => ({ record }));
  }

  async close(): Promise<void> {}
}

export const OFFSETS_TOPIC = CONSUMER_OFFSETS_TOPIC;
/** Kafka's offsets.topic.segment.bytes default; smaller than a data topic's, as replay reads it. */
const OFFSETS_SEGMENT_BYTES = 100 * 1024 * 1024;

/**
 * The records in partition 0 of `__consumer_offsets`, through the shared coordinator log
 * (src/coordinator/coordinator-log.ts): record batch v2 (uncompressed, CRC-32C), Kafka's segment
 * files, recovery after a crash. One partition suffices on one broker; Kafka spreads groups over
 * 50 only to spread coordinators over brokers.
 */
export class LogOffsetStore implements OffsetStore {
  private constructor(
    private readonly log: CoordinatorLog,
    private readonly logger?: Logger,
  ) {}

  static async open(logs: LogManager, clock: { now(): number }, logger?: Logger): Promise<LogOffsetStore> {
    const log = await logs.createLog(OFFSETS_TOPIC, 0);
    // Time- or size-based retention would delete live commits: this log only shrinks by snapshots.
    log.updateConfig({ retentionMs: -1, retentionBytes: -1, segmentBytes: OFFSETS_SEGMENT_BYTES });
    return new LogOffsetStore(new CoordinatorLog(OFFSETS_TOPIC, [log], clock, logger), logger);
  }

  async replay(visitor: ReplayVisitor): Promise<void> {
    const { from, to, batches } = await this.log.replay(0, visitor);
    this.logger?.info({ from, to, batches }, 'replayed group coordinator log');
  }

  append(records: readonly CoordinatorRecord[], txn?: TxnTag): Promise<void> {
    return this.log.append(0, records, txn);
  }

  appendMarker(marker: TxnMarker): Promise<void> {
    return this.log.appendMarker(0, marker);
  }

  snapshot(live: readonly CoordinatorRecord[]): Promise<void> {
    return this.log.snapshot(0, live);
  }

  /** The log itself is closed by the LogManager. */
  async close(): Promise<void> {}
}
