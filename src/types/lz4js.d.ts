declare module 'lz4js' {
  /** LZ4 frame format. */
  export function compress(input: Uint8Array, maxSize?: number): Uint8Array;
  export function decompress(input: Uint8Array, maxSize?: number): Uint8Array;
  /** Worst-case compressed size of `n` bytes. */
  export function compressBound(n: number): number;
  /**
   * One raw LZ4 block: compresses src[sIndex, sIndex + sLength) into dst from 0, returning its size
   * (0 when nothing could be encoded). `hashTable` is 65536 entries, zeroed for an independent block.
   */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
}

declare module 'lz4js/xxh32.js' {
  /** XXH32 of src[index, index + len). */
  export function hash(seed: number, src: Uint8Array, index: number, len: number): number;
}
