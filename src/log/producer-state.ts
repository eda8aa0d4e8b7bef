/**
 * Idempotent-producer state of one partition, after Kafka's ProducerStateManager: for each producer
 * id, its epoch and the metadata of its last 5 batches. The log consults it when appending a batch
 * that carries a producer id, reading only header fields, to decide as Kafka 4 does (its
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
 * Batches without a producer id (-1) never get here.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  batchSizeAt,
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
  /** Timestamp of the last batch: expiration (producer.id.expiration.ms) counts from it. */
  lastTimestamp: number;
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
  | { kind: 'append'; updates: PendingBatch[] }
  /** A retry of a batch already in the log: answer with its offsets, write nothing. */
  | { kind: 'duplicate'; batch: BatchMetadata };

export interface PendingBatch extends BatchMetadata {
  key: ProducerKey;
  epoch: number;
}

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
   * Validates the idempotent batches of one request as they would be appended at `baseOffset`
   * (batches without a producer id only advance the offset). Changes nothing: the caller applies
   * the result with `apply` once the append is certain. Throws KafkaError with Kafka's code.
   */
  check(records: Buffer, baseOffset: bigint, appendTime: number): ProducerCheck {
    const updates: PendingBatch[] = [];
    let relative = 0; // offset of this batch relative to baseOffset: BigInt only for idempotent batches
    for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
      const delta = lastOffsetDeltaAt(records, pos);
      const rel = relative;
      relative += delta + 1;
      if (records.readInt32BE(pos + PRODUCER_ID) < 0) continue;
      const key = keyAt(records, pos);
      const firstOffset = rel === 0 ? baseOffset : baseOffset + BigInt(rel);
      // Tafka has no transaction coordinator, so no transaction can have been begun: Kafka answers a
      // transactional batch its coordinator has no transaction for with 49 INVALID_PRODUCER_ID_MAPPING.
      if (records.readInt16BE(pos + ATTRIBUTES) & TRANSACTIONAL_BIT) {
        throw new KafkaError(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `transactions are not supported: producer ${key} has no transaction`);
      }
      const epoch = records.readInt16BE(pos + PRODUCER_EPOCH);
      const firstSeq = records.readInt32BE(pos + BASE_SEQUENCE);
      const lastSeq = lastSequence(firstSeq, delta);
      const stored = this.producers.get(key);
      // Duplicates are looked up in the stored state only, before any other check, as Kafka does.
      if (stored && stored.epoch === epoch) {
        for (const b of stored.batches) {
          if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return { kind: 'duplicate', batch: b };
        }
      }
      // What this batch must follow: an earlier batch of this request from the same producer, else
      // the stored state (read in place: this runs for every idempotent batch).
      let earlier: PendingBatch | undefined;
      for (let i = updates.length - 1; i >= 0 && !earlier; i--) if (updates[i]!.key === key) earlier = updates[i];
      if (earlier) validate(key, epoch, firstSeq, firstOffset, earlier.epoch, earlier.lastSeq);
      else if (stored) validate(key, epoch, firstSeq, firstOffset, stored.epoch, stored.batches[stored.batches.length - 1]?.lastSeq ?? -1);
      const timestamp = appendTime >= 0 ? appendTime : maxTimestampAt(records, pos);
      updates.push({ key, epoch, firstSeq, lastSeq, firstOffset, lastOffset: firstOffset + BigInt(delta), timestamp });
    }
    return { kind: 'append', updates };
  }

  /** Records batches that passed `check` (or that log recovery replays: no validation). */
  apply(batch: PendingBatch): void {
    let entry = this.producers.get(batch.key);
    if (!entry) {
      entry = { producerId: BigInt(batch.key), epoch: batch.epoch, batches: [], lastTimestamp: batch.timestamp };
      this.producers.set(batch.key, entry);
    }
    // A new epoch starts a new sequence space: the old batches can no longer be retried.
    if (entry.epoch !== batch.epoch) {
      entry.epoch = batch.epoch;
      entry.batches = [];
    }
    if (entry.batches.length === BATCHES_TO_RETAIN) entry.batches.shift();
    entry.batches.push(batch); // a PendingBatch is a BatchMetadata; kept as is, no copy
    entry.lastTimestamp = batch.timestamp;
  }

  /** Rebuild path: the batch at `pos` of a stored log (offsets already assigned), if it has a producer id. */
  replay(buf: Buffer, pos: number): void {
    if (buf.readInt32BE(pos + PRODUCER_ID) < 0) return;
    const delta = lastOffsetDeltaAt(buf, pos);
    const firstSeq = buf.readInt32BE(pos + BASE_SEQUENCE);
    const firstOffset = buf.readBigInt64BE(pos);
    this.apply({
      key: keyAt(buf, pos),
      epoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
      firstSeq,
      lastSeq: lastSequence(firstSeq, delta),
      firstOffset,
      lastOffset: firstOffset + BigInt(delta),
      timestamp: maxTimestampAt(buf, pos),
    });
  }

  /** Puts an entry as loaded from a snapshot. */
  load(entry: ProducerStateEntry): void {
    this.producers.set(keyOf(entry.producerId), entry);
  }

  clear(): void {
    this.producers.clear();
  }

  /**
   * Forgets producers idle for `expirationMs` (producer.id.expiration.ms), as Kafka's periodic
   * check does. Their next batch is then accepted at any sequence. Returns how many were removed.
   */
  removeExpired(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      if (nowMs - entry.lastTimestamp >= expirationMs) {
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
