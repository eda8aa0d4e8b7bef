/**
 * Produce v0-2 from clients older than Kafka 0.11: their message sets (magic 0/1, see
 * legacy-records.ts) become one record batch (magic 2), which is all Tafka's log stores. This is
 * what Kafka 3.9 did on append — the shallow checks of UnifiedLog.analyzeAndValidateRecords, then
 * LogValidator's convertAndAssignOffsetsNonCompressed (uncompressed messages, one batch for all) or
 * validateMessagesAndAssignOffsetsCompressed (a compressed wrapper, recompressed with its own codec
 * into the batch) — with Kafka's checks, in Kafka's order, and Kafka's error codes:
 *
 * - 2 CORRUPT_MESSAGE: a size below the smallest message, an unknown magic, a message whose CRC-32
 *   does not match (every outer message; inner messages of a wrapper too).
 * - 10 MESSAGE_TOO_LARGE: a message (a wrapper counts as one) above max.message.bytes.
 * - 87 INVALID_RECORD: messages of different magics, more than one message when one is compressed,
 *   a bad wrapper (see legacy-records.ts), a nested compressed message, an inner magic differing from
 *   its wrapper's, a message without a key on a compacted topic.
 * - 32 INVALID_TIMESTAMP: a CreateTime timestamp outside message.timestamp.before/after.max.ms,
 *   or a message claiming LogAppendTime when that check does not apply (the broker, not a
 *   producer, sets LogAppendTime).
 * - -1 UNKNOWN_SERVER_ERROR: a codec id Kafka does not know, or compressed bytes that do not decode
 *   (Kafka 3.9 failed there with an unexpected exception).
 * A partial message at the end of the set is dropped without error, as Kafka trims it.
 *
 * This is per-message work, paid only by clients that send the old formats. The batch it returns
 * has base offset 0 and CreateTime; the log assigns offsets and stamps LogAppendTime as for any batch.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { compress } from './compression.js';
import {
  codecOf,
  crcValid,
  entrySizeAt,
  innerMessages,
  isLogAppendTime,
  magicAt,
  readMessage,
  type InnerMessage,
  type LegacyMessage,
} from './legacy-records.js';
import { checkBatchIntegrity, Compression, encodeBatch, encodeRecords, NO_TIMESTAMP } from './record-batch.js';

export interface UpConvertOptions {
  /** The broker's clock, for the timestamp bounds. */
  now: number;
  /** max.message.bytes of the topic. */
  maxMessageBytes: number;
  /** message.timestamp.type of the topic. */
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** message.timestamp.before.max.ms / after.max.ms of the topic. */
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  /** cleanup.policy includes compact: every message needs a key. */
  compacted: boolean;
}

/** A message to convert, with its timestamp as Kafka reads it. */
type Converted = InnerMessage;

/** True when produced records start with a record batch (magic 2); anything else is read as a message set. */
export function startsWithRecordBatch(records: Buffer): boolean {
  return records.length > 16 && magicAt(records, 0) === 2;
}

/**
 * The message set converted into one record batch, or null when it holds no whole message (Kafka
 * then appends nothing and answers success with offset -1). Throws a KafkaError as described above.
 */
export function upConvert(records: Buffer, opts: UpConvertOptions): Buffer | null {
  const outer = shallowEntries(records, opts.maxMessageBytes);
  if (outer.length === 0) return null;
  const first = outer[0]!;
  if (first === 'batch') throw new KafkaError(ErrorCode.INVALID_RECORD, 'a record batch is not a message set');
  const compressed = outer.some((m) => m !== 'batch' && codecOf(m) !== Compression.none);
  if (compressed) {
    if (outer.length > 1) throw new KafkaError(ErrorCode.INVALID_RECORD, 'Compressed outer record has more than one batch');
    return buildBatch(validateInner(first, opts), codecOf(first));
  }
  // Uncompressed: each message is a batch of its own, checked in turn (magic, then its record).
  const converted = outer.map((m, index): Converted => {
    const magic = m === 'batch' ? 2 : m.magic;
    if (m === 'batch' || magic !== first.magic) {
      throw new KafkaError(ErrorCode.INVALID_RECORD, `Batch magic ${magic} is not the same as the first batch's magic byte ${first.magic}`);
    }
    validateRecord(m, m, m.timestamp, opts, index);
    return { message: m, timestamp: m.timestamp };
  });
  return buildBatch(converted, Compression.none);
}

/**
 * Kafka's shallow pass: each whole entry's size, max.message.bytes and CRC, in order. A record batch
 * among them ('batch') is checked as one; the magic check that follows refuses the mix.
 */
function shallowEntries(records: Buffer, maxMessageBytes: number): (LegacyMessage | 'batch')[] {
  const out: (LegacyMessage | 'batch')[] = [];
  for (let pos = 0; ;) {
    const size = entrySizeAt(records, pos);
    if (size === undefined) return out;
    if (magicAt(records, pos) === 2) {
      if (records.readBigInt64BE(pos) !== 0n) throw new KafkaError(ErrorCode.INVALID_RECORD, 'The baseOffset of the record batch should be 0');
      if (size > maxMessageBytes) throw tooLarge(size, maxMessageBytes);
      const code = checkBatchIntegrity(records, pos, pos + size);
      if (code !== 0) throw new KafkaError(code, 'Record batch is corrupt');
      out.push('batch');
    } else {
      if (size > maxMessageBytes) throw tooLarge(size, maxMessageBytes);
      if (!crcValid(records, pos, size)) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'Record is corrupt (stored crc does not match)');
      const message = readMessage(records, pos, size);
      if (codecOf(message) > Compression.zstd) {
        throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `Unknown compression type id: ${codecOf(message)}`);
      }
      out.push(message);
    }
    pos += size;
  }
}

const tooLarge = (size: number, max: number) =>
  new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `The record batch size in the append is ${size} bytes which exceeds the maximum configured value of ${max}.`);

/** The inner messages of a compressed wrapper, each validated as Kafka's compressed path does. */
function validateInner(wrapper: LegacyMessage, opts: UpConvertOptions): Converted[] {
  const out: Converted[] = [];
  const errors: number[] = [];
  innerMessages(wrapper).forEach((inner, index) => {
    if (codecOf(inner.message) !== Compression.none) throw new KafkaError(ErrorCode.INVALID_RECORD, 'Inner messages must not be compressed');
    const error = validateRecord(wrapper, inner.message, inner.timestamp, opts, index, true);
    if (error !== 0) errors.push(error);
    else out.push(inner);
  });
  if (errors.length > 0) throw recordErrors(errors);
  return out;
}

/**
 * LogValidator.validateRecord: magic, CRC (inner messages; outer ones were checked already), key,
 * timestamp. Record-level errors are returned for the inner messages of a wrapper (Kafka gathers
 * them, then fails the batch) and thrown at once for an uncompressed message (a batch of its own).
 */
function validateRecord(batch: LegacyMessage, m: LegacyMessage, timestamp: number, opts: UpConvertOptions, index: number, inner = false): number {
  const error = recordError(batch, m, timestamp, opts, index, inner);
  if (error !== 0 && !inner) throw recordErrors([error]);
  return error;
}

function recordError(batch: LegacyMessage, m: LegacyMessage, timestamp: number, opts: UpConvertOptions, index: number, inner: boolean): number {
  if (m.magic !== batch.magic) return ErrorCode.INVALID_RECORD;
  if (inner && !m.valid) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `Record ${index} is corrupt (stored crc does not match)`);
  if (opts.compacted && m.key === null) return ErrorCode.INVALID_RECORD;
  return timestampError(batch, timestamp, opts);
}

function timestampError(batch: LegacyMessage, timestamp: number, opts: UpConvertOptions): number {
  if (opts.timestampType === 'CreateTime' && timestamp !== NO_TIMESTAMP) {
    const diff = opts.now - timestamp;
    return diff > opts.timestampBeforeMaxMs || -diff > opts.timestampAfterMaxMs ? ErrorCode.INVALID_TIMESTAMP : 0;
  }
  return isLogAppendTime(batch) ? ErrorCode.INVALID_TIMESTAMP : 0;
}

/** Kafka's processRecordErrors: any bad timestamp makes it 32, else 87. */
function recordErrors(errors: number[]): KafkaError {
  return errors.includes(ErrorCode.INVALID_TIMESTAMP)
    ? new KafkaError(ErrorCode.INVALID_TIMESTAMP, 'One or more records have been rejected due to invalid timestamp')
    : new KafkaError(ErrorCode.INVALID_RECORD, `One or more records have been rejected due to ${errors.length} record errors`);
}

/** One record batch of the messages: base offset 0, no producer, CreateTime, the given codec. */
function buildBatch(messages: readonly Converted[], codec: number): Buffer {
  const baseTimestamp = messages[0]!.timestamp;
  const records = encodeRecords(
    messages.map(({ message, timestamp }) => ({ key: message.key, value: message.value, timestampDelta: timestamp - baseTimestamp })),
  );
  return encodeBatch({
    attributes: codec,
    lastOffsetDelta: messages.length - 1,
    recordsCount: messages.length,
    baseTimestamp,
    maxTimestamp: messages.reduce((max, m) => Math.max(max, m.timestamp), NO_TIMESTAMP),
    records: compress(codec, records, 2),
  });
}
