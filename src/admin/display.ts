/**
 * What the inspector's pages draw: a tree of named fields, each with its byte range in a hex view
 * and a printable value. The ranges come from the codec: the traced codecs' spans for protocol
 * messages (src/codec/interpret.ts), and record-batch.ts's header offsets and decodeRecords's sizes
 * for record batches. Nothing here parses bytes by hand.
 */
import type { FieldSpan } from '../codec/reader.js';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  BATCH_LENGTH,
  COMPRESSION_NAMES,
  compressionOf,
  CRC,
  decodeRecords,
  HEADER_SIZE,
  LAST_OFFSET_DELTA,
  MAGIC,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  readBatchHeader,
  RECORDS,
  RECORDS_COUNT,
  timestampTypeOf,
  type BatchHeader,
  type DecodedRecord,
} from '../codec/record-batch.js';
import { decompress } from '../codec/compression.js';

/** One field as the pages show it; `start..end` index the bytes the page was given. */
export interface DisplayNode {
  name: string;
  start: number;
  end: number;
  value?: string;
  children?: DisplayNode[];
}

/** Longest text shown for one value; longer strings and byte fields are cut, saying so. */
const PREVIEW = 64;
/** Record batches shown per `records` field, and records per batch: a capture stays small. */
const MAX_BATCHES = 20;
export const CAPTURED_RECORDS = 10;

export function printable(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return bytesPreview(value);
  if (typeof value === 'string') return JSON.stringify(value.length > PREVIEW ? `${value.slice(0, PREVIEW)}…` : value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.length}]`;
  return String(value);
}

/** A byte string as text when it is readable, else as hex; cut at PREVIEW bytes. */
export function bytesPreview(b: Buffer): string {
  const head = b.subarray(0, PREVIEW);
  const text = head.toString('utf8');
  // eslint-disable-next-line no-control-regex -- control characters mean "not text"
  const readable = !/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text);
  const shown = readable ? JSON.stringify(text) : head.toString('hex');
  return `${b.length} bytes: ${shown}${b.length > PREVIEW ? '…' : ''}`;
}

/**
 * A traced span tree as display nodes, shifted by `offset` (the bytes before the message in the
 * page's hex view). Fields of type `records` get their record batches as children.
 */
export function fromSpans(span: FieldSpan, buf: Buffer, offset: number, name = span.name): DisplayNode {
  const node: DisplayNode = { name, start: span.start + offset, end: span.end + offset };
  if (span.children) node.children = span.children.map((c) => fromSpans(c, buf, offset, c.name));
  else if (span.value !== undefined) node.value = printable(span.value);
  if (name === 'records' && Buffer.isBuffer(span.value) && span.value.length > 0) {
    node.value = `${span.value.length} bytes of record batches`;
    node.children = batchesOf(buf, span.end - span.value.length, span.end, CAPTURED_RECORDS, offset);
  }
  return node;
}

/** The record batches in `buf[start..end)`: each batch's header fields, and its first `maxRecords` records when they can be read. */
export function batchesOf(buf: Buffer, start: number, end: number, maxRecords: number, offset = 0): DisplayNode[] {
  const out: DisplayNode[] = [];
  for (let pos = start; pos < end && out.length < MAX_BATCHES;) {
    const h = readBatchHeader(buf.subarray(0, end), pos);
    if (!h || h.size < HEADER_SIZE || pos + h.size > end) {
      out.push({ name: `bytes ${pos - start}..`, start: pos + offset, end: end + offset, value: 'a partial batch (Fetch may cut the last one)' });
      break;
    }
    out.push(batchNode(buf, pos, h, offset, String(out.length), maxRecords));
    pos += h.size;
  }
  return out;
}

/** Kafka's v2 record batch header, field by field, at the offsets record-batch.ts defines. */
const HEADER_FIELDS: readonly [name: keyof BatchHeader, at: number, size: number][] = [
  ['baseOffset', BASE_OFFSET, BATCH_LENGTH - BASE_OFFSET],
  ['batchLength', BATCH_LENGTH, PARTITION_LEADER_EPOCH - BATCH_LENGTH],
  ['partitionLeaderEpoch', PARTITION_LEADER_EPOCH, MAGIC - PARTITION_LEADER_EPOCH],
  ['magic', MAGIC, CRC - MAGIC],
  ['crc', CRC, ATTRIBUTES - CRC],
  ['attributes', ATTRIBUTES, LAST_OFFSET_DELTA - ATTRIBUTES],
  ['lastOffsetDelta', LAST_OFFSET_DELTA, BASE_TIMESTAMP - LAST_OFFSET_DELTA],
  ['baseTimestamp', BASE_TIMESTAMP, MAX_TIMESTAMP - BASE_TIMESTAMP],
  ['maxTimestamp', MAX_TIMESTAMP, PRODUCER_ID - MAX_TIMESTAMP],
  ['producerId', PRODUCER_ID, PRODUCER_EPOCH - PRODUCER_ID],
  ['producerEpoch', PRODUCER_EPOCH, BASE_SEQUENCE - PRODUCER_EPOCH],
  ['baseSequence', BASE_SEQUENCE, RECORDS_COUNT - BASE_SEQUENCE],
  ['recordsCount', RECORDS_COUNT, RECORDS - RECORDS_COUNT],
];

export function attributesText(attributes: number): string {
  const parts = [`compression=${COMPRESSION_NAMES[compressionOf(attributes)] ?? 'unknown'}`, timestampTypeOf(attributes)];
  if (attributes & 0x10) parts.push('transactional');
  if (attributes & 0x20) parts.push('control');
  return `${attributes} (${parts.join(', ')})`;
}

function batchNode(buf: Buffer, pos: number, h: BatchHeader, offset: number, name: string, maxRecords: number): DisplayNode {
  const children: DisplayNode[] = HEADER_FIELDS.map(([field, at, size]) => ({
    name: field,
    start: pos + at + offset,
    end: pos + at + size + offset,
    value: field === 'attributes' ? attributesText(h.attributes) : String(h[field]),
  }));
  const records = recordsOf(buf.subarray(pos, pos + h.size), h);
  const recordsNode: DisplayNode = { name: 'records', start: pos + RECORDS + offset, end: pos + h.size + offset };
  if (records.error) recordsNode.value = records.error;
  else if (records.compressed) recordsNode.value = `${h.recordsCount} records, compressed (${COMPRESSION_NAMES[compressionOf(h.attributes)]})`;
  if (records.list) {
    let at = pos + RECORDS + offset;
    recordsNode.children = records.list.slice(0, maxRecords).map((r, i) => {
      const node = recordNode(h, r, i, records.compressed ? recordsNode.start : at, records.compressed ? recordsNode.end : at + r.sizeInBytes);
      at += r.sizeInBytes;
      return node;
    });
    const more = records.list.length - maxRecords;
    if (more > 0) recordsNode.children.push({ name: `… ${more} more records`, start: records.compressed ? recordsNode.start : at, end: recordsNode.end });
  }
  children.push(recordsNode);
  return { name: `batch ${name}: offsets ${h.baseOffset}..${h.baseOffset + BigInt(h.lastOffsetDelta)}`, start: pos + offset, end: pos + h.size + offset, children };
}

function recordNode(h: BatchHeader, r: DecodedRecord, i: number, start: number, end: number): DisplayNode {
  const timestamp = timestampTypeOf(h.attributes) === 'LogAppendTime' ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta;
  const value = (b: Buffer | null) => (b === null ? 'null' : bytesPreview(b));
  const children: DisplayNode[] = [
    { name: 'offset', start, end, value: `${h.baseOffset + BigInt(r.offsetDelta)} (base + ${r.offsetDelta})` },
    { name: 'timestamp', start, end, value: `${timestamp} (${new Date(timestamp).toISOString()})` },
    { name: 'key', start, end, value: value(r.key) },
    { name: 'value', start, end, value: value(r.value) },
  ];
  for (const hd of r.headers) children.push({ name: `header ${JSON.stringify(hd.key)}`, start, end, value: value(hd.value) });
  return { name: `record ${i}`, start, end, children };
}

/** A batch's records, decompressed when needed; an error text when they cannot be read. */
export function recordsOf(batch: Buffer, h: BatchHeader): { list?: DecodedRecord[]; compressed: boolean; error?: string } {
  const compressed = compressionOf(h.attributes) !== 0;
  try {
    const section = decompress(compressionOf(h.attributes), batch.subarray(RECORDS));
    return { list: decodeRecords(section, h.recordsCount), compressed };
  } catch (err) {
    return { compressed, error: `records cannot be decoded: ${(err as Error).message}` };
  }
}
