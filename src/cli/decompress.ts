/** Decompression for the dump-log tool: Kafka's codecs live in src/codec/compression.ts. */
export { decompress as decompressRecords } from '../codec/compression.js';
