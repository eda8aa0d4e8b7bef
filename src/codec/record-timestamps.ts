/**
 * The one thing the broker ever reads from inside a client's batch on the produce and fetch paths:
 * each record's offset and timestamp, and whether it has a key. Kafka needs them at a few moments only — a ListOffsets lookup by time answers a
 * record, not a batch (FileRecords.searchForTimestamp), ListOffsets -3 answers the record holding
 * the largest timestamp (RecordBatch.offsetOfMaxTimestamp), and a produced batch whose header
 * timestamps cannot be right, or a topic with a tight `message.timestamp.*.max.ms`, needs the
 * records' own timestamps (LogValidator); a compacted topic refuses records without a key
 * (LogValidator.validateKey). Everything else works on the 61-byte header.
 *
 * Only the fields up to each record's key length are read: the length prefix says where the next
 * record starts, so keys, values and headers are skipped, not decoded. A compressed batch is
 * decompressed first (src/codec/compression.ts).
 */
import { decompress } from './compression.js';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  baseTimestampAt,
  batchSizeAt,
  compressionOf,
  maxTimestampAt,
  RECORDS,
  recordsCountAt,
  TIMESTAMP_TYPE_BIT,
  VarintReader,
} from './record-batch.js';

/**
 * Calls `visit(offset, timestamp, index, hasKey)` for each record of the batch at `pos`, in order,
 * until it returns true. The offset is the batch's base offset plus the record's offset delta; the
 * timestamp is Kafka's `Record.timestamp()`: baseTimestamp + timestampDelta, or for a LogAppendTime
 * batch the batch's maxTimestamp, the same for every record; `hasKey` is false for a null key.
 * Throws RangeError when the records do not parse, or do not add up to the header's record count.
 */
export function forEachRecordTime(
  batch: Buffer,
  pos: number,
  visit: (offset: bigint, timestamp: number, index: number, hasKey: boolean) => boolean | void,
): void {
  const size = batchSizeAt(batch, pos);
  const attributes = batch.readInt16BE(pos + ATTRIBUTES);
  const baseOffset = batch.readBigInt64BE(pos + BASE_OFFSET);
  const baseTimestamp = baseTimestampAt(batch, pos);
  const logAppendTime = attributes & TIMESTAMP_TYPE_BIT ? maxTimestampAt(batch, pos) : undefined;
  const count = recordsCountAt(batch, pos);
  const section = decompress(compressionOf(attributes), batch.subarray(pos + RECORDS, pos + size));
  const r = new VarintReader(section, 0);
  for (let i = 0; i < count; i++) {
    const length = r.varlong();
    const next = r.pos + length;
    r.int8(); // record attributes: unused
    const timestampDelta = r.varlong();
    const offsetDelta = r.varlong();
    const keyLength = r.varlong();
    if (r.pos > next || next > section.length) throw new RangeError(`record ${i} has an impossible length ${length}`);
    if (visit(baseOffset + BigInt(offsetDelta), logAppendTime ?? baseTimestamp + timestampDelta, i, keyLength >= 0)) return;
    r.pos = next;
  }
  if (r.pos !== section.length) throw new RangeError(`bytes remain after the ${count} records the header declares`);
}

/** The largest record timestamp of the batch at `pos`, or -1 (no timestamp) when no record has a larger one. */
export function maxRecordTimestamp(batch: Buffer, pos = 0): number {
  let max = -1;
  forEachRecordTime(batch, pos, (_, timestamp) => {
    if (timestamp > max) max = timestamp;
  });
  return max;
}
