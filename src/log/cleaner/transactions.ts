/**
 * What the cleaner tracks about transactions while it walks a log, after Kafka's
 * CleanedTransactionMetadata: which batches belong to aborted transactions (their records go), and
 * when a transaction marker may go. The aborted transactions come from the log's aborted-transaction
 * index (`.txnindex`, `AbortedTxn` entries); the walk meets batches in offset order.
 *
 * - A data batch of a producer whose aborted transaction has started (its first offset reached, its
 *   ABORT marker not yet met) is aborted: the cleaner may drop its records.
 * - An ABORT marker is kept — and its transaction stays in the cleaned segment's `.txnindex` — until
 *   every batch of the transaction has been removed (a walk that met none of them may drop it).
 * - A COMMIT marker may be dropped once the walk met no batch of its transaction (they were all
 *   compacted away earlier).
 * Markers that may be dropped still wait for delete.retention.ms, like tombstones (batch-filter.ts).
 * Sans-io, and shared by map building and cleaning, each with its own instance.
 */
import { ControlType } from './records.js';

/** One aborted transaction, as the aborted-transaction index records it (Kafka's AbortedTxn). */
export interface AbortedTxn {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly lastStableOffset: bigint;
}

interface Ongoing {
  txn: AbortedTxn;
  /** Whether the walk met a batch of this transaction (so its marker must stay). */
  sawBatch: boolean;
}

export class CleanedTransactionMetadata {
  /** Aborted transactions not yet started, by first offset. */
  private pending: AbortedTxn[] = [];
  private readonly ongoingAborted = new Map<bigint, Ongoing>();
  private readonly ongoingCommitted = new Set<bigint>();
  /** Aborted transactions whose ABORT marker was kept: the cleaned segment's `.txnindex` entries. */
  retainedAborted: AbortedTxn[] = [];

  addAbortedTransactions(txns: readonly AbortedTxn[]): void {
    this.pending.push(...txns);
    this.pending.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  private startUpTo(offset: number): void {
    while (this.pending.length > 0 && Number(this.pending[0]!.firstOffset) <= offset) {
      const txn = this.pending.shift()!;
      if (!this.ongoingAborted.has(txn.producerId)) this.ongoingAborted.set(txn.producerId, { txn, sawBatch: false });
    }
  }

  /**
   * A control batch (its marker's type, or undefined for an empty one already cleaned): returns
   * whether it may be discarded.
   */
  onControlBatch(producerId: bigint, lastOffset: number, type: number | undefined): boolean {
    this.startUpTo(lastOffset);
    if (type === undefined) return true;
    if (type === ControlType.ABORT) {
      const ongoing = this.ongoingAborted.get(producerId);
      this.ongoingAborted.delete(producerId);
      if (ongoing?.sawBatch) {
        this.retainedAborted.push(ongoing.txn);
        return false;
      }
      return true;
    }
    if (type === ControlType.COMMIT) return !this.ongoingCommitted.delete(producerId);
    return false;
  }

  /** A data batch: returns whether it belongs to an aborted transaction (its records may go). */
  onBatch(producerId: bigint, lastOffset: number, isTransactional: boolean): boolean {
    this.startUpTo(lastOffset);
    if (!isTransactional) return false;
    const ongoing = this.ongoingAborted.get(producerId);
    if (ongoing) {
      ongoing.sawBatch = true;
      return true;
    }
    this.ongoingCommitted.add(producerId);
    return false;
  }

  /** Hands over (and forgets) the aborted transactions kept since the last call. */
  takeRetainedAborted(): AbortedTxn[] {
    const out = this.retainedAborted;
    this.retainedAborted = [];
    return out;
  }
}
