/**
 * The aborted-transaction index of one segment, Kafka's `.txnindex` file (TransactionIndex and
 * AbortedTxn): one entry per transaction whose ABORT marker lies in the segment. A read_committed
 * fetch asks it which aborted transactions overlap the bytes it returns, and sends that list with
 * them, so the consumer can drop those records without the broker decoding anything.
 *
 * Each entry is 34 bytes, big-endian:
 *
 *   version            int16   0
 *   producer_id        int64
 *   first_offset       int64   the transaction's first offset in this partition
 *   last_offset        int64   the offset of its ABORT marker
 *   last_stable_offset int64   the partition's LSO once this transaction was complete
 *
 * Entries are in marker order. `last_stable_offset` lets a search stop early: once an entry's LSO
 * is at or beyond the end of the fetched range, no later entry can start inside it. Sans-io: the
 * segment owns the file and writes `bytes(from)` to it.
 */

export const TXN_INDEX_SUFFIX = '.txnindex';
export const ABORTED_TXN_SIZE = 34;
const VERSION = 0;

export interface AbortedTxn {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly lastStableOffset: bigint;
}

/** The index entry of a completed transaction (drops the fields the file does not hold). */
export function abortedTxnOf(t: AbortedTxn): AbortedTxn {
  return { producerId: t.producerId, firstOffset: t.firstOffset, lastOffset: t.lastOffset, lastStableOffset: t.lastStableOffset };
}

export function encodeAbortedTxns(entries: readonly AbortedTxn[]): Buffer {
  const buf = Buffer.alloc(entries.length * ABORTED_TXN_SIZE);
  entries.forEach((e, i) => {
    const pos = i * ABORTED_TXN_SIZE;
    buf.writeInt16BE(VERSION, pos);
    buf.writeBigInt64BE(e.producerId, pos + 2);
    buf.writeBigInt64BE(e.firstOffset, pos + 10);
    buf.writeBigInt64BE(e.lastOffset, pos + 18);
    buf.writeBigInt64BE(e.lastStableOffset, pos + 26);
  });
  return buf;
}

/** Decodes a `.txnindex` file; a torn last entry (a crash mid-write) is ignored, an unknown version throws. */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let pos = 0; pos + ABORTED_TXN_SIZE <= buf.length; pos += ABORTED_TXN_SIZE) {
    const version = buf.readInt16BE(pos);
    if (version !== VERSION) throw new Error(`unknown aborted-transaction entry version ${version} at byte ${pos}`);
    out.push({
      producerId: buf.readBigInt64BE(pos + 2),
      firstOffset: buf.readBigInt64BE(pos + 10),
      lastOffset: buf.readBigInt64BE(pos + 18),
      lastStableOffset: buf.readBigInt64BE(pos + 26),
    });
  }
  return out;
}

export class TxnIndex {
  private list: AbortedTxn[];
  /** Entries already in the file. */
  persisted: number;

  constructor(entries: AbortedTxn[] = []) {
    this.list = entries;
    this.persisted = entries.length;
  }

  get entries(): readonly AbortedTxn[] {
    return this.list;
  }

  append(entry: AbortedTxn): void {
    this.list.push(entry);
  }

  /** The file bytes of the entries not yet persisted. */
  unpersisted(): Buffer {
    return encodeAbortedTxns(this.list.slice(this.persisted));
  }

  /**
   * Kafka's collectAbortedTxns: the entries overlapping [fetchOffset, upperBoundOffset), and whether
   * the search is complete (an entry's LSO reached the upper bound, so later segments cannot add any).
   */
  collect(fetchOffset: bigint, upperBoundOffset: bigint): { found: AbortedTxn[]; complete: boolean } {
    const found: AbortedTxn[] = [];
    for (const e of this.list) {
      if (e.lastOffset >= fetchOffset && e.firstOffset < upperBoundOffset) found.push(e);
      if (e.lastStableOffset >= upperBoundOffset) return { found, complete: true };
    }
    return { found, complete: false };
  }
}
