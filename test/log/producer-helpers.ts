import { encodeMarkerBatch } from '../../src/codec/control-record.js';
import { encodeBatch, encodeRecords, TRANSACTIONAL_BIT } from '../../src/codec/record-batch.js';

/** An idempotent batch of `count` records, as a producer sends it. */
export function idempotentBatch(
  producerId: bigint, epoch: number, baseSequence: number, count = 1, opts: { timestamp?: number; attributes?: number } = {},
): Buffer {
  return encodeBatch({
    lastOffsetDelta: count - 1,
    recordsCount: count,
    producerId,
    producerEpoch: epoch,
    baseSequence,
    attributes: opts.attributes,
    baseTimestamp: opts.timestamp ?? 1000,
    // Fixed-size values, so batches of one count have one size (tests size segments by them).
    records: encodeRecords(Array.from({ length: count }, (_, i) => ({ value: Buffer.from(String(baseSequence + i).padStart(10, '0')) }))),
  });
}

/** A transactional batch, as a producer sends it inside a transaction. */
export function txnBatch(producerId: bigint, epoch: number, baseSequence: number, count = 1, opts: { timestamp?: number } = {}): Buffer {
  return idempotentBatch(producerId, epoch, baseSequence, count, { ...opts, attributes: TRANSACTIONAL_BIT });
}

/** A COMMIT or ABORT marker, as the transaction coordinator writes it. */
export function markerBatch(producerId: bigint, epoch: number, commit: boolean, coordinatorEpoch = 0, timestamp = 1000): Buffer {
  return encodeMarkerBatch({ producerId, producerEpoch: epoch, commit, coordinatorEpoch, timestamp });
}
