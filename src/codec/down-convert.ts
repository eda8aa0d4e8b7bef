/**
 * Fetch v0-3 from clients older than Kafka 0.11: they read message sets (magic 0 for Fetch v0-1,
 * magic 1 for v2-3; see legacy-records.ts), and the log holds record batches (magic 2). Kafka 3.9
 * converted on the way out (RecordsUtil.downConvert, sent lazily by LazyDownConversionRecords);
 * this does the same conversion, eagerly, on the batches one fetch read:
 *
 * - Each batch becomes a message set in its own codec: uncompressed, one message per record at its
 *   offset; compressed, one wrapper (recompressed) holding all the batch's records.
 * - An uncompressed batch loses the records before the fetch offset (a fetch may start inside a
 *   batch; some old clients rely on not seeing earlier offsets). A compressed one keeps them all:
 *   the wrapper is indivisible, and clients skip what they did not ask for.
 * - Timestamps: a record's own (CreateTime) or the batch's append time (LogAppendTime, marked on
 *   each magic 1 message). Magic 0 has none. Record headers are dropped: neither format has them.
 * - Control batches (transaction markers) are skipped.
 * - zstd has no magic 0/1 form: 76 UNSUPPORTED_COMPRESSION_TYPE when the first batch is zstd; after
 *   converted data, the answer stops before the zstd batch, and the next fetch, starting there, gets 76.
 * - Size: Kafka committed to max(bytes read, size of the first converted batch) — so at least one
 *   batch always fits — and cut whatever followed at that size, the client dropping the partial
 *   message. Here the cut falls between messages. When nothing converts (only control batches),
 *   Kafka sent a 12-byte "overflow" stub (offset -1 and a length past the end) that clients ignore;
 *   so does this.
 *
 * This is per-record work (decompress, rewrite, recompress), paid only by old clients.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { decompress } from './compression.js';
import { encodeMessageSet, type LegacyMagic, type LegacyMessageInput } from './legacy-records.js';
import { ATTRIBUTES, batchSizeAt, compressionOf, Compression, CONTROL_BIT, decodeRecords, readBatchHeader, RECORDS, TIMESTAMP_TYPE_BIT } from './record-batch.js';

/** The overflow stub: offset -1, then a length (that of the smallest record batch) reaching past the end. */
const OVERFLOW = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 61]);

/** One batch's records as entries (messages or one wrapper) of the target magic; none when no record remains. */
function convertBatch(records: Buffer, pos: number, toMagic: LegacyMagic, fetchOffset: bigint): Buffer[] {
  const h = readBatchHeader(records, pos)!;
  const codec = compressionOf(h.attributes);
  const logAppendTime = (h.attributes & TIMESTAMP_TYPE_BIT) !== 0;
  const body = decompress(codec, records.subarray(pos + RECORDS, pos + h.size));
  const messages: LegacyMessageInput[] = [];
  for (const r of decodeRecords(body, h.recordsCount)) {
    const offset = h.baseOffset + BigInt(r.offsetDelta);
    if (codec === Compression.none && offset < fetchOffset) continue;
    const timestamp = logAppendTime ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta;
    messages.push({ offset, timestamp, key: r.key, value: r.value });
  }
  return messages.length === 0 ? [] : encodeMessageSet(messages, { magic: toMagic, codec, logAppendTime });
}

/**
 * The record batches read for one partition (whole batches, as the log returns them), as a message
 * set of `toMagic`. Throws 76 UNSUPPORTED_COMPRESSION_TYPE when the first batch to convert is zstd.
 */
export function downConvert(records: Buffer, toMagic: LegacyMagic, fetchOffset: bigint): Buffer {
  const converted: Buffer[] = [];
  let limit = records.length;
  let size = 0;
  for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
    const attributes = records.readInt16BE(pos + ATTRIBUTES);
    if (attributes & CONTROL_BIT) continue;
    if (compressionOf(attributes) === Compression.zstd) {
      if (converted.length === 0) throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'Down-conversion of zstandard-compressed batches is not supported');
      break;
    }
    const entries = convertBatch(records, pos, toMagic, fetchOffset);
    if (entries.length === 0) continue;
    // The first converted batch always goes whole; the rest only up to the committed size.
    if (converted.length === 0) limit = Math.max(limit, entries.reduce((n, e) => n + e.length, 0));
    for (const entry of entries) {
      if (size + entry.length > limit) return Buffer.concat(converted);
      converted.push(entry);
      size += entry.length;
    }
  }
  if (converted.length === 0) return records.length > 0 ? OVERFLOW : records;
  return Buffer.concat(converted);
}
