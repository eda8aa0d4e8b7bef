/**
 * The timestamp half of Kafka's `LogValidator`, for a batch a client produced: the range checks of
 * `message.timestamp.before.max.ms` / `after.max.ms` (KIP-937; 32 INVALID_TIMESTAMP, with one
 * record error per offending record), the refusal of a client-set LogAppendTime, and the repair of
 * a header `maxTimestamp` that cannot be right (some clients, older sarama among them, send -1).
 *
 * Kafka walks every record of every produced batch to do this. Tafka reads the 61-byte header and
 * looks at the records only when the header cannot settle the question:
 * - the header's maxTimestamp is -1 or below baseTimestamp (the first record's timestamp), so it is
 *   recomputed from the records and written back, as LogValidator does;
 * - `before.max.ms` is set below its default (unbounded): the oldest record is not in the header;
 * - the header's maxTimestamp lies beyond now + `after.max.ms`: the records say which ones do.
 * With Kafka 4's defaults (before unbounded, after one hour) and a correct header, that is a few
 * comparisons per batch. A header whose maxTimestamp is wrong but plausible (above the real maximum
 * and baseTimestamp, yet within the bound, or below the real maximum yet not below baseTimestamp)
 * is trusted; Kafka would have recomputed it. Correct clients never send one.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import {
  ATTRIBUTES,
  baseTimestampAt,
  maxTimestampAt,
  NO_TIMESTAMP,
  recordsCountAt,
  setMaxTimestamp,
  TIMESTAMP_TYPE_BIT,
} from '../codec/record-batch.js';
import { forEachRecordTime } from '../codec/record-timestamps.js';
import { NEVER, type LogConfig } from '../config/log-config.js';

/** What a Produce response carries per refused record (v8+). */
export interface RecordError {
  batchIndex: number;
  batchIndexErrorMessage: string | null;
}

/** Kafka's RecordValidationException: a refusal that names the records at fault. */
export class RecordValidationError extends KafkaError {
  constructor(
    errorCode: number,
    message: string,
    readonly recordErrors: RecordError[],
  ) {
    super(errorCode, message);
  }
}

export type TimestampPolicy = Pick<LogConfig, 'messageTimestampType' | 'messageTimestampBeforeMaxMs' | 'messageTimestampAfterMaxMs'>;

const CLIENT_LOG_APPEND_TIME = 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.';
const INVALID_TIMESTAMP_MESSAGE = 'One or more records have been rejected due to invalid timestamp';

/** Kafka's `recordHasInvalidTimestamp`; NEVER (Long.MAX_VALUE) means no bound. */
function outOfRange(ts: number, nowMs: number, policy: TimestampPolicy): boolean {
  const { messageTimestampBeforeMaxMs: before, messageTimestampAfterMaxMs: after } = policy;
  return (before < NEVER && nowMs - ts > before) || (after < NEVER && ts - nowMs > after);
}

function rangeMessage(ts: number, offset: bigint, nowMs: number, policy: TimestampPolicy): string {
  const { messageTimestampBeforeMaxMs: before, messageTimestampAfterMaxMs: after } = policy;
  return `Timestamp ${ts} of message with offset ${offset} is out of range. The timestamp should be within [${nowMs - before}, ${nowMs + after}]`;
}

/** Every record of the batch refused for the same reason (Kafka checks each record; here they are alike). */
function refuseAll(buf: Buffer, pos: number, message: string): RecordValidationError {
  const recordErrors = Array.from({ length: recordsCountAt(buf, pos) }, (_, batchIndex) => ({ batchIndex, batchIndexErrorMessage: message }));
  return new RecordValidationError(ErrorCode.INVALID_TIMESTAMP, INVALID_TIMESTAMP_MESSAGE, recordErrors);
}

/**
 * Checks the timestamps of the client batch at `pos` against `policy` at `nowMs`, and repairs its
 * header when Kafka would have rewritten it (maxTimestamp recomputed, a client-set LogAppendTime
 * turned into CreateTime), recomputing the CRC. Throws a RecordValidationError (32) or a KafkaError
 * (87, records that do not parse). LogAppendTime topics need nothing here: the log stamps the batch.
 */
export function validateTimestamps(buf: Buffer, pos: number, policy: TimestampPolicy, nowMs: number): void {
  const clientLogAppendTime = (buf.readInt16BE(pos + ATTRIBUTES) & TIMESTAMP_TYPE_BIT) !== 0;
  if (policy.messageTimestampType === 'LogAppendTime') {
    if (clientLogAppendTime) throw refuseAll(buf, pos, CLIENT_LOG_APPEND_TIME);
    return;
  }
  const max = maxTimestampAt(buf, pos);
  if (clientLogAppendTime) {
    // Every record's timestamp is the header's maxTimestamp (Kafka's Record.timestamp()); Kafka
    // checks it as CreateTime and stores the batch as CreateTime.
    if (max === NO_TIMESTAMP) throw refuseAll(buf, pos, CLIENT_LOG_APPEND_TIME);
    if (outOfRange(max, nowMs, policy)) throw refuseAll(buf, pos, rangeMessage(max, buf.readBigInt64BE(pos), nowMs, policy));
    setMaxTimestamp(buf, pos, 'CreateTime', max);
    return;
  }
  // The common case, header only: a maximum that can be right, within the bounds, and no lower bound.
  const headerWrong = max === NO_TIMESTAMP || max < baseTimestampAt(buf, pos);
  if (!headerWrong && policy.messageTimestampBeforeMaxMs >= NEVER && !outOfRange(max, nowMs, policy)) return;
  checkRecords(buf, pos, max, policy, nowMs);
}

/** The records' own timestamps: which are out of range, and the true maximum written back. */
function checkRecords(buf: Buffer, pos: number, headerMax: number, policy: TimestampPolicy, nowMs: number): void {
  let recordsMax = NO_TIMESTAMP;
  const recordErrors: RecordError[] = [];
  try {
    forEachRecordTime(buf, pos, (offset, ts, index) => {
      if (ts > recordsMax) recordsMax = ts;
      if (ts !== NO_TIMESTAMP && outOfRange(ts, nowMs, policy)) {
        recordErrors.push({ batchIndex: index, batchIndexErrorMessage: rangeMessage(ts, offset, nowMs, policy) });
      }
    });
  } catch (err) {
    throw new KafkaError(ErrorCode.INVALID_RECORD, `Found invalid record structure: ${(err as Error).message}`);
  }
  if (recordErrors.length > 0) throw new RecordValidationError(ErrorCode.INVALID_TIMESTAMP, INVALID_TIMESTAMP_MESSAGE, recordErrors);
  if (recordsMax !== headerMax) setMaxTimestamp(buf, pos, 'CreateTime', recordsMax);
}
