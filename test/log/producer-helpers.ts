import { encodeBatch, encodeRecords } from '../../src/codec/record-batch.js';

/** An idempotent batch of `count` records, as a producer sends it. */
export function idempotentBatch(producerId: bigint, epoch: number, baseSequence: number, count = 1, opts: { timestamp?: number; attributes?: number } = {}): Buffer {
  return encodeBatch({
    lastOffsetDelta: count - 1,
    recordsCount: count,
    producerId,
    producerEpoch: epoch,
    baseSequence,
    attributes: opts.attributes,
    baseTimestamp: opts.timestamp ?? 1000,
    records: encodeRecords(Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`v${baseSequence + i}`) }))),
  });
}
