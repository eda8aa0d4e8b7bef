import { encodeBatch, encodeRecords } from '../../src/codec/record-batch.js';

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
