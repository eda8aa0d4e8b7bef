/**
 * Where the transaction coordinator keeps its state, after Kafka's TransactionStateManager: every
 * transactional id's TransactionMetadata in memory, and `__transaction_state` through the shared
 * coordinator log (src/coordinator/coordinator-log.ts).
 *
 * - `load` creates or opens the topic and replays each partition into the map (a record it cannot
 *   read is skipped with a warning, as Kafka does).
 * - `write` appends a prepared transition's record to the id's partition and, once written, applies
 *   it: a client hears back only about what is on disk, and the map is always what a replay gives.
 * - Each partition is snapshotted (its live records rewritten, everything before dropped) once it
 *   holds many more records than live ids and no write is in flight on it: Tafka's stand-in for
 *   Kafka's log compaction of the topic, so replay stays bounded.
 */
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import type { Clock } from '../clock.js';
import { CoordinatorLog, type CoordinatorRecord } from '../coordinator/coordinator-log.js';
import type { PartitionLog } from '../log/partition-log.js';
import { TRANSACTION_STATE_TOPIC } from '../topics/internal.js';
import { coordinatorPartitionFor } from '../util/java-hash.js';
import { decodeTransactionLogRecord, metadataInitOf, transactionLogRecord } from './records.js';
import { TransactionMetadata, type TxnTransit } from './state.js';

/** Snapshot a partition once at least this many records were written since the last one, and more than are live. */
const SNAPSHOT_MIN_RECORDS = 1000;

/** Per partition of `__transaction_state`: its live records and write bookkeeping for snapshots. */
interface StatePartition {
  readonly live: Map<string, CoordinatorRecord>;
  sinceSnapshot: number;
  inflight: number;
  snapshotting: boolean;
}

export interface TransactionStateManagerOptions {
  /** transaction.state.log.num.partitions, .segment.bytes, .load.buffer.size */
  readonly numPartitions: number;
  readonly segmentBytes: number;
  readonly loadBufferSize: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Creates `__transaction_state` if needed and returns its partition logs, in partition order. */
  openStateLog(partitions: number, segmentBytes: number): Promise<PartitionLog[]>;
  /** Called after a transition was applied, or dropped because its write failed. */
  onSettled(md: TransactionMetadata): void;
}

export class TransactionStateManager {
  /** The configured partition count, or the existing topic's once loaded. */
  private numPartitions: number;
  private stateLog: CoordinatorLog | undefined;
  private partitions: StatePartition[] = [];
  private readonly txns = new Map<string, TransactionMetadata>();
  private closed = false;

  constructor(private readonly opts: TransactionStateManagerOptions) {
    this.numPartitions = opts.numPartitions;
  }

  /** Which partition of `__transaction_state` holds a transactional id (Kafka's partitionFor). */
  partitionFor(transactionalId: string): number {
    return coordinatorPartitionFor(transactionalId, this.numPartitions);
  }

  get(transactionalId: string): TransactionMetadata | undefined {
    return this.txns.get(transactionalId);
  }

  /** Adds a new id (InitProducerId's first call), unless one appeared meanwhile; returns the one kept. */
  putIfAbsent(md: TransactionMetadata): TransactionMetadata {
    const existing = this.txns.get(md.transactionalId);
    if (existing) return existing;
    this.txns.set(md.transactionalId, md);
    return md;
  }

  all(): IterableIterator<TransactionMetadata> {
    return this.txns.values();
  }

  get size(): number {
    return this.txns.size;
  }

  close(): void {
    this.closed = true;
  }

  /** Creates or opens `__transaction_state` and replays it. Returns how many records it read. */
  async load(): Promise<number> {
    const { numPartitions, segmentBytes, loadBufferSize, clock, logger } = this.opts;
    const logs = await this.opts.openStateLog(numPartitions, segmentBytes);
    if (logs.length !== numPartitions) {
      logger.warn({ configured: numPartitions, existing: logs.length }, `${TRANSACTION_STATE_TOPIC} exists with another partition count; using it`);
    }
    this.numPartitions = logs.length;
    // Time- or size-based retention would delete live state: this log only shrinks by snapshots.
    for (const log of logs) log.updateConfig({ retentionMs: -1, retentionBytes: -1, segmentBytes });
    const stateLog = CoordinatorLog.over(TRANSACTION_STATE_TOPIC, logs, clock, logger, loadBufferSize);
    this.partitions = logs.map(() => ({ live: new Map(), sinceSnapshot: 0, inflight: 0, snapshotting: false }));
    let records = 0;
    for (let p = 0; p < logs.length; p++) {
      const live = this.partitions[p]!.live;
      const replayed = await stateLog.replay(p, {
        record: (r, offset) => {
          let id: string;
          let md: TransactionMetadata | null;
          try {
            const { transactionalId, value } = decodeTransactionLogRecord(r);
            id = transactionalId;
            md = value === null ? null : new TransactionMetadata(transactionalId, metadataInitOf(value));
          } catch (err) {
            // As Kafka: a record it cannot read (a newer version, or not a transaction record) is skipped.
            this.opts.logger.warn({ err, partition: p, offset }, `skipping an unreadable ${TRANSACTION_STATE_TOPIC} record`);
            return;
          }
          if (md === null) {
            this.txns.delete(id);
            live.delete(id);
          } else {
            this.txns.set(id, md);
            live.set(id, r);
          }
        },
      });
      records += replayed.records;
      this.partitions[p]!.sinceSnapshot = live.size;
    }
    this.stateLog = stateLog;
    return records;
  }

  /**
   * Writes a prepared transit and applies it once written. Returns 0, or Kafka's error for a
   * failed write (the transition is dropped and the id is free again).
   */
  async write(md: TransactionMetadata, transit: TxnTransit): Promise<number> {
    const p = this.partitionFor(md.transactionalId);
    const partition = this.partitions[p]!;
    const record: CoordinatorRecord =
      transit.state === 'Dead' ? { key: transactionLogRecord(md.transactionalId, transit).key, value: null } : transactionLogRecord(md.transactionalId, transit);
    partition.inflight++;
    try {
      await this.stateLog!.append(p, [record]);
    } catch (err) {
      this.opts.logger.warn({ err, transactionalId: md.transactionalId, to: transit.state }, 'writing transaction state failed');
      md.pendingState = undefined;
      this.opts.onSettled(md);
      // Kafka's mapping of append errors for its clients: a storage failure means "not the coordinator here".
      return ErrorCode.NOT_COORDINATOR;
    } finally {
      partition.inflight--;
    }
    partition.sinceSnapshot++;
    if (transit.state === 'Dead') {
      this.txns.delete(md.transactionalId);
      partition.live.delete(md.transactionalId);
      md.pendingState = undefined;
    } else {
      md.completeTransitionTo(transit);
      partition.live.set(md.transactionalId, record);
    }
    this.opts.onSettled(md);
    this.maybeSnapshot(p);
    return ErrorCode.NONE;
  }

  private maybeSnapshot(p: number): void {
    const partition = this.partitions[p]!;
    if (partition.inflight > 0 || partition.snapshotting || this.closed) return;
    if (partition.sinceSnapshot < SNAPSHOT_MIN_RECORDS || partition.sinceSnapshot <= partition.live.size) return;
    const live = [...partition.live.values()];
    partition.snapshotting = true;
    partition.inflight++;
    const before = partition.sinceSnapshot;
    this.stateLog!.snapshot(p, live).then(
      () => {
        this.opts.logger.info({ partition: p, records: before, live: live.length }, 'transaction state log snapshotted');
        partition.sinceSnapshot = live.length + (partition.sinceSnapshot - before);
      },
      (err: unknown) => this.opts.logger.error({ err, partition: p }, 'transaction state snapshot failed'),
    ).finally(() => {
      partition.inflight--;
      partition.snapshotting = false;
    });
  }
}
