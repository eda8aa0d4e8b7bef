/**
 * Kafka record batch v2 ("magic 2"), the unit producers send, the log stores and consumers fetch.
 * Sans-io: only Buffers in and out. The log works on the 61-byte header alone; records are read
 * only where Kafka's semantics need them (record-timestamps.ts), by the group coordinator for its
 * own `__consumer_offsets`, and by the dump-log tool (`decodeRecords`).
 *
 *   offset  size  field
 *        0     8  baseOffset            assigned by the broker, NOT covered by the CRC
 *        8     4  batchLength           bytes after this field
 *       12     4  partitionLeaderEpoch  set by the broker, NOT covered by the CRC
 *       16     1  magic                 2
 *       17     4  crc                   CRC-32C of attributes .. end of batch
 *       21     2  attributes            compression 0-2, timestampType 3, transactional 4, control 5
 *       23     4  lastOffsetDelta
 *       27     8  baseTimestamp
 *       35     8  maxTimestamp
 *       43     8  producerId
 *       51     2  producerEpoch
 *       53     4  baseSequence
 *       57     4  recordsCount
 *       61        records (possibly compressed)
 */
import { crc32c } from '@node-rs/crc32';

export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORDS_COUNT = 57;
export const RECORDS = 61;
/** Size of the v2 batch header; also the smallest possible batch. */
export const HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength (Kafka's LOG_OVERHEAD). */
export const LOG_OVERHEAD = 12;
/** Bytes needed to read magic, the first field whose meaning is the same in every format version. */
export const HEADER_SIZE_UP_TO_MAGIC = MAGIC + 1;

export const CURRENT_MAGIC = 2;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_BIT = 0x08;
export const TRANSACTIONAL_BIT = 0x10;
export const CONTROL_BIT = 0x20;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** Kafka's "no timestamp" value. */
export const NO_TIMESTAMP = -1;

// Error codes (Kafka's numbers) this module answers with.
const CORRUPT_MESSAGE = 2;
const UNSUPPORTED_COMPRESSION_TYPE = 76;
const INVALID_RECORD = 87;

export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  /** Whole batch size on the wire / on disk: batchLength + LOG_OVERHEAD. */
  size: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

/** Reads the header of the batch at `pos`, or returns undefined when fewer than 61 bytes remain. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader | undefined {
  if (buf.length - pos < HEADER_SIZE) return undefined;
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH);
  return {
    baseOffset: buf.readBigInt64BE(pos + BASE_OFFSET),
    batchLength,
    size: batchLength + LOG_OVERHEAD,
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + MAGIC),
    crc: buf.readUInt32BE(pos + CRC),
    attributes: buf.readInt16BE(pos + ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA),
    baseTimestamp: Number(buf.readBigInt64BE(pos + BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(pos + MAX_TIMESTAMP)),
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE),
    recordsCount: buf.readInt32BE(pos + RECORDS_COUNT),
  };
}

// Single-field accessors for the hot paths, which need two or three fields and no allocation.
export const batchSizeAt = (buf: Buffer, pos: number): number => buf.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
export const baseOffsetAt = (buf: Buffer, pos: number): bigint => buf.readBigInt64BE(pos + BASE_OFFSET);
export const lastOffsetDeltaAt = (buf: Buffer, pos: number): number => buf.readInt32BE(pos + LAST_OFFSET_DELTA);
/** As a number, read as two int32 halves: exact below 2^53 ms, and no BigInt on the hot path. */
export const maxTimestampAt = (buf: Buffer, pos: number): number =>
  buf.readInt32BE(pos + MAX_TIMESTAMP) * 0x1_0000_0000 + buf.readUInt32BE(pos + MAX_TIMESTAMP + 4);
export const baseTimestampAt = (buf: Buffer, pos: number): number =>
  buf.readInt32BE(pos + BASE_TIMESTAMP) * 0x1_0000_0000 + buf.readUInt32BE(pos + BASE_TIMESTAMP + 4);
export const recordsCountAt = (buf: Buffer, pos: number): number => buf.readInt32BE(pos + RECORDS_COUNT);
export const compressionOf = (attributes: number): number => attributes & COMPRESSION_MASK;
export const timestampTypeOf = (attributes: number): 'CreateTime' | 'LogAppendTime' =>
  attributes & TIMESTAMP_TYPE_BIT ? 'LogAppendTime' : 'CreateTime';

/** The CRC-32C the batch at `pos` should carry: over attributes .. end of batch. */
export function computeCrc(buf: Buffer, pos: number, size: number): number {
  return crc32c(buf.subarray(pos + ATTRIBUTES, pos + size)) >>> 0;
}

/**
 * Checks that the bytes at `pos` (up to `end`) start with a whole, uncorrupted v2 batch: enough bytes,
 * a sane length, magic 2, matching CRC. This is what Kafka's `ensureValid` checks, and what log
 * recovery relies on. Returns 0 or a Kafka error code.
 */
export function checkBatchIntegrity(buf: Buffer, pos = 0, end = buf.length): number {
  if (end - pos < HEADER_SIZE_UP_TO_MAGIC) return CORRUPT_MESSAGE;
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH);
  if (batchLength > end - pos - LOG_OVERHEAD) return CORRUPT_MESSAGE; // torn: runs past the bytes we have
  // Kafka 4 accepts only magic 2 (Produce v3+ answers InvalidRecordException for older formats).
  if (buf.readInt8(pos + MAGIC) !== CURRENT_MAGIC) return INVALID_RECORD;
  if (batchLength < HEADER_SIZE - LOG_OVERHEAD) return CORRUPT_MESSAGE;
  if (computeCrc(buf, pos, batchLength + LOG_OVERHEAD) !== buf.readUInt32BE(pos + CRC)) return CORRUPT_MESSAGE;
  return 0;
}

/**
 * Everything Kafka's broker checks on a batch a client produced, without decoding its records
 * (Kafka's `LogValidator.validateBatch` plus `ensureValid`). Returns 0 or a Kafka error code.
 * `allowControl` is for the broker's own appends (transaction markers): only those may carry the
 * control bit, and a marker has no sequence.
 */
export function validateBatch(buf: Buffer, pos = 0, end = buf.length, allowControl = false): number {
  const integrity = checkBatchIntegrity(buf, pos, end);
  if (integrity !== 0) return integrity;
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  if (compressionOf(attributes) > Compression.zstd) return UNSUPPORTED_COMPRESSION_TYPE;
  const count = recordsCountAt(buf, pos);
  const lastOffsetDelta = lastOffsetDeltaAt(buf, pos);
  if (count <= 0 || lastOffsetDelta < 0 || count !== lastOffsetDelta + 1) return INVALID_RECORD;
  if (attributes & CONTROL_BIT) return allowControl ? 0 : INVALID_RECORD; // only the broker writes control batches
  if (buf.readBigInt64BE(pos + PRODUCER_ID) >= 0n && buf.readInt32BE(pos + BASE_SEQUENCE) < 0) return INVALID_RECORD;
  return 0;
}

/** Assigns the batch's offsets. Outside the CRC, so no recomputation. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: bigint): void {
  buf.writeBigInt64BE(baseOffset, pos + BASE_OFFSET);
}

/** Stamps the leader epoch. Outside the CRC, so no recomputation. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH);
}

/**
 * Sets the batch's timestamp type and maxTimestamp, as Kafka's `DefaultRecordBatch.setMaxTimestamp`.
 * These bytes are inside the CRC, so this is the one header change that recomputes it.
 */
export function setMaxTimestamp(buf: Buffer, pos: number, type: 'CreateTime' | 'LogAppendTime', timestampMs: number): void {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  buf.writeInt16BE(type === 'LogAppendTime' ? attributes | TIMESTAMP_TYPE_BIT : attributes & ~TIMESTAMP_TYPE_BIT, pos + ATTRIBUTES);
  buf.writeBigInt64BE(BigInt(timestampMs), pos + MAX_TIMESTAMP);
  const size = batchSizeAt(buf, pos);
  buf.writeUInt32BE(computeCrc(buf, pos, size), pos + CRC);
}

/**
 * For topics with message.timestamp.type=LogAppendTime: marks the batch's timestamps as broker time
 * and sets maxTimestamp (consumers then read it as every record's timestamp).
 */
export function setLogAppendTime(buf: Buffer, pos: number, timestampMs: number): void {
  setMaxTimestamp(buf, pos, 'LogAppendTime', timestampMs);
}

// ---------------------------------------------------------------------------------------------
// Records, for inspection tools only. Record layout (all varints zig-zag encoded):
//   length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
//   keyLength varint, key, valueLength varint, value, headerCount varint,
//   headers: [keyLength varint, key, valueLength varint, value]

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  /** Bytes of the record including its length prefix. */
  sizeInBytes: number;
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A bounds-checked cursor over a records section. Throws RangeError on truncated input. */
export class VarintReader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  /** Zig-zag varlong as a number (exact up to 2^53, ample for deltas and lengths). */
  varlong(): number {
    let raw = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new RangeError('truncated varint');
      const b = this.buf[this.pos++]!;
      raw += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      scale *= 128;
    }
    throw new RangeError('varint too long');
  }

  int8(): number {
    if (this.pos >= this.buf.length) throw new RangeError('truncated record');
    return this.buf.readInt8(this.pos++);
  }

  /** A varint-length-prefixed byte string; length -1 means null. */
  bytes(): Buffer | null {
    const len = this.varlong();
    if (len < 0) return null;
    if (this.pos + len > this.buf.length) throw new RangeError('truncated record');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}

/** Decodes `count` records from an (already decompressed) records section. */
export function decodeRecords(records: Buffer, count: number): DecodedRecord[] {
  const r = new VarintReader(records, 0);
  const out: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    const length = r.varlong();
    const bodyStart = r.pos;
    const attributes = r.int8();
    const timestampDelta = r.varlong();
    const offsetDelta = r.varlong();
    const key = r.bytes();
    const value = r.bytes();
    const headerCount = r.varlong();
    if (headerCount < 0) throw new RangeError('negative header count');
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const hk = r.bytes();
      if (hk === null) throw new RangeError('null header key');
      headers.push({ key: hk.toString('utf8'), value: r.bytes() });
    }
    if (r.pos - bodyStart !== length) throw new RangeError(`record length ${length} does not match its fields`);
    out.push({ sizeInBytes: r.pos - start, attributes, timestampDelta, offsetDelta, key, value, headers });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding: batches built the way a client builds them, for tests, benchmarks and fixtures, and for
// the one broker path that writes records, up-conversion of old producers' messages (up-convert.ts).

export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestampDelta?: number;
}

/** Bytes of a zig-zag varlong (exact up to 2^53, ample for deltas and lengths). */
export function varlongSize(n: number): number {
  let zz = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (zz >= 0x80) {
    zz = Math.floor(zz / 128);
    size++;
  }
  return size;
}

export function writeVarlong(buf: Buffer, pos: number, n: number): number {
  let zz = n >= 0 ? n * 2 : -n * 2 - 1;
  while (zz >= 0x80) {
    buf[pos++] = (zz % 128) | 0x80;
    zz = Math.floor(zz / 128);
  }
  buf[pos++] = zz;
  return pos;
}

const bytesFieldSize = (b: Buffer | null | undefined): number => (b ? varlongSize(b.length) + b.length : 1);

function writeBytesField(buf: Buffer, pos: number, b: Buffer | null | undefined): number {
  if (!b) return writeVarlong(buf, pos, -1);
  pos = writeVarlong(buf, pos, b.length);
  return pos + b.copy(buf, pos);
}

/**
 * Encodes records (uncompressed) as a records section, offset deltas 0, 1, 2, ... Two passes — sizes,
 * then one buffer — since up-conversion (old producers) builds every record of a batch here.
 */
export function encodeRecords(records: RecordInput[]): Buffer {
  const headerKeys = records.map((rec) => (rec.headers ?? []).map((h) => Buffer.from(h.key, 'utf8')));
  const bodySizes = records.map((rec, i) => {
    const headers = rec.headers ?? [];
    let size = 1 + varlongSize(rec.timestampDelta ?? 0) + varlongSize(i) + bytesFieldSize(rec.key) + bytesFieldSize(rec.value);
    size += varlongSize(headers.length);
    headers.forEach((h, j) => (size += bytesFieldSize(headerKeys[i]![j]) + bytesFieldSize(h.value)));
    return size;
  });
  const out = Buffer.allocUnsafe(bodySizes.reduce((total, size) => total + varlongSize(size) + size, 0));
  let pos = 0;
  records.forEach((rec, i) => {
    const headers = rec.headers ?? [];
    pos = writeVarlong(out, pos, bodySizes[i]!);
    out[pos++] = 0; // record attributes: unused
    pos = writeVarlong(out, pos, rec.timestampDelta ?? 0);
    pos = writeVarlong(out, pos, i);
    pos = writeBytesField(out, pos, rec.key);
    pos = writeBytesField(out, pos, rec.value);
    pos = writeVarlong(out, pos, headers.length);
    headers.forEach((h, j) => {
      pos = writeBytesField(out, pos, headerKeys[i]![j]);
      pos = writeBytesField(out, pos, h.value);
    });
  });
  return out;
}

export interface BatchInput {
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  attributes?: number;
  lastOffsetDelta: number;
  baseTimestamp?: number;
  maxTimestamp?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  recordsCount: number;
  /** The records section as it goes on the wire (compressed when attributes say so). */
  records: Buffer;
}

/** Builds a batch with a correct length and CRC. */
export function encodeBatch(b: BatchInput): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE + b.records.length);
  buf.writeBigInt64BE(b.baseOffset ?? 0n, BASE_OFFSET);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, BATCH_LENGTH);
  buf.writeInt32BE(b.partitionLeaderEpoch ?? -1, PARTITION_LEADER_EPOCH);
  buf.writeInt8(CURRENT_MAGIC, MAGIC);
  buf.writeInt16BE(b.attributes ?? 0, ATTRIBUTES);
  buf.writeInt32BE(b.lastOffsetDelta, LAST_OFFSET_DELTA);
  buf.writeBigInt64BE(BigInt(b.baseTimestamp ?? 0), BASE_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(b.maxTimestamp ?? b.baseTimestamp ?? 0), MAX_TIMESTAMP);
  buf.writeBigInt64BE(b.producerId ?? -1n, PRODUCER_ID);
  buf.writeInt16BE(b.producerEpoch ?? -1, PRODUCER_EPOCH);
  buf.writeInt32BE(b.baseSequence ?? -1, BASE_SEQUENCE);
  buf.writeInt32BE(b.recordsCount, RECORDS_COUNT);
  b.records.copy(buf, RECORDS);
  buf.writeUInt32BE(computeCrc(buf, 0, buf.length), CRC);
  return buf;
}

/** Convenience: an uncompressed batch of the given records, timestamps `baseTimestamp + delta`. */
export function buildBatch(records: RecordInput[], opts: { baseTimestamp?: number; baseOffset?: bigint } = {}): Buffer {
  const base = opts.baseTimestamp ?? 0;
  const maxDelta = Math.max(0, ...records.map((r) => r.timestampDelta ?? 0));
  return encodeBatch({
    baseOffset: opts.baseOffset,
    lastOffsetDelta: records.length - 1,
    recordsCount: records.length,
    baseTimestamp: base,
    maxTimestamp: base + maxDelta,
    records: encodeRecords(records),
  });
}
