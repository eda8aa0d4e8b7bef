/**
 * Decompression of a batch's records section. The broker stores and serves batches compressed as
 * the producer sent them; it decompresses one only where Kafka's semantics make it read records
 * (a timestamp lookup, a batch whose header timestamps cannot be trusted — see
 * src/codec/record-timestamps.ts) and in `tafka dump-log`. Pure-JS decoders, so Kafka's four codecs
 * work without native modules.
 */
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { decompress as lz4Decompress } from 'lz4js';
import { uncompress as snappyUncompress } from 'snappyjs';
import { Compression } from './record-batch.js';

/** The Java client's snappy-java writes xerial framing; librdkafka writes raw snappy. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** magic (8) + version (4) + compatible version (4). */
const XERIAL_HEADER_SIZE = 16;

function snappy(data: Buffer): Buffer {
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

export function decompressRecords(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.none:
      return data;
    case Compression.gzip:
      return gunzipSync(data);
    case Compression.snappy:
      return snappy(data);
    case Compression.lz4:
      return Buffer.from(lz4Decompress(data));
    case Compression.zstd:
      return Buffer.from(zstdDecompress(data));
    default:
      throw new RangeError(`unknown compression codec ${codec}`);
  }
}
