/**
 * What the cleaner reads from a stored batch: its header fields, and each record's offset delta,
 * timestamp delta, key bytes, whether it has a value, and where its bytes are, so a kept record is
 * copied whole rather than re-encoded. Sans-io, and allocation-free per record (one reused view).
 *
 * A record: length varint, attributes int8, timestampDelta varlong, offsetDelta varint, keyLength
 * varint, key, valueLength varint, value, headers (skipped: the length prefix says where the next
 * record starts).
 */
import {
  ATTRIBUTES,
  baseTimestampAt,
  CONTROL_BIT,
  lastOffsetDeltaAt,
  maxTimestampAt,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORDS,
  recordsCountAt,
  TRANSACTIONAL_BIT,
  VarintReader,
  batchSizeAt,
} from '../../codec/record-batch.js';

/** Kafka's DELETE_HORIZON_FLAG_MASK: baseTimestamp holds the time after which tombstones and markers may go. */
export const DELETE_HORIZON_BIT = 0x40;

/** The header fields cleaning decides on, read once per batch. Offsets as numbers (exact below 2^53). */
export interface BatchView {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  attributes: number;
  producerId: bigint;
  producerEpoch: number;
  isControl: boolean;
  isTransactional: boolean;
  /** The delete horizon, when the batch carries one (DELETE_HORIZON_BIT), else undefined. */
  deleteHorizonMs: number | undefined;
  baseTimestamp: number;
  maxTimestamp: number;
  recordsCount: number;
}

export function readBatchView(buf: Buffer, pos: number): BatchView {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  const baseOffset = Number(buf.readBigInt64BE(pos));
  const baseTimestamp = baseTimestampAt(buf, pos);
  return {
    position: pos,
    size: batchSizeAt(buf, pos),
    baseOffset,
    lastOffset: baseOffset + lastOffsetDeltaAt(buf, pos),
    attributes,
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    isControl: (attributes & CONTROL_BIT) !== 0,
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    deleteHorizonMs: attributes & DELETE_HORIZON_BIT ? baseTimestamp : undefined,
    baseTimestamp,
    maxTimestamp: maxTimestampAt(buf, pos),
    recordsCount: recordsCountAt(buf, pos),
  };
}

/** One record of a records section; the same object is reused for every record of a walk. */
export interface RecordView {
  /** The record's bytes (length prefix included) are section[start, end). */
  start: number;
  end: number;
  /** Where the record's attributes byte is (right after the length prefix). */
  attributesPos: number;
  timestampDelta: number;
  /** Where the offset delta starts: everything from here to `end` is kept as is when only the timestamp delta changes. */
  restStart: number;
  offsetDelta: number;
  /** The key is section[keyStart, keyEnd); keyStart is -1 for a null key. */
  keyStart: number;
  keyEnd: number;
  hasValue: boolean;
}

/**
 * Visits `count` records of an (uncompressed) records section. Throws RangeError when they do not
 * parse or do not fill the section exactly.
 */
export function forEachRecord(section: Buffer, count: number, visit: (r: RecordView) => void): void {
  const r = new VarintReader(section, 0);
  const view: RecordView = { start: 0, end: 0, attributesPos: 0, timestampDelta: 0, restStart: 0, offsetDelta: 0, keyStart: -1, keyEnd: -1, hasValue: false };
  for (let i = 0; i < count; i++) {
    view.start = r.pos;
    const length = r.varlong();
    const end = r.pos + length;
    if (length < 0 || end > section.length) throw new RangeError(`record ${i} has an impossible length ${length}`);
    view.attributesPos = r.pos;
    r.int8(); // record attributes: unused
    view.timestampDelta = r.varlong();
    view.restStart = r.pos;
    view.offsetDelta = r.varlong();
    const keyLength = r.varlong();
    view.keyStart = keyLength < 0 ? -1 : r.pos;
    view.keyEnd = keyLength < 0 ? -1 : r.pos + keyLength;
    if (keyLength > 0) r.pos += keyLength;
    view.hasValue = r.varlong() >= 0;
    if (r.pos > end) throw new RangeError(`record ${i} overruns its length ${length}`);
    view.end = end;
    visit(view);
    r.pos = end;
  }
  if (r.pos !== section.length) throw new RangeError(`bytes remain after the ${count} records the header declares`);
}

/** The records section of the batch at `pos` (still compressed when the batch is). */
export const recordsSectionOf = (buf: Buffer, batch: BatchView): Buffer => buf.subarray(batch.position + RECORDS, batch.position + batch.size);

/** Kafka's control record key: version int16, type int16 (0 ABORT, 1 COMMIT). */
export const ControlType = { ABORT: 0, COMMIT: 1 } as const;

/** The control type of a control batch's (first) record, or undefined for an empty control batch. */
export function controlTypeOf(section: Buffer, count: number): number | undefined {
  if (count === 0) return undefined;
  const r = new VarintReader(section, 0);
  r.varlong(); // length
  r.int8(); // attributes
  r.varlong(); // timestampDelta
  r.varlong(); // offsetDelta
  const keyLength = r.varlong();
  if (keyLength < 4 || r.pos + keyLength > section.length) throw new RangeError('control record without a valid key');
  return section.readInt16BE(r.pos + 2);
}
