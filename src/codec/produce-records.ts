/**
 * What a Produce request (v3+) may carry for one partition, checked before the log sees it: Kafka's
 * `ProduceRequest.validateRecords`, walking the bytes the way its `ByteBufferLogInputStream` does.
 *
 * - exactly one record batch, and it is magic 2: no batch at all, or a second one, is 87
 *   INVALID_RECORD ("exactly one record batch per partition" — the client builds one batch per
 *   partition, and the broker's per-batch work, from idempotence to LogAppendTime, relies on it);
 * - zstd only from Produce v7 (76 UNSUPPORTED_COMPRESSION_TYPE);
 * - a length below a record's minimum or a magic byte outside 0..2, met while looking for the next
 *   batch, is 2 CORRUPT_MESSAGE;
 * - bytes after the batch too few to hold another one (a partial batch) are not a second batch:
 *   Kafka drops them before appending, and so does `firstBatch` here.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { BATCH_LENGTH, COMPRESSION_MASK, Compression, CURRENT_MAGIC, HEADER_SIZE_UP_TO_MAGIC, LOG_OVERHEAD, MAGIC, ATTRIBUTES } from './record-batch.js';

const { CORRUPT_MESSAGE, UNSUPPORTED_COMPRESSION_TYPE, INVALID_RECORD } = ErrorCode;

/** The smallest record of any format (magic 0's header, Kafka's RECORD_OVERHEAD_V0). */
const MIN_RECORD_SIZE = 14;

export interface Refusal {
  errorCode: number;
  message: string;
}

export type ProduceRecordsCheck = { batch: Buffer; refusal?: undefined } | { batch?: undefined; refusal: Refusal };

/**
 * The size of the whole batch at `pos`, undefined when the bytes left cannot hold one (Kafka's
 * `nextBatchSize` returning null, then `nextBatch` finding too few bytes), or a CORRUPT_MESSAGE
 * refusal for a length or magic no batch can have.
 */
function nextBatchSize(records: Buffer, pos: number): number | undefined | Refusal {
  const remaining = records.length - pos;
  if (remaining < LOG_OVERHEAD) return undefined;
  const recordSize = records.readInt32BE(pos + BATCH_LENGTH);
  if (recordSize < MIN_RECORD_SIZE) {
    return { errorCode: CORRUPT_MESSAGE, message: `Record size ${recordSize} is less than the minimum record overhead (${MIN_RECORD_SIZE})` };
  }
  if (remaining < HEADER_SIZE_UP_TO_MAGIC) return undefined;
  const magic = records.readInt8(pos + MAGIC);
  if (magic < 0 || magic > CURRENT_MAGIC) return { errorCode: CORRUPT_MESSAGE, message: `Invalid magic found in record: ${magic}` };
  const size = recordSize + LOG_OVERHEAD;
  return remaining < size ? undefined : size;
}

/**
 * Checks the `records` of one partition of a Produce request of `version` and returns the one batch
 * to append, without the partial bytes that may trail it, or the refusal. Versions 0-2 (message
 * sets of magic 0/1) are passed through unchecked, as Kafka does.
 */
export function firstBatch(records: Buffer, version: number): ProduceRecordsCheck {
  if (version < 3) return { batch: records };
  const refuse = (errorCode: number, message: string): ProduceRecordsCheck => ({ refusal: { errorCode, message: `Produce requests with version ${version} ${message}` } });
  const first = nextBatchSize(records, 0);
  if (typeof first === 'object') return { refusal: first };
  if (first === undefined) return refuse(INVALID_RECORD, 'must have at least one record batch per partition');
  if (records.readInt8(MAGIC) !== CURRENT_MAGIC) return refuse(INVALID_RECORD, 'are only allowed to contain record batches with magic version 2');
  if (version < 7 && (records.readInt16BE(ATTRIBUTES) & COMPRESSION_MASK) === Compression.zstd) {
    return refuse(UNSUPPORTED_COMPRESSION_TYPE, 'are not allowed to use ZStandard compression');
  }
  const second = nextBatchSize(records, first);
  if (typeof second === 'object') return { refusal: second };
  if (second !== undefined) return refuse(INVALID_RECORD, 'are only allowed to contain exactly one record batch per partition');
  return { batch: first === records.length ? records : records.subarray(0, first) };
}
