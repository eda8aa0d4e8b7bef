/**
 * Producer-state snapshot files, in Kafka's format so Kafka's tools read Tafka's directories and
 * the other way round. `<20-digit offset>.snapshot` holds the state of every producer after all
 * batches below that offset:
 *
 *   version   int16   1
 *   crc       uint32  CRC-32C of everything after this field
 *   entries   int32 count, then per producer (46 bytes):
 *     producer_id int64, epoch int16, last_sequence int32, last_offset int64,
 *     offset_delta int32 (last - first sequence of the last batch), timestamp int64,
 *     coordinator_epoch int32 (of the last marker, -1 before any),
 *     current_txn_first_offset int64 (first offset of the open transaction, -1 when none)
 *
 * Only the last batch of each producer is kept, as in Kafka: after a restart a retry of that batch
 * is still recognised, and older retries are recognised again only if the log tail replayed after
 * the snapshot holds them. A producer known only by a marker (a fenced epoch, no batch of it here)
 * is written with last_sequence and last_offset -1, so its epoch survives the restart.
 *
 * The open transaction's first offset is what lets a restart rebuild the LSO and the aborted
 * transaction index without reading the log from its start.
 */
import { crc32c } from '@node-rs/crc32';
import { firstSequence, type ProducerStateEntry } from './producer-state.js';

export const SNAPSHOT_SUFFIX = '.snapshot';
const VERSION = 1;
const HEADER = 2 + 4 + 4;
const ENTRY = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

export function snapshotFileName(offset: bigint): string {
  return offset.toString().padStart(20, '0') + SNAPSHOT_SUFFIX;
}

export function parseSnapshotOffset(fileName: string): bigint | undefined {
  const m = /^(\d{20})\.snapshot$/.exec(fileName);
  return m ? BigInt(m[1]!) : undefined;
}

export function encodeSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries].filter((e) => e.batches.length > 0 || e.currentTxnFirstOffset >= 0n || e.coordinatorEpoch >= 0);
  const buf = Buffer.alloc(HEADER + list.length * ENTRY);
  buf.writeInt16BE(VERSION, 0);
  buf.writeInt32BE(list.length, 6);
  let pos = HEADER;
  for (const e of list) {
    const last = e.batches[e.batches.length - 1];
    buf.writeBigInt64BE(e.producerId, pos);
    buf.writeInt16BE(e.epoch, pos + 8);
    buf.writeInt32BE(last ? last.lastSeq : -1, pos + 10);
    buf.writeBigInt64BE(last ? last.lastOffset : -1n, pos + 14);
    buf.writeInt32BE(last ? Number(last.lastOffset - last.firstOffset) : 0, pos + 22);
    buf.writeBigInt64BE(BigInt(last ? last.timestamp : e.lastTimestamp), pos + 26);
    buf.writeInt32BE(e.coordinatorEpoch, pos + 34);
    buf.writeBigInt64BE(e.currentTxnFirstOffset, pos + 38);
    pos += ENTRY;
  }
  buf.writeUInt32BE(crc32c(buf.subarray(6)) >>> 0, 2);
  return buf;
}

/** Decodes a snapshot; throws on an unknown version, a bad CRC or a truncated file. */
export function decodeSnapshot(buf: Buffer): ProducerStateEntry[] {
  if (buf.length < HEADER) throw new Error(`snapshot too short: ${buf.length} bytes`);
  const version = buf.readInt16BE(0);
  if (version !== VERSION) throw new Error(`unknown snapshot version ${version}`);
  const crc = crc32c(buf.subarray(6)) >>> 0;
  if (crc !== buf.readUInt32BE(2)) throw new Error(`snapshot CRC mismatch: ${crc} != ${buf.readUInt32BE(2)}`);
  const count = buf.readInt32BE(6);
  if (count < 0 || buf.length !== HEADER + count * ENTRY) throw new Error(`snapshot of ${buf.length} bytes cannot hold ${count} entries`);
  const entries: ProducerStateEntry[] = [];
  for (let i = 0, pos = HEADER; i < count; i++, pos += ENTRY) {
    const lastSeq = buf.readInt32BE(pos + 10);
    const lastOffset = buf.readBigInt64BE(pos + 14);
    const delta = buf.readInt32BE(pos + 22);
    const timestamp = Number(buf.readBigInt64BE(pos + 26));
    entries.push({
      producerId: buf.readBigInt64BE(pos),
      epoch: buf.readInt16BE(pos + 8),
      batches: lastOffset >= 0n ? [{ firstSeq: firstSequence(lastSeq, delta), lastSeq, firstOffset: lastOffset - BigInt(delta), lastOffset, timestamp }] : [],
      lastTimestamp: timestamp,
      coordinatorEpoch: buf.readInt32BE(pos + 34),
      currentTxnFirstOffset: buf.readBigInt64BE(pos + 38),
    });
  }
  return entries;
}
