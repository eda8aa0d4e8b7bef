/**
 * Control batches: the COMMIT and ABORT markers that end a transaction in each partition it wrote
 * to (Kafka's EndTransactionMarker and ControlRecordType). Only the broker writes them; consumers
 * never hand them to the application, they only use them to tell committed data from aborted.
 *
 * A marker is a v2 record batch with the transactional and control attribute bits set, the
 * producer id and epoch of the transaction, base sequence -1, and exactly one record:
 *
 *   key   = version int16 (0), type int16 (0 ABORT, 1 COMMIT)
 *   value = version int16 (0), coordinator_epoch int32
 *
 * Sans-io, like the rest of src/codec.
 */
import {
  ATTRIBUTES,
  COMPRESSION_MASK,
  CONTROL_BIT,
  decodeRecords,
  encodeBatch,
  encodeRecords,
  HEADER_SIZE,
  recordsCountAt,
  TRANSACTIONAL_BIT,
  batchSizeAt,
} from './record-batch.js';

export const ControlType = { ABORT: 0, COMMIT: 1 } as const;

export interface EndTxnMarker {
  /** True for COMMIT, false for ABORT. */
  readonly commit: boolean;
  /** The coordinator epoch that wrote it: partitions refuse markers from an older coordinator. */
  readonly coordinatorEpoch: number;
}

/** A marker to write: the transaction's producer and epoch, and the decision. */
export interface TxnMarker extends EndTxnMarker {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface MarkerBatchInput extends TxnMarker {
  /** The broker's time; a marker has no client timestamp. */
  readonly timestamp: number;
}

/** The control record's key: what kind of control record this is. */
export function controlRecordKey(type: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/** A whole marker batch (offsets unassigned), as Kafka's MemoryRecords.withEndTransactionMarker. */
export function encodeMarkerBatch(m: MarkerBatchInput): Buffer {
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(m.coordinatorEpoch, 2);
  return encodeBatch({
    attributes: TRANSACTIONAL_BIT | CONTROL_BIT,
    lastOffsetDelta: 0,
    recordsCount: 1,
    baseTimestamp: m.timestamp,
    maxTimestamp: m.timestamp,
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    baseSequence: -1,
    records: encodeRecords([{ key: controlRecordKey(m.commit ? ControlType.COMMIT : ControlType.ABORT), value }]),
  });
}

export const isControlBatchAt = (buf: Buffer, pos: number): boolean => (buf.readInt16BE(pos + ATTRIBUTES) & CONTROL_BIT) !== 0;

/**
 * The marker in the control batch at `pos` (the whole batch must be in `buf`), or undefined when
 * the batch holds no end-transaction marker (an empty control batch, another control type, or one
 * Tafka cannot read). Kafka writes markers uncompressed, so no decompression is attempted.
 */
export function readMarker(buf: Buffer, pos: number): EndTxnMarker | undefined {
  if ((buf.readInt16BE(pos + ATTRIBUTES) & COMPRESSION_MASK) !== 0 || recordsCountAt(buf, pos) < 1) return undefined;
  let record;
  try {
    [record] = decodeRecords(buf.subarray(pos + HEADER_SIZE, pos + batchSizeAt(buf, pos)), 1);
  } catch {
    return undefined;
  }
  const { key, value } = record!;
  if (!key || key.length < 4 || key.readInt16BE(0) !== 0) return undefined;
  const type = key.readInt16BE(2);
  if (type !== ControlType.ABORT && type !== ControlType.COMMIT) return undefined;
  const coordinatorEpoch = value && value.length >= 6 ? value.readInt32BE(2) : -1;
  return { commit: type === ControlType.COMMIT, coordinatorEpoch };
}
