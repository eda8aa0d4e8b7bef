/**
 * Kafka's message formats before the record batch: magic 0 (Kafka 0.8) and magic 1 (0.10, adds a
 * timestamp). Clients older than Kafka 0.11 produce and fetch these "message sets"; Tafka's log
 * stores only record batches (magic 2), so these bytes exist only on the wire, converted on the way
 * in (up-convert.ts) and out (down-convert.ts). Sans-io: Buffers in and out.
 *
 * A message set is a run of entries, each one message:
 *
 *   offset  size  field
 *        0     8  offset       absolute; in a magic 1 wrapper's inner set, relative (0, 1, ...)
 *        8     4  size         bytes of the message that follows
 *       12     4  crc          CRC-32 (IEEE, not -C) of magic .. end of the message
 *       16     1  magic        0 or 1
 *       17     1  attributes   bits 0-2 compression codec; bit 3 (magic 1) LogAppendTime
 *       18     8  timestamp    magic 1 only
 *   18/26     4+n key          int32 length (-1 = null) + bytes
 *            4+n value        int32 length (-1 = null) + bytes
 *
 * Compression wraps a whole inner message set into one "wrapper" message: its value is the
 * compressed inner set, its offset the inner set's last offset, and (magic 1) its timestamp the
 * largest inner timestamp, or the append time when the wrapper says LogAppendTime — which then
 * also stands for every inner message's timestamp.
 */
import { crc32 } from '@node-rs/crc32';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { compress, decompress } from './compression.js';
import { Compression, COMPRESSION_MASK, NO_TIMESTAMP, TIMESTAMP_TYPE_BIT } from './record-batch.js';

/** offset + size: the bytes of an entry before its message. */
export const LEGACY_LOG_OVERHEAD = 12;
const CRC = 12;
const MAGIC = 16;
const ATTRIBUTES = 17;
const TIMESTAMP = 18;
/** The smallest message: crc, magic, attributes, key and value lengths (magic 0). */
export const RECORD_OVERHEAD_V0 = 14;
/** magic 1 adds the 8-byte timestamp. */
export const RECORD_OVERHEAD_V1 = 22;

export type LegacyMagic = 0 | 1;

/** One message of a message set, as read from its entry. */
export interface LegacyMessage {
  /** The entry's offset field, as written (relative inside a magic 1 wrapper). */
  offset: bigint;
  magic: LegacyMagic;
  attributes: number;
  /** The message's own timestamp field; -1 (none) for magic 0. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Whole entry size, offset and size fields included. */
  sizeInBytes: number;
  /** The stored CRC matches the message's bytes. */
  valid: boolean;
}

export const codecOf = (m: LegacyMessage): number => m.attributes & COMPRESSION_MASK;
/** Magic 1's timestamp type bit; magic 0 has no timestamp, so no type. */
export const isLogAppendTime = (m: LegacyMessage): boolean => m.magic === 1 && (m.attributes & TIMESTAMP_TYPE_BIT) !== 0;

/**
 * The size of the entry at `pos` with its 12-byte overhead, or undefined when `buf` ends first (a
 * partial trailing entry, which Kafka silently drops). Throws 2 CORRUPT_MESSAGE for a size below the
 * smallest message or an unknown magic, as Kafka's ByteBufferLogInputStream does. The magic may be 2:
 * a record batch has its magic at the same place.
 */
export function entrySizeAt(buf: Buffer, pos: number): number | undefined {
  const remaining = buf.length - pos;
  if (remaining < LEGACY_LOG_OVERHEAD) return undefined;
  const size = buf.readInt32BE(pos + 8);
  if (size < RECORD_OVERHEAD_V0) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `Record size ${size} is less than the minimum record overhead (${RECORD_OVERHEAD_V0})`);
  }
  if (remaining < MAGIC + 1) return undefined;
  const magic = buf.readInt8(pos + MAGIC);
  if (magic < 0 || magic > 2) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `Invalid magic found in record: ${magic}`);
  return remaining < size + LEGACY_LOG_OVERHEAD ? undefined : size + LEGACY_LOG_OVERHEAD;
}

/** The magic byte of the entry (or record batch) at `pos`. */
export const magicAt = (buf: Buffer, pos: number): number => buf.readInt8(pos + MAGIC);

/** A length-prefixed (int32) byte string of a message; -1 is null. Bad lengths are a corrupt message. */
function sizedBytes(buf: Buffer, pos: number, end: number): [Buffer | null, number] {
  if (pos + 4 > end) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'Record is corrupt (truncated length field)');
  const len = buf.readInt32BE(pos);
  if (len < 0) return [null, pos + 4];
  if (pos + 4 + len > end) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'Record is corrupt (length past its end)');
  return [buf.subarray(pos + 4, pos + 4 + len), pos + 4 + len];
}

/** Whether the stored CRC of the entry at `pos` (of `size` bytes) matches its message. */
export const crcValid = (buf: Buffer, pos: number, size: number): boolean =>
  (crc32(buf.subarray(pos + MAGIC, pos + size)) >>> 0) === buf.readUInt32BE(pos + CRC);

/** Reads the message of a whole entry (`size` from `entrySizeAt`) at `pos`. */
export function readMessage(buf: Buffer, pos: number, size: number): LegacyMessage {
  const end = pos + size;
  const magic = buf.readInt8(pos + MAGIC) as LegacyMagic;
  const valid = crcValid(buf, pos, size);
  if (magic === 1 && size < LEGACY_LOG_OVERHEAD + RECORD_OVERHEAD_V1) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'Record is corrupt (too small for magic 1)');
  }
  const [key, keyEnd] = sizedBytes(buf, pos + (magic === 1 ? TIMESTAMP + 8 : TIMESTAMP), end);
  const [value] = sizedBytes(buf, keyEnd, end);
  return {
    offset: buf.readBigInt64BE(pos),
    magic,
    attributes: buf.readInt8(pos + ATTRIBUTES),
    timestamp: magic === 1 ? Number(buf.readBigInt64BE(pos + TIMESTAMP)) : NO_TIMESTAMP,
    key,
    value,
    sizeInBytes: size,
    valid,
  };
}

/** A message of a wrapper's inner set, its timestamp resolved as Kafka reads it. */
export interface InnerMessage {
  message: LegacyMessage;
  /** The wrapper's append time for LogAppendTime wrappers, else the message's own (-1 for magic 0). */
  timestamp: number;
}

/**
 * The inner messages of a compressed wrapper, checked as Kafka's legacy deep iterator checks them:
 * 87 INVALID_RECORD for a zstd or null-valued wrapper, an empty inner set, or a magic 1 wrapper
 * offset below its last inner offset; 2 CORRUPT_MESSAGE for an inner size below the smallest
 * message. (A nested compressed message is the caller's check: Kafka meets it while iterating.) A truncated tail of the inner set is dropped, as in Kafka.
 * Undecodable compressed bytes throw -1 UNKNOWN_SERVER_ERROR, the error Kafka's IOException becomes.
 */
export function innerMessages(wrapper: LegacyMessage): InnerMessage[] {
  const codec = codecOf(wrapper);
  if (codec === Compression.zstd) {
    throw new KafkaError(ErrorCode.INVALID_RECORD, `Invalid wrapper compressionType found in legacy deep record iterator ${wrapper.magic}`);
  }
  if (wrapper.value === null) {
    throw new KafkaError(ErrorCode.INVALID_RECORD, `Found invalid compressed record set with null value (magic = ${wrapper.magic})`);
  }
  let inner: Buffer;
  try {
    inner = decompress(codec, wrapper.value);
  } catch (err) {
    throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `cannot decompress a magic ${wrapper.magic} wrapper: ${String(err)}`);
  }
  const out: InnerMessage[] = [];
  for (let pos = 0; ;) {
    if (inner.length - pos < LEGACY_LOG_OVERHEAD) break;
    const size = inner.readInt32BE(pos + 8);
    if (size < RECORD_OVERHEAD_V0) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `Record size is less than the minimum record overhead (${RECORD_OVERHEAD_V0})`);
    }
    if (inner.length - pos < LEGACY_LOG_OVERHEAD + size) break;
    const message = readMessage(inner, pos, LEGACY_LOG_OVERHEAD + size);
    const fromWrapper = message.magic === 1 && isLogAppendTime(wrapper);
    out.push({ message, timestamp: fromWrapper ? wrapper.timestamp : message.timestamp });
    pos += LEGACY_LOG_OVERHEAD + size;
  }
  if (out.length === 0) throw new KafkaError(ErrorCode.INVALID_RECORD, 'Found invalid compressed record set with no inner records');
  if (wrapper.magic === 1 && wrapper.offset !== 0n) {
    const lastInner = out[out.length - 1]!.message.offset;
    if (wrapper.offset < lastInner) {
      throw new KafkaError(
        ErrorCode.INVALID_RECORD,
        `Found invalid wrapper offset in compressed v1 message set, wrapper offset '${wrapper.offset}' is less than the last inner message offset '${lastInner}' and it is not zero.`,
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface LegacyMessageInput {
  offset: bigint;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** One entry: offset, size, and a message with its CRC, written into one buffer. */
export function encodeMessage(magic: LegacyMagic, attributes: number, m: LegacyMessageInput): Buffer {
  const keyAt = magic === 1 ? TIMESTAMP + 8 : TIMESTAMP;
  const valueAt = keyAt + 4 + (m.key?.length ?? 0);
  const entry = Buffer.allocUnsafe(valueAt + 4 + (m.value?.length ?? 0));
  entry.writeBigInt64BE(m.offset, 0);
  entry.writeInt32BE(entry.length - LEGACY_LOG_OVERHEAD, 8);
  entry.writeInt8(magic, MAGIC);
  entry.writeInt8(attributes, ATTRIBUTES);
  if (magic === 1) entry.writeBigInt64BE(BigInt(m.timestamp), TIMESTAMP);
  for (const [at, bytes] of [[keyAt, m.key], [valueAt, m.value]] as const) {
    entry.writeInt32BE(bytes === null ? -1 : bytes.length, at);
    bytes?.copy(entry, at + 4);
  }
  entry.writeUInt32BE(crc32(entry.subarray(MAGIC)) >>> 0, CRC);
  return entry;
}

export interface MessageSetOptions {
  magic: LegacyMagic;
  codec: number;
  logAppendTime: boolean;
}

/**
 * Messages as a message set the way Kafka's MemoryRecordsBuilder writes one, entry by entry:
 * uncompressed, one entry per message at its absolute offset; compressed, one wrapper holding them
 * all (magic 1 inner offsets relative to the first). With LogAppendTime (magic 1), every message
 * carries the append time — `messages[i].timestamp` must then already be it.
 */
export function encodeMessageSet(messages: readonly LegacyMessageInput[], opts: MessageSetOptions): Buffer[] {
  const { magic, codec } = opts;
  const typeBit = magic === 1 && opts.logAppendTime ? TIMESTAMP_TYPE_BIT : 0;
  if (codec === Compression.none) return messages.map((m) => encodeMessage(magic, typeBit, m));
  const base = messages[0]!.offset;
  const inner = messages.map((m) => encodeMessage(magic, typeBit, { ...m, offset: magic === 1 ? m.offset - base : m.offset }));
  const maxTimestamp = messages.reduce((max, m) => Math.max(max, m.timestamp), NO_TIMESTAMP);
  const wrapper = encodeMessage(magic, codec | typeBit, {
    offset: messages[messages.length - 1]!.offset,
    timestamp: maxTimestamp,
    key: null,
    value: compress(codec, Buffer.concat(inner), magic),
  });
  return [wrapper];
}
