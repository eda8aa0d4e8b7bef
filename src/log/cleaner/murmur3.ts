/**
 * MurmurHash3, x86 128-bit variant (Austin Appleby's public-domain algorithm), over a byte range:
 * the key digest of the cleaner's offset map. Kafka's SkimpyOffsetMap keeps an MD5 of each key;
 * any 128-bit digest with good mixing serves, and this one costs about a tenth of Node's MD5 per
 * short key (no native call). Returns h1..h4 in `out`.
 */
const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Mixes one 32-bit lane of a block into its accumulator's input (k * ca, rotate, * cb). */
const mix = (k: number, ca: number, r: number, cb: number): number => Math.imul(rotl(Math.imul(k, ca), r), cb);

export function murmur3x86x128(buf: Buffer, start: number, end: number, out: Uint32Array, seed = 0): void {
  const len = end - start;
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blocksEnd = start + (len & ~15);
  for (let i = start; i < blocksEnd; i += 16) {
    h1 ^= mix(buf.readInt32LE(i), C1, 15, C2);
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    h2 ^= mix(buf.readInt32LE(i + 4), C2, 16, C3);
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    h3 ^= mix(buf.readInt32LE(i + 8), C3, 17, C4);
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    h4 ^= mix(buf.readInt32LE(i + 12), C4, 18, C1);
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  // The tail: up to 15 bytes, little-endian into k1..k4, each lane mixed only if it has bytes.
  const tail = len & 15;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  let k4 = 0;
  for (let j = tail - 1; j >= 0; j--) {
    const b = buf[blocksEnd + j]! << ((j & 3) * 8);
    if (j >= 12) k4 ^= b;
    else if (j >= 8) k3 ^= b;
    else if (j >= 4) k2 ^= b;
    else k1 ^= b;
  }
  if (tail > 12) h4 ^= mix(k4, C4, 18, C1);
  if (tail > 8) h3 ^= mix(k3, C3, 17, C4);
  if (tail > 4) h2 ^= mix(k2, C2, 16, C3);
  if (tail > 0) h1 ^= mix(k1, C1, 15, C2);

  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  out[2] = h3;
  out[3] = h4;
}
