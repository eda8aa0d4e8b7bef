/**
 * Producer state of one partition, after Kafka's ProducerStateManager: for each producer id, its
 * epoch, the metadata of its last 5 batches, and its open transaction in this partition (the first
 * offset of the transaction, until its COMMIT or ABORT marker). The log consults it when appending
 * a batch that carries a producer id, reading only header fields, to decide as Kafka 4 does (its
 * ProducerAppendInfo and UnifiedLog.analyzeAndValidateProducerState):
 *
 * - a batch whose epoch and first/last sequence match one of the 5 cached batches is a retry: it is
 *   acknowledged with the original offsets and not written again;
 * - an epoch below the producer's current one: 47 INVALID_PRODUCER_EPOCH;
 * - a new epoch must start at sequence 0; within an epoch each batch must start right after the
 *   previous one (sequences wrap from Int32 max to 0): otherwise 45 OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - a producer the partition has no state for is accepted at any sequence. Kafka answered
 *   59 UNKNOWN_PRODUCER_ID here until KIP-360 (2.5); since then the state may legitimately be gone
 *   (retention, DeleteRecords, expiration) and the broker starts tracking from whatever comes.
 *
 * Transactions (docs/08-transactions.md):
 * - a transactional batch of a producer with no open transaction here begins one at its first
 *   offset; a plain batch while one is open is refused with 48 INVALID_TXN_STATE;
 * - a marker (a control batch, written only by the transaction coordinator: origin 'coordinator')
 *   ends it. An older epoch is refused with 47, an older coordinator epoch with 52
 *   TRANSACTION_COORDINATOR_FENCED. A marker for a producer with no open transaction completes
 *   nothing (an empty transaction) and only records the epoch;
 * - the first offset of the oldest open transaction is the partition's *first unstable offset*: the
 *   last stable offset (LSO) cannot pass it. A transaction whose marker is assigned but not yet
 *   written still holds the LSO back until the high watermark passes the marker (Kafka's
 *   "unreplicated" transactions), so no reader sees its data before it can see its marker.
 * - appends from the coordinator (its transactional offset commits in `__consumer_offsets`) skip
 *   the sequence checks and duplicate detection, as in Kafka: they carry no client sequence.
 *
 * Batches without a producer id (-1) never get here.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { readMarker } from '../codec/control-record.js';
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  batchSizeAt,
  CONTROL_BIT,
  lastOffsetDeltaAt,
  maxTimestampAt,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  TRANSACTIONAL_BIT,
} from '../codec/record-batch.js';

/** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN, matching the clients' max.in.flight of 5. */
export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 0x7fffffff;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: bigint;
  lastOffset: bigint;
  /** The batch's max timestamp (the broker's time with LogAppendTime). */
  timestamp: number;
}

export interface ProducerStateEntry {
  producerId: bigint;
  epoch: number;
  /** Oldest first, at most BATCHES_TO_RETAIN, all of `epoch`. */
  batches: BatchMetadata[];
  /** Timestamp of the last batch or marker: expiration (producer.id.expiration.ms) counts from it. */
  lastTimestamp: number;
  /** Coordinator epoch of the last marker, -1 before any: markers from an older coordinator are refused. */
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction in this partition, -1n when none. */
  currentTxnFirstOffset: bigint;
}

/** Who appends: a client (Produce) or a coordinator (markers, transactional offset commits). */
export type AppendOrigin = 'client' | 'coordinator';

/** A transaction that a marker ended in this partition (Kafka's CompletedTxn). */
export interface CompletedTxn {
  producerId: bigint;
  firstOffset: bigint;
  /** The marker's offset. */
  lastOffset: bigint;
  aborted: boolean;
  /** The LSO once this transaction is complete: the next open transaction's first offset, else lastOffset + 1. */
  lastStableOffset: bigint;
}

/** The last sequence of a batch of `count` records from `firstSeq`, wrapping past Int32 max. */
export function lastSequence(firstSeq: number, lastOffsetDelta: number): number {
  return firstSeq > INT32_MAX - lastOffsetDelta ? lastOffsetDelta - (INT32_MAX - firstSeq) - 1 : firstSeq + lastOffsetDelta;
}

/** The first sequence of a batch ending at `lastSeq`, undoing the wrap. */
export function firstSequence(lastSeq: number, lastOffsetDelta: number): number {
  return lastSeq < lastOffsetDelta ? INT32_MAX - (lastOffsetDelta - lastSeq) + 1 : lastSeq - lastOffsetDelta;
}

const inSequence = (lastSeq: number, nextSeq: number): boolean =>
  nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);

/** What `check` decided for one produce request. */
export type ProducerCheck =
  | { kind: 'append'; updates: PendingUpdate[] }
  /** A retry of a batch already in the log: answer with its offsets, write nothing. */
  | { kind: 'duplicate'; batch: BatchMetadata };

export interface PendingBatch extends BatchMetadata {
  kind: 'data';
  key: ProducerKey;
  epoch: number;
  /** The producer's open transaction after this batch: its first offset, or -1n. */
  txnFirstOffset: bigint;
}

export interface PendingMarker {
  kind: 'marker';
  key: ProducerKey;
  epoch: number;
  offset: bigint;
  commit: boolean;
  coordinatorEpoch: number;
  timestamp: number;
}

export type PendingUpdate = PendingBatch | PendingMarker;

/**
 * Producer ids as map keys: a number when exact (always, for ids Kafka or Tafka allocate), so the hot
 * path allocates no BigInt and hashes a small integer; a bigint beyond 2^53. One id, one form.
 */
type ProducerKey = number | bigint;
const TWO_53 = 2n ** 53n;
const keyOf = (id: bigint): ProducerKey => (id >= 0n && id < TWO_53 ? Number(id) : id);
/** The key of the batch at `pos`, read as two int32 halves (its producer id is >= 0). */
function keyAt(buf: Buffer, pos: number): ProducerKey {
  const hi = buf.readInt32BE(pos + PRODUCER_ID);
  return hi < 0x20_0000 ? hi * 0x1_0000_0000 + buf.readUInt32BE(pos + PRODUCER_ID + 4) : buf.readBigInt64BE(pos + PRODUCER_ID);
}

export class ProducerStateManager {
  private readonly producers = new Map<ProducerKey, ProducerStateEntry>();
  /** Open transactions: producer → first offset. A handful at most, so scans are cheap. */
  private readonly ongoing = new Map<ProducerKey, bigint>();
  /** Completed transactions whose marker is not yet below the high watermark: [first, marker] offsets. */
  private unreplicated: { firstOffset: bigint; lastOffset: bigint }[] = [];

  get size(): number {
    return this.producers.size;
  }

  entry(producerId: bigint): ProducerStateEntry | undefined {
    return this.producers.get(keyOf(producerId));
  }

  /** Every tracked producer (DescribeProducers, snapshots). */
  entries(): IterableIterator<ProducerStateEntry> {
    return this.producers.values();
  }

  /**
   * Validates the batches with a producer id of one request as they would be appended at
   * `baseOffset` (batches without one only advance the offset). Changes nothing: the caller applies
   * the result with `apply` once the append is certain. Throws KafkaError with Kafka's code.
   */
  check(records: Buffer, baseOffset: bigint, appendTime: number, origin: AppendOrigin = 'client'): ProducerCheck {
    const updates: PendingUpdate[] = [];
    let relative = 0; // offset of this batch relative to baseOffset: BigInt only for idempotent batches
    for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
      const delta = lastOffsetDeltaAt(records, pos);
      const rel = relative;
      relative += delta + 1;
      if (records.readInt32BE(pos + PRODUCER_ID) < 0) continue;
      const key = keyAt(records, pos);
      const firstOffset = rel === 0 ? baseOffset : baseOffset + BigInt(rel);
      const attributes = records.readInt16BE(pos + ATTRIBUTES);
      const epoch = records.readInt16BE(pos + PRODUCER_EPOCH);
      const stored = this.producers.get(key);
      // What this batch must follow: an earlier batch of this request from the same producer, else
      // the stored state (read in place: this runs for every idempotent batch).
      let earlier: PendingUpdate | undefined;
      for (let i = updates.length - 1; i >= 0 && !earlier; i--) if (updates[i]!.key === key) earlier = updates[i];
      const currentEpoch = earlier ? earlier.epoch : stored?.epoch;
      if (attributes & CONTROL_BIT) {
        updates.push(this.checkMarker(records, pos, key, epoch, firstOffset, currentEpoch, earlier, stored, appendTime));
        continue;
      }
      const firstSeq = records.readInt32BE(pos + BASE_SEQUENCE);
      const lastSeq = lastSequence(firstSeq, delta);
      if (origin === 'client') {
        // Duplicates are looked up in the stored state only, before any other check, as Kafka does.
        if (stored && stored.epoch === epoch) {
          for (const b of stored.batches) {
            if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return { kind: 'duplicate', batch: b };
          }
        }
        if (earlier?.kind === 'data') validate(key, epoch, firstSeq, firstOffset, earlier.epoch, earlier.lastSeq);
        else if (stored) validate(key, epoch, firstSeq, firstOffset, stored.epoch, stored.batches[stored.batches.length - 1]?.lastSeq ?? -1);
      } else if (currentEpoch !== undefined && epoch < currentEpoch) {
        throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `Epoch of producer ${key} at offset ${firstOffset} is ${epoch}, which is smaller than the last seen epoch ${currentEpoch}`);
      }
      // A transaction begins with the producer's first transactional batch here; within one, every
      // batch must be transactional.
      const openFirst = earlier ? (earlier.kind === 'data' ? earlier.txnFirstOffset : -1n) : (stored?.currentTxnFirstOffset ?? -1n);
      const transactional = (attributes & TRANSACTIONAL_BIT) !== 0;
      if (openFirst >= 0n && !transactional) {
        throw new KafkaError(ErrorCode.INVALID_TXN_STATE, `Expected transactional write from producer ${key} at offset ${firstOffset}`);
      }
      const timestamp = appendTime >= 0 ? appendTime : maxTimestampAt(records, pos);
      updates.push({
        kind: 'data', key, epoch, firstSeq, lastSeq, firstOffset, lastOffset: firstOffset + BigInt(delta), timestamp,
        txnFirstOffset: transactional ? (openFirst >= 0n ? openFirst : firstOffset) : -1n,
      });
    }
    return { kind: 'append', updates };
  }

  /** Kafka's appendEndTxnMarker checks: the producer's epoch, then the coordinator's. */
  private checkMarker(
    records: Buffer, pos: number, key: ProducerKey, epoch: number, offset: bigint, currentEpoch: number | undefined,
    earlier: PendingUpdate | undefined, stored: ProducerStateEntry | undefined, appendTime: number,
  ): PendingMarker {
    const marker = readMarker(records, pos);
    if (!marker) throw new KafkaError(ErrorCode.INVALID_RECORD, `control batch at offset ${offset} holds no transaction marker`);
    if (currentEpoch !== undefined && epoch < currentEpoch) {
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `Epoch of producer ${key} at offset ${offset} is ${epoch}, which is smaller than the last seen epoch ${currentEpoch}`);
    }
    const coordinatorEpoch = earlier?.kind === 'marker' ? earlier.coordinatorEpoch : (stored?.coordinatorEpoch ?? -1);
    if (coordinatorEpoch > marker.coordinatorEpoch) {
      throw new KafkaError(
        ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `Invalid coordinator epoch for producer ${key} at offset ${offset}: ${marker.coordinatorEpoch} (zombie), ${coordinatorEpoch} (current)`,
      );
    }
    const timestamp = appendTime >= 0 ? appendTime : maxTimestampAt(records, pos);
    return { kind: 'marker', key, epoch, offset, commit: marker.commit, coordinatorEpoch: marker.coordinatorEpoch, timestamp };
  }

  /**
   * Records an update that passed `check` (or that log recovery replays: no validation). Returns
   * the transaction a marker completed, if any.
   */
  apply(update: PendingUpdate): CompletedTxn | undefined {
    let entry = this.producers.get(update.key);
    if (!entry) {
      entry = {
        producerId: BigInt(update.key), epoch: update.epoch, batches: [], lastTimestamp: update.timestamp,
        coordinatorEpoch: -1, currentTxnFirstOffset: -1n,
      };
      this.producers.set(update.key, entry);
    }
    // A new epoch starts a new sequence space: the old batches can no longer be retried.
    if (entry.epoch !== update.epoch) {
      entry.epoch = update.epoch;
      entry.batches = [];
    }
    entry.lastTimestamp = update.timestamp;
    if (update.kind === 'marker') return this.completeTxn(entry, update);
    if (entry.batches.length === BATCHES_TO_RETAIN) entry.batches.shift();
    entry.batches.push(update); // a PendingBatch is a BatchMetadata; kept as is, no copy
    if (update.txnFirstOffset >= 0n && entry.currentTxnFirstOffset < 0n) this.ongoing.set(update.key, update.txnFirstOffset);
    entry.currentTxnFirstOffset = update.txnFirstOffset;
    return undefined;
  }

  private completeTxn(entry: ProducerStateEntry, m: PendingMarker): CompletedTxn | undefined {
    entry.coordinatorEpoch = m.coordinatorEpoch;
    const firstOffset = entry.currentTxnFirstOffset;
    entry.currentTxnFirstOffset = -1n;
    // Only a transaction with data completes: an empty one affects neither the LSO nor the index.
    if (firstOffset < 0n) return undefined;
    this.ongoing.delete(m.key);
    let next: bigint | undefined;
    for (const first of this.ongoing.values()) if (next === undefined || first < next) next = first;
    return { producerId: entry.producerId, firstOffset, lastOffset: m.offset, aborted: !m.commit, lastStableOffset: next ?? m.offset + 1n };
  }

  /** A completed transaction keeps holding the LSO back until the high watermark passes its marker. */
  holdUntilWritten(txn: CompletedTxn): void {
    this.unreplicated.push({ firstOffset: txn.firstOffset, lastOffset: txn.lastOffset });
  }

  /** The high watermark moved: completed transactions whose marker is below it stop holding the LSO. */
  onHighWatermark(highWatermark: bigint): void {
    if (this.unreplicated.length > 0) this.unreplicated = this.unreplicated.filter((t) => t.lastOffset >= highWatermark);
  }

  /** The first offset of the oldest undecided (or decided but unwritten) transaction, or undefined. */
  firstUnstableOffset(): bigint | undefined {
    let first: bigint | undefined;
    for (const o of this.ongoing.values()) if (first === undefined || o < first) first = o;
    for (const t of this.unreplicated) if (first === undefined || t.firstOffset < first) first = t.firstOffset;
    return first;
  }

  /** Rebuild path: the batch at `pos` of a stored log (offsets assigned; whole batch in `buf` for a marker). */
  replay(buf: Buffer, pos: number): CompletedTxn | undefined {
    if (buf.readInt32BE(pos + PRODUCER_ID) < 0) return undefined;
    const key = keyAt(buf, pos);
    const epoch = buf.readInt16BE(pos + PRODUCER_EPOCH);
    const firstOffset = buf.readBigInt64BE(pos);
    const timestamp = maxTimestampAt(buf, pos);
    const attributes = buf.readInt16BE(pos + ATTRIBUTES);
    if (attributes & CONTROL_BIT) {
      const marker = readMarker(buf, pos);
      if (!marker) return undefined;
      return this.apply({ kind: 'marker', key, epoch, offset: firstOffset, commit: marker.commit, coordinatorEpoch: marker.coordinatorEpoch, timestamp });
    }
    const delta = lastOffsetDeltaAt(buf, pos);
    const firstSeq = buf.readInt32BE(pos + BASE_SEQUENCE);
    const open = this.producers.get(key)?.currentTxnFirstOffset ?? -1n;
    const transactional = (attributes & TRANSACTIONAL_BIT) !== 0;
    this.apply({
      kind: 'data',
      key,
      epoch,
      firstSeq,
      lastSeq: lastSequence(firstSeq, delta),
      firstOffset,
      lastOffset: firstOffset + BigInt(delta),
      timestamp,
      txnFirstOffset: transactional ? (open >= 0n ? open : firstOffset) : -1n,
    });
    return undefined;
  }

  /** Puts an entry as loaded from a snapshot. */
  load(entry: ProducerStateEntry): void {
    const key = keyOf(entry.producerId);
    this.producers.set(key, entry);
    if (entry.currentTxnFirstOffset >= 0n) this.ongoing.set(key, entry.currentTxnFirstOffset);
  }

  clear(): void {
    this.producers.clear();
    this.ongoing.clear();
    this.unreplicated = [];
  }

  /**
   * Forgets producers idle for `expirationMs` (producer.id.expiration.ms), as Kafka's periodic
   * check does. Their next batch is then accepted at any sequence. A producer with an open
   * transaction is kept: forgetting it would release the LSO before the transaction is decided.
   * Returns how many were removed.
   */
  removeExpired(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      if (entry.currentTxnFirstOffset < 0n && nowMs - entry.lastTimestamp >= expirationMs) {
        this.producers.delete(id);
        removed++;
      }
    }
    return removed;
  }
}

/** Kafka's checkProducerEpoch + checkSequence against a known producer's epoch and last sequence. */
function validate(producerId: ProducerKey, epoch: number, firstSeq: number, offset: bigint, currentEpoch: number, currentLastSeq: number): void {
  if (epoch < currentEpoch) {
    throw new KafkaError(
      ErrorCode.INVALID_PRODUCER_EPOCH,
      `Epoch of producer ${producerId} at offset ${offset} is ${epoch}, which is smaller than the last seen epoch ${currentEpoch}`,
    );
  }
  if (epoch !== currentEpoch) {
    if (firstSeq !== 0) {
      throw new KafkaError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `Invalid sequence number for new epoch of producer ${producerId} at offset ${offset}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${currentEpoch} (current producer epoch)`,
      );
    }
  } else if (!inSequence(currentLastSeq, firstSeq)) {
    throw new KafkaError(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      `Out of order sequence number for producer ${producerId} at offset ${offset}: ${firstSeq} (incoming seq. number), ${currentLastSeq} (current end sequence number)`,
    );
  }
}
