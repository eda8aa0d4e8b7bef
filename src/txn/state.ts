/**
 * One transactional id's state, after Kafka's TransactionMetadata: its producer id and epoch, the
 * partitions of its open transaction, and where it is in the state machine below.
 *
 * Every change is made in two steps, as in Kafka. `prepare*` checks the transition and returns the
 * target (a `TxnTransit`), marking it *pending*; the coordinator writes the target to
 * `__transaction_state`; once written, `completeTransitionTo` makes it the state. A second
 * transition cannot be prepared while one is pending (the coordinator answers 51
 * CONCURRENT_TRANSACTIONS), so the in-memory state is always what a replay of the log gives.
 *
 * The states (docs/08-transactions.md has the diagram):
 *
 * - **Empty**: the id has a producer id and epoch (InitProducerId) and no transaction. On
 *   AddPartitionsToTxn or AddOffsetsToTxn → Ongoing.
 * - **Ongoing**: a transaction is open; its partitions are recorded. More partitions keep it
 *   Ongoing; EndTxn(commit) → PrepareCommit, EndTxn(abort) → PrepareAbort; InitProducerId from a
 *   new instance of the producer, or the transaction timing out → PrepareEpochFence.
 * - **PrepareCommit / PrepareAbort**: the decision is durable (the client has its answer); the
 *   coordinator writes the COMMIT or ABORT marker to every partition of the transaction, then
 *   → CompleteCommit / CompleteAbort. The decision survives a crash: a restarted coordinator
 *   finishes writing the markers.
 * - **CompleteCommit / CompleteAbort**: the markers are written, the partitions cleared. Like
 *   Empty, the next AddPartitionsToTxn opens a new transaction and InitProducerId bumps the epoch.
 * - **PrepareEpochFence**: never written to the log. The epoch is bumped to fence the old producer
 *   and the open transaction is aborted at once with that epoch (→ PrepareAbort): the markers'
 *   higher epoch makes every partition refuse the fenced producer from then on.
 * - **Dead**: transactional.id.expiration.ms passed with no transaction open; a tombstone is
 *   written and the id forgotten.
 *
 * Transaction versions (KIP-890): with version 2 (EndTxn v5+) the epoch is bumped at every
 * commit or abort, and a new producer id is handed out when the epoch is exhausted. Version 0 is
 * the classic protocol every client here uses.
 */
import { ErrorCode } from '../../protocol/errors.js';

export type TransactionState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

/** The ids Kafka stores in TransactionLogValue.TransactionStatus. */
export const STATE_IDS: Readonly<Record<TransactionState, number>> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

export const ALL_STATES = Object.keys(STATE_IDS) as TransactionState[];

export function stateOfId(id: number): TransactionState {
  const state = ALL_STATES.find((s) => STATE_IDS[s] === id);
  if (!state) throw new Error(`unknown transaction state id ${id}`);
  return state;
}

/** Which states each state may be entered from (Kafka's validPreviousStates). */
export const VALID_PREVIOUS: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

/** States in which an idle transactional id may expire. */
export const EXPIRATION_ALLOWED: ReadonlySet<TransactionState> = new Set(['Empty', 'CompleteCommit', 'CompleteAbort']);

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
const SHORT_MAX = 0x7fff;

/** Kafka keeps the last epoch free, so the coordinator can always fence. */
export const isEpochExhausted = (epoch: number): boolean => epoch >= SHORT_MAX - 1;

/** Topic → partitions: the partitions of a transaction. */
export type TxnPartitions = ReadonlyMap<string, ReadonlySet<number>>;

export function partitionCount(p: TxnPartitions): number {
  let n = 0;
  for (const s of p.values()) n += s.size;
  return n;
}

export function hasPartition(p: TxnPartitions, topic: string, partition: number): boolean {
  return p.get(topic)?.has(partition) ?? false;
}

function union(a: TxnPartitions, b: TxnPartitions): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const [t, ps] of a) out.set(t, new Set(ps));
  for (const [t, ps] of b) {
    let set = out.get(t);
    if (!set) out.set(t, (set = new Set()));
    for (const p of ps) set.add(p);
  }
  return out;
}

export function isSubset(a: TxnPartitions, b: TxnPartitions): boolean {
  for (const [t, ps] of a) for (const p of ps) if (!hasPartition(b, t, p)) return false;
  return true;
}

const EMPTY_PARTITIONS: TxnPartitions = new Map();

/** The target of a transition (Kafka's TxnTransitMetadata): what gets written to the log. */
export interface TxnTransit {
  readonly producerId: bigint;
  readonly prevProducerId: bigint;
  readonly nextProducerId: bigint;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly state: TransactionState;
  readonly partitions: TxnPartitions;
  readonly txnStartTimestamp: number;
  readonly txnLastUpdateTimestamp: number;
  /** 0, or 2 when the client bumps the epoch at every transaction (EndTxn v5+). */
  readonly clientTransactionVersion: number;
}

export interface TransactionMetadataInit {
  producerId: bigint;
  prevProducerId?: bigint;
  nextProducerId?: bigint;
  producerEpoch: number;
  lastProducerEpoch?: number;
  txnTimeoutMs: number;
  state: TransactionState;
  partitions?: TxnPartitions;
  txnStartTimestamp?: number;
  txnLastUpdateTimestamp: number;
  clientTransactionVersion?: number;
}

export class TransactionMetadata {
  producerId: bigint;
  /** The producer id of the last committed transaction (transaction version 2 id rotation). */
  prevProducerId: bigint;
  /** The producer id handed out when the epoch was exhausted at the end of a transaction. */
  nextProducerId: bigint;
  producerEpoch: number;
  /** The epoch before the last bump, so a retried InitProducerId can be recognised (KIP-360). */
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  partitions: Map<string, Set<number>>;
  /** When the open transaction began (its first partition), -1 when none. */
  txnStartTimestamp: number;
  /** Last change: expiration counts from it. */
  txnLastUpdateTimestamp: number;
  clientTransactionVersion: number;
  /** The state a prepared transition leads to; set until it is written (or fails). */
  pendingState: TransactionState | undefined;
  /** An epoch fence whose write failed: the next fence must not bump the epoch again. */
  hasFailedEpochFence = false;

  constructor(
    readonly transactionalId: string,
    init: TransactionMetadataInit,
  ) {
    this.producerId = init.producerId;
    this.prevProducerId = init.prevProducerId ?? NO_PRODUCER_ID;
    this.nextProducerId = init.nextProducerId ?? NO_PRODUCER_ID;
    this.producerEpoch = init.producerEpoch;
    this.lastProducerEpoch = init.lastProducerEpoch ?? NO_PRODUCER_EPOCH;
    this.txnTimeoutMs = init.txnTimeoutMs;
    this.state = init.state;
    this.partitions = union(init.partitions ?? EMPTY_PARTITIONS, EMPTY_PARTITIONS);
    this.txnStartTimestamp = init.txnStartTimestamp ?? -1;
    this.txnLastUpdateTimestamp = init.txnLastUpdateTimestamp;
    this.clientTransactionVersion = init.clientTransactionVersion ?? 0;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== undefined;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  get hasPendingTransaction(): boolean {
    return this.state === 'Ongoing' || this.state === 'PrepareAbort' || this.state === 'PrepareCommit';
  }

  /** Removes a partition whose marker is written, or that no longer exists. */
  removePartition(topic: string, partition: number): void {
    const set = this.partitions.get(topic);
    set?.delete(partition);
    if (set?.size === 0) this.partitions.delete(topic);
  }

  // ------------------------------------------------------------------------------------------
  // Preparing transitions

  prepareFenceProducerEpoch(): TxnTransit {
    if (this.producerEpoch === SHORT_MAX) throw new Error(`cannot fence producer ${this.producerId}: its epoch is at the maximum`);
    // A fence whose write failed already bumped the epoch in memory; do not bump it twice.
    const bumped = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo({
      state: 'PrepareEpochFence', producerEpoch: bumped, lastProducerEpoch: NO_PRODUCER_EPOCH,
    });
  }

  /**
   * InitProducerId's epoch bump (KIP-360): with no expected epoch, or the current one, the epoch
   * is bumped; the previous epoch is a retry of a bump that succeeded (answered again, unchanged);
   * anything else is a fenced producer: 90 PRODUCER_FENCED.
   */
  prepareIncrementProducerEpoch(newTxnTimeoutMs: number, expectedEpoch: number | undefined, now: number): TxnTransit | number {
    if (this.isProducerEpochExhausted) throw new Error(`no more epochs for producer ${this.producerId}`);
    const bumped = this.producerEpoch + 1;
    let next: [number, number];
    if (expectedEpoch === undefined) next = [bumped, NO_PRODUCER_EPOCH];
    else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) next = [bumped, this.producerEpoch];
    else if (expectedEpoch === this.lastProducerEpoch) next = [this.producerEpoch, this.lastProducerEpoch];
    else return ErrorCode.PRODUCER_FENCED;
    return this.prepareTransitionTo({
      state: 'Empty', producerEpoch: next[0], lastProducerEpoch: next[1], txnTimeoutMs: newTxnTimeoutMs,
      partitions: EMPTY_PARTITIONS, txnStartTimestamp: -1, txnLastUpdateTimestamp: now,
    });
  }

  /** A new producer id at epoch 0, when the epoch is exhausted. */
  prepareProducerIdRotation(newProducerId: bigint, newTxnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransit {
    if (this.hasPendingTransaction) throw new Error('cannot rotate producer ids while a transaction is pending');
    return this.prepareTransitionTo({
      state: 'Empty', producerId: newProducerId, producerEpoch: 0,
      lastProducerEpoch: recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH, txnTimeoutMs: newTxnTimeoutMs,
      partitions: EMPTY_PARTITIONS, txnStartTimestamp: -1, txnLastUpdateTimestamp: now,
    });
  }

  prepareAddPartitions(added: TxnPartitions, now: number): TxnTransit {
    const starts = this.state === 'Empty' || this.state === 'CompleteAbort' || this.state === 'CompleteCommit';
    return this.prepareTransitionTo({
      state: 'Ongoing', partitions: union(this.partitions, added), txnStartTimestamp: starts ? now : this.txnStartTimestamp,
      txnLastUpdateTimestamp: now,
    });
  }

  prepareAbortOrCommit(state: 'PrepareCommit' | 'PrepareAbort', clientTransactionVersion: number, nextProducerId: bigint, now: number): TxnTransit {
    const bump = clientTransactionVersion >= 2;
    return this.prepareTransitionTo({
      state,
      nextProducerId,
      producerEpoch: bump ? this.producerEpoch + 1 : this.producerEpoch,
      lastProducerEpoch: bump ? this.producerEpoch : this.lastProducerEpoch,
      txnLastUpdateTimestamp: now,
      clientTransactionVersion,
    });
  }

  prepareComplete(now: number): TxnTransit {
    const state = this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    // The decision is in the log: a failed fence no longer matters.
    this.hasFailedEpochFence = false;
    // With version 2 and an exhausted epoch, the new producer id takes over once the markers are written.
    const rotate = this.clientTransactionVersion >= 2 && this.nextProducerId !== NO_PRODUCER_ID;
    return this.prepareTransitionTo({
      state,
      producerId: rotate ? this.nextProducerId : this.producerId,
      nextProducerId: NO_PRODUCER_ID,
      producerEpoch: rotate ? 0 : this.producerEpoch,
      lastProducerEpoch: this.producerEpoch,
      partitions: EMPTY_PARTITIONS,
      txnLastUpdateTimestamp: now,
      clientTransactionVersion: this.clientTransactionVersion,
    });
  }

  prepareDead(): TxnTransit {
    return this.prepareTransitionTo({ state: 'Dead', partitions: EMPTY_PARTITIONS });
  }

  private prepareTransitionTo(t: Partial<TxnTransit> & { state: TransactionState }): TxnTransit {
    if (this.pendingState !== undefined) {
      throw new Error(`preparing transaction state transition to ${t.state} while ${this.pendingState} is pending`);
    }
    if (!VALID_PREVIOUS[t.state].includes(this.state)) {
      throw new Error(`${this.transactionalId}: ${t.state} cannot follow ${this.state}`);
    }
    const transit: TxnTransit = {
      producerId: t.producerId ?? this.producerId,
      prevProducerId: this.producerId,
      nextProducerId: t.nextProducerId ?? NO_PRODUCER_ID,
      producerEpoch: t.producerEpoch ?? this.producerEpoch,
      lastProducerEpoch: t.lastProducerEpoch ?? this.lastProducerEpoch,
      txnTimeoutMs: t.txnTimeoutMs ?? this.txnTimeoutMs,
      state: t.state,
      partitions: t.partitions ?? union(this.partitions, EMPTY_PARTITIONS),
      txnStartTimestamp: t.txnStartTimestamp ?? this.txnStartTimestamp,
      txnLastUpdateTimestamp: t.txnLastUpdateTimestamp ?? this.txnLastUpdateTimestamp,
      // As Kafka: transitions other than the end of a transaction are written as version 0.
      clientTransactionVersion: t.clientTransactionVersion ?? 0,
    };
    if (transit.producerId < 0n) throw new Error(`illegal producer id ${transit.producerId}`);
    if (transit.state !== 'Dead' && transit.producerEpoch < 0) throw new Error(`illegal producer epoch ${transit.producerEpoch}`);
    this.pendingState = t.state;
    return transit;
  }

  // ------------------------------------------------------------------------------------------
  // Completing them

  /**
   * Makes a written transit the state. Kafka's consistency checks (the pending state matches, the
   * epoch moved only as the transition allows, partitions only grew while Ongoing) guard against a
   * coordinator bug corrupting state; a failure throws.
   */
  completeTransitionTo(t: TxnTransit): void {
    const to = this.pendingState;
    if (to === undefined || to !== t.state) throw new Error(`${this.transactionalId}: completing ${t.state} but ${to ?? 'nothing'} is pending`);
    const fail = () => new Error(`${this.transactionalId}: unexpected transition from ${this.state} to ${JSON.stringify(t, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    switch (to) {
      case 'Empty': // InitProducerId
        if ((this.producerEpoch !== t.producerEpoch && !this.validEpochBump(t)) || partitionCount(t.partitions) > 0 || t.txnStartTimestamp !== -1) throw fail();
        this.txnTimeoutMs = t.txnTimeoutMs;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.producerId = t.producerId;
        this.prevProducerId = t.prevProducerId;
        break;
      case 'Ongoing': // AddPartitionsToTxn, AddOffsetsToTxn
        if (!this.validEpoch(t) || !isSubset(this.partitions, t.partitions) || this.txnTimeoutMs !== t.txnTimeoutMs) throw fail();
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.partitions = union(this.partitions, t.partitions);
        break;
      case 'PrepareCommit':
      case 'PrepareAbort': // EndTxn
        if (!this.validEpoch(t) || this.txnTimeoutMs !== t.txnTimeoutMs || this.txnStartTimestamp !== t.txnStartTimestamp) throw fail();
        if (t.clientTransactionVersion >= 2) {
          this.producerEpoch = t.producerEpoch;
          this.lastProducerEpoch = t.lastProducerEpoch;
          this.nextProducerId = t.nextProducerId;
        }
        break;
      case 'CompleteCommit':
      case 'CompleteAbort': // markers written
        if (!this.validEpoch(t) || this.txnTimeoutMs !== t.txnTimeoutMs || t.txnStartTimestamp === -1) throw fail();
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.partitions.clear();
        if (t.clientTransactionVersion >= 2) {
          this.producerEpoch = t.producerEpoch;
          this.lastProducerEpoch = t.lastProducerEpoch;
          this.prevProducerId = t.prevProducerId;
          this.producerId = t.producerId;
          this.nextProducerId = t.nextProducerId;
        }
        break;
      default:
        // PrepareEpochFence is never completed (it becomes PrepareAbort) and Dead removes the id.
        throw fail();
    }
    this.clientTransactionVersion = t.clientTransactionVersion;
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
    this.pendingState = undefined;
    this.state = to;
  }

  private validEpoch(t: TxnTransit): boolean {
    const v2 = t.clientTransactionVersion >= 2;
    const overflowComplete = v2 && (t.state === 'CompleteCommit' || t.state === 'CompleteAbort') && t.producerEpoch === 0;
    const epoch = overflowComplete || (v2 && (t.state === 'PrepareCommit' || t.state === 'PrepareAbort')) ? t.lastProducerEpoch : t.producerEpoch;
    const producerId = overflowComplete ? t.prevProducerId : t.producerId;
    return epoch === this.producerEpoch && producerId === this.producerId;
  }

  private validEpochBump(t: TxnTransit): boolean {
    return t.producerEpoch === this.producerEpoch + 1 || (t.producerEpoch === 0 && t.producerId !== this.producerId);
  }
}
