/**
 * Kafka's compression codecs, as bytes in and bytes out. Pure-JS codecs, so Kafka's four work
 * without native modules.
 *
 * The broker stores batches as producers compressed them and never decompresses them on the
 * produce or fetch path in the common case. What does: the dump-log tool; a timestamp lookup, or a
 * batch whose header timestamps cannot be trusted (src/codec/record-timestamps.ts); and the
 * conversions between the record batch (magic 2) and the old message formats (magic 0/1) that only
 * clients older than Kafka 0.11 need (src/codec/up-convert.ts, src/codec/down-convert.ts). Those
 * conversions also compress again, with the framing Kafka's Java code writes:
 * - gzip: a plain gzip member.
 * - snappy: snappy-java's "xerial" framing (a 16-byte header, then length-prefixed raw snappy blocks
 *   of at most 32 KiB input), which every Kafka client reads. librdkafka writes raw snappy; both are read.
 * - lz4: Kafka's LZ4 frame: independent 64 KiB blocks, no checksums. Magic 0 messages carry the header
 *   checksum Kafka 0.8-0.9 computed wrongly, over the frame magic too (KAFKA-3160): old clients
 *   check it that way, and Kafka still writes it that way for them.
 * - zstd: read only. Kafka refuses zstd below magic 2, so nothing here ever writes it.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { compressBlock, compressBound, decompress as lz4Decompress } from 'lz4js';
import { hash as xxh32 } from 'lz4js/xxh32.js';
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappyjs';
import { Compression } from './record-batch.js';

/** snappy-java's stream header: magic, version 1, compatible version 1. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
/** magic (8) + version (4) + compatible version (4). */
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function snappyDecompress(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER_SIZE || !data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    return Buffer.from(snappyUncompress(data));
  }
  // Xerial: after the header, blocks of [int32 compressed length][raw snappy block].
  const blocks: Buffer[] = [];
  for (let pos = XERIAL_HEADER_SIZE; pos < data.length;) {
    if (pos + 4 > data.length) throw new RangeError('truncated xerial snappy block header');
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) throw new RangeError('truncated xerial snappy block');
    blocks.push(Buffer.from(snappyUncompress(data.subarray(pos, pos + len))));
    pos += len;
  }
  return Buffer.concat(blocks);
}

function snappyXerial(data: Buffer): Buffer {
  const parts = [XERIAL_HEADER];
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_SIZE) {
    const block = Buffer.from(snappyCompress(data.subarray(pos, pos + XERIAL_BLOCK_SIZE)));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

const LZ4_MAGIC = 0x184d2204;
/** FLG: version 01, independent blocks, no block or content checksum, no content size. */
const LZ4_FLG = 0x60;
/** BD: 64 KiB maximum block size (Kafka's Lz4BlockOutputStream default). */
const LZ4_BD = 0x40;
const LZ4_BLOCK_SIZE = 64 * 1024;
const LZ4_UNCOMPRESSED_BIT = 0x8000_0000;

function lz4Frame(data: Buffer, brokenHeaderChecksum: boolean): Buffer {
  const header = Buffer.alloc(7);
  header.writeUInt32LE(LZ4_MAGIC, 0);
  header[4] = LZ4_FLG;
  header[5] = LZ4_BD;
  // The header checksum covers FLG and BD; Kafka's magic 0 writer also hashed the 4 magic bytes.
  header[6] = (brokenHeaderChecksum ? xxh32(0, header, 0, 6) : xxh32(0, header, 4, 2)) >>> 8;
  const parts: Buffer[] = [header];
  const scratch = new Uint8Array(compressBound(LZ4_BLOCK_SIZE));
  for (let pos = 0; pos < data.length; pos += LZ4_BLOCK_SIZE) {
    const block = data.subarray(pos, pos + LZ4_BLOCK_SIZE);
    // A fresh hash table per block keeps blocks independent, as FLG promises.
    const size = compressBlock(block, scratch, 0, block.length, new Uint32Array(1 << 16));
    const compressed = size > 0 && size < block.length;
    const len = Buffer.alloc(4);
    len.writeUInt32LE(compressed ? size : (block.length | LZ4_UNCOMPRESSED_BIT) >>> 0);
    parts.push(len, compressed ? Buffer.from(scratch.subarray(0, size)) : block);
  }
  parts.push(Buffer.alloc(4)); // end mark
  return Buffer.concat(parts);
}

/** The bytes inside a compressed records section or wrapper message. Throws RangeError on bad input. */
export function decompress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.none:
      return data;
    case Compression.gzip:
      return gunzipSync(data);
    case Compression.snappy:
      return snappyDecompress(data);
    case Compression.lz4:
      // lz4js ignores the header checksum, so Kafka's old magic 0 frames read as well.
      return Buffer.from(lz4Decompress(data));
    case Compression.zstd:
      return Buffer.from(zstdDecompress(data));
    default:
      throw new RangeError(`unknown compression codec ${codec}`);
  }
}

/** `data` compressed as Kafka's Java code compresses it for a message or batch of this magic. */
export function compress(codec: number, data: Buffer, magic: number): Buffer {
  switch (codec) {
    case Compression.none:
      return data;
    case Compression.gzip:
      return gzipSync(data);
    case Compression.snappy:
      return snappyXerial(data);
    case Compression.lz4:
      return lz4Frame(data, magic === 0);
    default:
      throw new RangeError(`Tafka does not write compression codec ${codec}`);
  }
}
