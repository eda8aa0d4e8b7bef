/**
 * Records as a client sees them: building a batch to produce (compressed when asked), and reading
 * the batches of a Fetch response back into records.
 */
import * as zlib from 'node:zlib';
import {
  batchSizeAt,
  Compression,
  compressionOf,
  CONTROL_BIT,
  decodeRecords,
  encodeBatch,
  encodeRecords,
  HEADER_SIZE,
  readBatchHeader,
  RECORDS,
  type RecordHeader,
} from '../codec/record-batch.js';
import { compress as compressSection, decompress } from '../codec/compression.js';
import { ClientError } from './errors.js';

export type CompressionName = keyof typeof Compression;

export interface ProducerRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** CreateTime, ms since the epoch. */
  timestamp: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  leaderEpoch: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** zstd compression came to node:zlib in Node 22.15; Node 20 only has the pure-JS decoder. */
type ZstdZlib = { zstdCompressSync?: (data: Buffer) => Buffer };

/** The codecs the broker's conversions write, plus zstd where this Node has it. */
function compress(codec: CompressionName, data: Buffer): Buffer {
  if (codec !== 'zstd') return compressSection(Compression[codec], data, 2);
  const zstd = (zlib as ZstdZlib).zstdCompressSync;
  if (!zstd) throw new ClientError(`zstd compression needs Node 22.15 or later (this is ${process.version}); gzip, snappy and lz4 work here`);
  return zstd(data);
}

/** One record batch (magic 2) holding `records`, with offsets and timestamps relative to the first. */
export function produceBatch(records: ProducerRecord[], codec: CompressionName): Buffer {
  const base = records[0]?.timestamp ?? 0;
  const maxTimestamp = Math.max(base, ...records.map((r) => r.timestamp));
  const section = encodeRecords(records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestampDelta: r.timestamp - base })));
  return encodeBatch({
    attributes: Compression[codec],
    lastOffsetDelta: records.length - 1,
    recordsCount: records.length,
    baseTimestamp: base,
    maxTimestamp,
    records: compress(codec, section),
  });
}

/**
 * The records of a Fetch response's `records` bytes at or after `fromOffset`. A fetch may start
 * inside a batch (the broker sends whole batches) and may end with a partial batch (cut by
 * max_bytes); records before `fromOffset` and the partial tail are dropped. Control batches
 * (transaction markers) carry no user records.
 */
export function recordsOf(topic: string, partition: number, bytes: Buffer | null, fromOffset: bigint): { records: ConsumedRecord[]; nextOffset: bigint } {
  const out: ConsumedRecord[] = [];
  let next = fromOffset;
  if (!bytes) return { records: out, nextOffset: next };
  for (let pos = 0; pos + HEADER_SIZE <= bytes.length;) {
    const size = batchSizeAt(bytes, pos);
    if (pos + size > bytes.length) break;
    const h = readBatchHeader(bytes, pos)!;
    const last = h.baseOffset + BigInt(h.lastOffsetDelta);
    if (last >= next && (h.attributes & CONTROL_BIT) === 0) {
      const section = bytes.subarray(pos + RECORDS, pos + size);
      const logAppendTime = (h.attributes & 0x08) !== 0;
      for (const r of decodeRecords(decompress(compressionOf(h.attributes), section), h.recordsCount)) {
        const offset = h.baseOffset + BigInt(r.offsetDelta);
        if (offset < next) continue;
        out.push({
          topic,
          partition,
          offset,
          timestamp: logAppendTime ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta,
          timestampType: logAppendTime ? 'LogAppendTime' : 'CreateTime',
          leaderEpoch: h.partitionLeaderEpoch,
          key: r.key,
          value: r.value,
          headers: r.headers,
        });
      }
    }
    if (last + 1n > next) next = last + 1n;
    pos += size;
  }
  return { records: out, nextOffset: next };
}

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), for keyed partitioning. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ data.length) | 0;
  const len4 = data.length & ~3;
  for (let i = 0; i < len4; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const left = data.length & 3;
  if (left >= 3) h ^= data[len4 + 2]! << 16;
  if (left >= 2) h ^= data[len4 + 1]! << 8;
  if (left >= 1) {
    h ^= data[len4]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

/** The partition the Java producer's default partitioner picks for a key. */
export function partitionForKey(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
