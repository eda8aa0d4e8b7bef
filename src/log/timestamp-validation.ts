/**
 * The record half of Kafka's `LogValidator`, for a batch a client produced: the range checks of
 * `message.timestamp.before.max.ms` / `after.max.ms` (KIP-937; 32 INVALID_TIMESTAMP, with one
 * record error per offending record), the refusal of a client-set LogAppendTime, the repair of a
 * header `maxTimestamp` that cannot be right (some clients, older sarama among them, send -1), and,
 * on a compacted topic, the refusal of records without a key (87 INVALID_RECORD with record errors:
 * the cleaner could never tell which value such a record replaces).
 *
 * Kafka walks every record of every produced batch to do this. Tafka reads the 61-byte header and
 * walks the records — once, for every check together — only when the header cannot settle the question:
 * - the topic is compacted: each record's key length must be read (only compacted topics pay this);
 * - the header's maxTimestamp is -1 or below baseTimestamp (the first record's timestamp), so it is
 *   recomputed from the records and written back, as LogValidator does;
 * - `before.max.ms` is set below its default (unbounded): the oldest record is not in the header;
 * - the header's maxTimestamp lies beyond now + `after.max.ms`: the records say which ones do.
 * With Kafka 4's defaults (before unbounded, after one hour), a correct header and a topic that is not
 * compacted, that is a few comparisons per batch. A header whose maxTimestamp is wrong but plausible (above the real maximum
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
/** The timestamp settings, and whether the topic is compacted (cleanup.policy includes compact). */
export type RecordPolicy = TimestampPolicy & Partial<Pick<LogConfig, 'compact'>>;

const CLIENT_LOG_APPEND_TIME = 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.';
const INVALID_TIMESTAMP_MESSAGE = 'One or more records have been rejected due to invalid timestamp';
const NO_KEY_MESSAGE = 'Compacted topic cannot accept message without key in topic partition ';

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
 * What one walk over a batch's records checks: keys (compacted topics), timestamps (a refusal
 * message per record, or none), and whether the header's maxTimestamp is recomputed and written back.
 */
interface RecordChecks {
  keys: boolean;
  time?: (ts: number, offset: bigint) => string | undefined;
  repairMax: boolean;
}

/**
 * Checks the client batch at `pos` against `policy` at `nowMs`, as Kafka's LogValidator does for
 * each record — a key first, on a compacted topic, then the timestamp — and repairs its header when
 * Kafka would have rewritten it (maxTimestamp recomputed, a client-set LogAppendTime turned into
 * CreateTime), recomputing the CRC. The records are walked at most once, and only when the header
 * cannot settle the timestamps or the topic is compacted. `partition` names the log in Kafka's
 * messages (`topic-0`). Throws a RecordValidationError (32 when any timestamp is refused, else 87
 * INVALID_RECORD for keyless records) or a KafkaError (87, records that do not parse).
 */
export function validateRecords(buf: Buffer, pos: number, policy: RecordPolicy, nowMs: number, partition = ''): void {
  const keys = policy.compact === true;
  const clientLogAppendTime = (buf.readInt16BE(pos + ATTRIBUTES) & TIMESTAMP_TYPE_BIT) !== 0;
  if (policy.messageTimestampType === 'LogAppendTime') {
    // The log stamps the batch; only a client that set LogAppendTime itself is refused.
    if (!keys && clientLogAppendTime) throw refuseAll(buf, pos, CLIENT_LOG_APPEND_TIME);
    if (keys) walkRecords(buf, pos, partition, { keys, time: clientLogAppendTime ? () => CLIENT_LOG_APPEND_TIME : undefined, repairMax: false });
    return;
  }
  const max = maxTimestampAt(buf, pos);
  if (clientLogAppendTime) {
    // Every record's timestamp is the header's maxTimestamp (Kafka's Record.timestamp()); Kafka
    // checks it as CreateTime and stores the batch as CreateTime.
    const refusal = max === NO_TIMESTAMP ? () => CLIENT_LOG_APPEND_TIME
      : outOfRange(max, nowMs, policy) ? (_: number, offset: bigint) => rangeMessage(max, offset, nowMs, policy) : undefined;
    if (keys) walkRecords(buf, pos, partition, { keys, time: refusal, repairMax: false });
    else if (refusal) throw refuseAll(buf, pos, refusal(max, buf.readBigInt64BE(pos)));
    setMaxTimestamp(buf, pos, 'CreateTime', max);
    return;
  }
  // The common case, header only: a maximum that can be right, within the bounds, and no lower bound.
  const headerWrong = max === NO_TIMESTAMP || max < baseTimestampAt(buf, pos);
  const headerSettles = !headerWrong && policy.messageTimestampBeforeMaxMs >= NEVER && !outOfRange(max, nowMs, policy);
  if (headerSettles && !keys) return;
  walkRecords(buf, pos, partition, {
    keys,
    time: headerSettles
      ? undefined
      : (ts, offset) => (ts !== NO_TIMESTAMP && outOfRange(ts, nowMs, policy) ? rangeMessage(ts, offset, nowMs, policy) : undefined),
    repairMax: !headerSettles,
  });
}

/** The one walk over the records: collects Kafka's record errors, refuses the batch if any, repairs maxTimestamp. */
function walkRecords(buf: Buffer, pos: number, partition: string, checks: RecordChecks): void {
  let recordsMax = NO_TIMESTAMP;
  const recordErrors: RecordError[] = [];
  let timestampRefused = false;
  try {
    forEachRecordTime(buf, pos, (offset, ts, index, hasKey) => {
      if (ts > recordsMax) recordsMax = ts;
      if (checks.keys && !hasKey) {
        recordErrors.push({ batchIndex: index, batchIndexErrorMessage: `${NO_KEY_MESSAGE}${partition}` });
        return;
      }
      const message = checks.time?.(ts, offset);
      if (message !== undefined) {
        timestampRefused = true;
        recordErrors.push({ batchIndex: index, batchIndexErrorMessage: message });
      }
    });
  } catch (err) {
    throw new KafkaError(ErrorCode.INVALID_RECORD, `Found invalid record structure: ${(err as Error).message}`);
  }
  // Kafka's processRecordErrors: any refused timestamp makes it 32, otherwise 87, listing every record error.
  if (timestampRefused) throw new RecordValidationError(ErrorCode.INVALID_TIMESTAMP, INVALID_TIMESTAMP_MESSAGE, recordErrors);
  if (recordErrors.length > 0) throw new RecordValidationError(ErrorCode.INVALID_RECORD, recordErrorsMessage(recordErrors), recordErrors);
  if (checks.repairMax && recordsMax !== maxTimestampAt(buf, pos)) setMaxTimestamp(buf, pos, 'CreateTime', recordsMax);
}

/** Kafka's InvalidRecordException message, which prints the first three errors as RecordError.toString does. */
function recordErrorsMessage(errors: readonly RecordError[]): string {
  const shown = errors.slice(0, 3).map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.batchIndexErrorMessage}')`);
  return `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`;
}
