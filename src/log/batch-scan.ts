/**
 * Walking the record batches of a file from their headers alone: every pass over a `.log` that must
 * visit each batch goes through here (recovery's CRC check, rebuilding indexes, finding the log end
 * offset, replaying producer state, `tafka dump-log`). It reads large chunks and visits the batches
 * inside them, so a 1 GB segment costs a few hundred reads rather than millions, and never decodes
 * records.
 */
import { batchSizeAt, HEADER_SIZE } from '../codec/record-batch.js';
import type { StoredFile } from './storage.js';

/**
 * Calls `visit(buf, at, position, size)` for each batch of a file in [start, end): `buf[at]` is the
 * batch's first byte and `position` its place in the file. With `wholeBatches`, `buf` holds the whole
 * batch (for CRC checks); otherwise only its 61-byte header is guaranteed. Return false to stop.
 */
export type BatchVisitor = (buf: Buffer, at: number, position: number, size: number) => boolean;

export interface ScanResult {
  /** Position after the last batch visited and accepted. */
  position: number;
  /** Why the scan ended: reached `end`, stopped by the visitor, or hit bytes that are not a whole batch. */
  reason: 'end' | 'stopped' | 'torn';
}

/**
 * Walks batch headers through a file with a few large reads rather than one read per batch. Never
 * decodes records. A batch that claims to run past `end`, or is shorter than a header, ends the
 * scan as 'torn'.
 */
export async function scanBatches(
  file: StoredFile,
  start: number,
  end: number,
  opts: { chunkSize: number; wholeBatches: boolean; alloc?: (size: number) => Buffer },
  visit: BatchVisitor,
): Promise<ScanResult> {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkPos = start;
  let pos = start;
  while (pos < end) {
    if (end - pos < HEADER_SIZE) return { position: pos, reason: 'torn' };
    let at = pos - chunkPos;
    if (at + HEADER_SIZE > chunk.length) {
      chunk = await file.read(pos, Math.min(opts.chunkSize, end - pos), opts.alloc);
      chunkPos = pos;
      at = 0;
      if (chunk.length < HEADER_SIZE) return { position: pos, reason: 'torn' };
    }
    const size = batchSizeAt(chunk, at);
    if (size < HEADER_SIZE || pos + size > end) return { position: pos, reason: 'torn' };
    if (opts.wholeBatches && at + size > chunk.length) {
      chunk = await file.read(pos, Math.min(Math.max(opts.chunkSize, size), end - pos), opts.alloc);
      chunkPos = pos;
      at = 0;
      if (chunk.length < size) return { position: pos, reason: 'torn' };
    }
    if (!visit(chunk, at, pos, size)) return { position: pos, reason: 'stopped' };
    pos += size;
  }
  return { position: pos, reason: 'end' };
}
