import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compress, decompress } from '../../src/codec/compression.js';
import { Compression } from '../../src/codec/record-batch.js';

const text = Buffer.from('a message set compresses well when it repeats itself; '.repeat(3000)); // > 64 KiB
/** Incompressible bytes, the same every run (xorshift32). */
function noiseOf(length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = 2463534242;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
const noise = noiseOf(100_000);
/** Buffer equality without vitest's element-by-element diff, which is slow on large buffers. */
const same = (a: Buffer, b: Buffer) => expect(a.equals(b)).toBe(true);

describe('compression', () => {
  it.each([
    ['gzip', Compression.gzip],
    ['snappy', Compression.snappy],
    ['lz4', Compression.lz4],
  ])('%s: what it writes reads back, compressible or not, for every magic', (_, codec) => {
    for (const data of [text, noise, Buffer.alloc(0), Buffer.from('x')]) {
      for (const magic of [0, 1, 2]) same(decompress(codec, compress(codec, data, magic)), data);
    }
  });

  it('gzip is a plain gzip member', () => {
    same(gunzipSync(compress(Compression.gzip, text, 2)), text);
  });

  it('snappy uses snappy-java\'s xerial framing: header, then length-prefixed blocks of at most 32 KiB input', () => {
    const z = compress(Compression.snappy, text, 1);
    expect(z.subarray(0, 16)).toEqual(Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]));
    let blocks = 0;
    for (let pos = 16; pos < z.length; pos += 4 + z.readInt32BE(pos)) blocks++;
    expect(blocks).toBe(Math.ceil(text.length / 32768));
  });

  it('lz4 writes Kafka\'s frame: independent 64 KiB blocks, the header checksum right (magic 1-2) or Kafka 0.8\'s way (magic 0)', () => {
    // Every Kafka 0.10+ lz4 frame starts 04 22 4d 18 60 40 82: magic, FLG, BD, and xxh32(FLG BD) >> 8.
    expect(compress(Compression.lz4, text, 2).subarray(0, 7)).toEqual(Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]));
    expect(compress(Compression.lz4, text, 1)[6]).toBe(0x82);
    // KAFKA-3160: the magic 0 writer hashed the frame magic too.
    expect(compress(Compression.lz4, text, 0)[6]).not.toBe(0x82);
    const z = compress(Compression.lz4, noise, 2);
    // Incompressible input is stored: a length with the high bit set, then the bytes themselves.
    expect(z.readUInt32LE(7)).toBe((0x8000_0000 | 65536) >>> 0);
    same(z.subarray(11, 11 + 65536), noise.subarray(0, 65536));
    expect(z.readUInt32LE(z.length - 4)).toBe(0); // end mark
  });

  it('reads a raw (librdkafka) snappy block too', () => {
    const xerial = compress(Compression.snappy, Buffer.from('raw'), 2);
    const raw = xerial.subarray(20); // the one block's raw snappy bytes
    expect(decompress(Compression.snappy, raw)).toEqual(Buffer.from('raw'));
  });

  it('refuses to write zstd or an unknown codec, and to read an unknown codec', () => {
    expect(() => compress(Compression.zstd, text, 2)).toThrow(RangeError);
    expect(() => decompress(7, text)).toThrow(RangeError);
  });
});
