/**
 * The transaction coordinator, after Kafka's TransactionCoordinator: the transaction APIs over every
 * transactional id's state (state.ts), kept durable in `__transaction_state` by the state manager
 * (state-manager.ts), and the markers that end each transaction in its partitions (markers.ts).
 *
 * - The topic is created on first use with transaction.state.log.num.partitions partitions; a
 *   transactional id lives in partition abs(javaHashCode(id)) % n, as in Kafka. When it exists at
 *   start-up it is replayed before the broker listens, and transactions the crash left in
 *   PrepareCommit or PrepareAbort are finished: their markers are written again (a partition
 *   that has one already gets a harmless second one).
 * - Each request validates, prepares a transition (the state becomes *pending*), writes it, and
 *   only then applies it and answers: a client hears "done" only for what is on disk.
 * - EndTxn answers once PrepareCommit/PrepareAbort is written; the markers follow, then
 *   CompleteCommit/CompleteAbort. Meanwhile the id is busy: Kafka answers 51
 *   CONCURRENT_TRANSACTIONS and the client retries. Here the markers are local appends that take
 *   milliseconds, so a request that finds its id busy first waits (briefly) for it to settle and
 *   only answers 51 if it does not — sparing clients a retry backoff (KafkaJS waits 300 ms).
 * - Timeouts: a transaction open longer than its transaction.timeout.ms is aborted with a bumped
 *   epoch (fencing its producer), checked every transaction.abort.timed.out.transaction.cleanup
 *   .interval.ms. Ids idle for transactional.id.expiration.ms are removed with a tombstone.
 *
 * Handlers call it with plain values and get Kafka error codes back.
 */
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import type { Clock, ScheduledTask } from '../clock.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { PartitionLog } from '../log/partition-log.js';
import { CONSUMER_OFFSETS_TOPIC } from '../topics/internal.js';
import type { MarkerWriter, TxnMarker } from './markers.js';
import { TransactionStateManager } from './state-manager.js';
import {
  ALL_STATES,
  EXPIRATION_ALLOWED,
  hasPartition,
  isEpochExhausted,
  isSubset,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  TransactionMetadata,
  type TransactionState,
  type TxnPartitions,
  type TxnTransit,
} from './state.js';

export interface TransactionCoordinatorConfig {
  /** transaction.state.log.num.partitions */
  readonly numPartitions: number;
  /** transaction.state.log.segment.bytes */
  readonly segmentBytes: number;
  /** transaction.state.log.load.buffer.size */
  readonly loadBufferSize: number;
  /** transaction.max.timeout.ms */
  readonly maxTimeoutMs: number;
  /** transactional.id.expiration.ms */
  readonly idExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  readonly abortTimedOutIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  readonly removeExpiredIntervalMs: number;
  /** transaction.partition.verification.enable */
  readonly verificationEnabled: () => boolean;
}

export function transactionCoordinatorConfig(config: BrokerConfig): TransactionCoordinatorConfig {
  return {
    numPartitions: config.get('transaction.state.log.num.partitions'),
    segmentBytes: config.get('transaction.state.log.segment.bytes'),
    loadBufferSize: config.get('transaction.state.log.load.buffer.size'),
    maxTimeoutMs: config.get('transaction.max.timeout.ms'),
    idExpirationMs: config.get('transactional.id.expiration.ms'),
    abortTimedOutIntervalMs: config.get('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    removeExpiredIntervalMs: config.get('transaction.remove.expired.transaction.cleanup.interval.ms'),
    verificationEnabled: () => config.get('transaction.partition.verification.enable'),
  };
}

export interface TransactionCoordinatorOptions {
  readonly config: TransactionCoordinatorConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly producerIds: { generate(): Promise<bigint> };
  readonly markers: MarkerWriter;
  /** Creates `__transaction_state` if needed and returns its partition logs, in partition order. */
  openStateLog(partitions: number, segmentBytes: number): Promise<PartitionLog[]>;
  /** The `__consumer_offsets` partition of a group (AddOffsetsToTxn adds it to the transaction). */
  offsetsPartitionFor(groupId: string): number;
}

export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface TransactionDescription {
  readonly errorCode: number;
  readonly transactionalId: string;
  readonly state: string;
  readonly timeoutMs: number;
  readonly startTimeMs: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly topics: { topic: string; partitions: number[] }[];
}

export interface TransactionListing {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly state: TransactionState;
}

/** The one coordinator epoch of a single node (Kafka's is the leader epoch of the state partition). */
export const COORDINATOR_EPOCH = 0;
/** How long a request waits for a busy transactional id before answering 51. */
const SETTLE_WAIT_MS = 1000;
/** Backoff before a marker or a completion that failed (a storage error) is tried again. */
const RETRY_BACKOFF_MS = 100;

const failed = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });

export class TransactionCoordinator {
  private state: 'idle' | 'loading' | 'active' | 'closed' = 'idle';
  private starting: Promise<void> | undefined;
  private readonly states: TransactionStateManager;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly tasks: ScheduledTask[] = [];
  private readonly config: TransactionCoordinatorConfig;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly opts: TransactionCoordinatorOptions) {
    this.config = opts.config;
    this.clock = opts.clock;
    this.logger = opts.logger.child({ component: 'transaction-coordinator' });
    const { numPartitions, segmentBytes, loadBufferSize } = opts.config;
    this.states = new TransactionStateManager({
      numPartitions, segmentBytes, loadBufferSize, clock: opts.clock, logger: this.logger, openStateLog: opts.openStateLog, onSettled: (md) => this.wake(md),
    });
  }

  /** Which partition of `__transaction_state` holds a transactional id (Kafka's partitionFor). */
  partitionFor(transactionalId: string): number {
    return this.states.partitionFor(transactionalId);
  }

  // ------------------------------------------------------------------------------------------
  // Start-up: creating or loading __transaction_state

  /**
   * Loads the coordinator: creates `__transaction_state` on first use, or replays it. Shared by
   * every caller; resolves when requests can be served.
   */
  ensureStarted(): Promise<void> {
    this.starting ??= this.load().catch((err: unknown) => {
      this.logger.error({ err }, 'loading the transaction coordinator failed');
      this.starting = undefined;
      if (this.state === 'loading') this.state = 'idle';
      throw err;
    });
    return this.starting;
  }

  private async load(): Promise<void> {
    this.state = 'loading';
    const started = this.clock.now();
    const records = await this.states.load();
    if (this.state !== 'loading') return; // closed meanwhile
    this.state = 'active';
    this.tasks.push(
      this.clock.scheduleEvery(this.config.abortTimedOutIntervalMs, () => this.abortTimedOutTransactions()),
      this.clock.scheduleEvery(this.config.removeExpiredIntervalMs, () => void this.removeExpiredTransactionalIds()),
    );
    this.logger.info({ transactionalIds: this.states.size, records, ms: this.clock.now() - started }, 'transaction coordinator loaded');
    // A crash between the decision and the markers: finish what was decided.
    for (const md of this.states.all()) {
      if (md.state === 'PrepareCommit' || md.state === 'PrepareAbort') {
        this.logger.info({ transactionalId: md.transactionalId, state: md.state }, 'completing a transaction decided before the restart');
        this.completeTransaction(md, md.prepareComplete(this.clock.now()));
      }
    }
  }

  get loaded(): boolean {
    return this.state === 'active';
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.states.close();
    for (const t of this.tasks) t.cancel();
    for (const set of this.waiters.values()) for (const wake of set) wake();
  }

  /** FindCoordinator for a transactional id: creates or loads the state log on first use. 15 until it can answer. */
  async findCoordinatorError(): Promise<number> {
    if (this.state === 'closed') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    try {
      await this.ensureStarted();
    } catch {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return this.state === 'active' ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  /** The status every transactional request starts with: 0 when the coordinator can serve it. */
  private async ready(): Promise<number> {
    if (this.state === 'closed') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.state !== 'active') {
      try {
        await this.ensureStarted();
      } catch {
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
    }
    return this.state === 'active' ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  // ------------------------------------------------------------------------------------------
  // Writing transitions

  /** Resolves once the id has no pending transition and no decided-but-unfinished transaction, or after `ms`. */
  private settled(md: TransactionMetadata, ms: number): Promise<void> {
    const busy = () => md.pendingTransitionInProgress || md.state === 'PrepareCommit' || md.state === 'PrepareAbort';
    if (!busy() || this.state !== 'active') return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.waiters.get(md.transactionalId);
      if (!set) this.waiters.set(md.transactionalId, (set = new Set()));
      const waiters = set;
      const wake = () => {
        if (busy() && this.state === 'active' && !timedOut) return;
        timer.cancel();
        waiters.delete(wake);
        if (waiters.size === 0) this.waiters.delete(md.transactionalId);
        resolve();
      };
      let timedOut = false;
      const timer = this.clock.schedule(ms, () => {
        timedOut = true;
        wake();
      });
      waiters.add(wake);
    });
  }

  private wake(md: TransactionMetadata): void {
    for (const wake of [...(this.waiters.get(md.transactionalId) ?? [])]) wake();
  }

  /** Runs `attempt`; if the id was busy (51), waits for it to settle once and tries again. */
  private async retryWhenBusy<T extends { errorCode: number }>(md: TransactionMetadata, attempt: () => Promise<T>): Promise<T> {
    const first = await attempt();
    if (first.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) return first;
    await this.settled(md, SETTLE_WAIT_MS);
    return attempt();
  }

  // ------------------------------------------------------------------------------------------
  // InitProducerId

  /**
   * InitProducerId with a transactional id: a producer id and a bumped epoch, fencing any older
   * instance of the producer. An open transaction of the old instance is aborted first. With
   * `expected` (KIP-360, v3+), a producer recovering from an error keeps its producer id.
   */
  async initProducerId(
    transactionalId: string,
    txnTimeoutMs: number,
    expected?: { producerId: bigint; producerEpoch: number },
  ): Promise<InitProducerIdResult> {
    if (transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
    if (!(txnTimeoutMs > 0 && txnTimeoutMs <= this.config.maxTimeoutMs)) return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const status = await this.ready();
    if (status !== ErrorCode.NONE) return failed(status);
    let md = this.states.get(transactionalId);
    if (!md) {
      const producerId = await this.opts.producerIds.generate();
      md = this.states.putIfAbsent(new TransactionMetadata(transactionalId, {
        producerId, producerEpoch: NO_PRODUCER_EPOCH, txnTimeoutMs, state: 'Empty', txnLastUpdateTimestamp: this.clock.now(),
      }));
    }
    const metadata = md;
    return this.retryWhenBusy(metadata, () => this.tryInitProducerId(metadata, txnTimeoutMs, expected));
  }

  private async tryInitProducerId(
    md: TransactionMetadata,
    txnTimeoutMs: number,
    expected: { producerId: bigint; producerEpoch: number } | undefined,
  ): Promise<InitProducerIdResult> {
    // A new producer id is needed only when the epoch is exhausted (rare); fetch it before the checks.
    const rotationId = md.isProducerEpochExhausted ? await this.opts.producerIds.generate() : undefined;
    const transit = this.prepareInitProducerIdTransit(md, txnTimeoutMs, expected, rotationId);
    if (typeof transit === 'number') return failed(transit);
    if (transit.state === 'PrepareEpochFence') {
      // Abort the open transaction with the bumped epoch; the client retries (or, here, waits).
      const ended = await this.fence(md, transit);
      return failed(ended.errorCode !== ErrorCode.NONE ? ended.errorCode : ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    const code = await this.states.write(md, transit);
    if (code !== ErrorCode.NONE) return failed(code);
    this.logger.info({ transactionalId: md.transactionalId, producerId: md.producerId, producerEpoch: md.producerEpoch }, 'initialized transactional producer');
    return { errorCode: ErrorCode.NONE, producerId: md.producerId, producerEpoch: md.producerEpoch };
  }

  private prepareInitProducerIdTransit(
    md: TransactionMetadata,
    txnTimeoutMs: number,
    expected: { producerId: bigint; producerEpoch: number } | undefined,
    rotationId: bigint | undefined,
  ): TxnTransit | number {
    // An expected producer id is valid when the id was just created, when it is the current one
    // (its epoch is checked by the bump), or when it is the previous one with an exhausted epoch
    // (a retry after a rotation the producer never heard about).
    const validExpected = !expected || md.producerEpoch === NO_PRODUCER_EPOCH || expected.producerId === md.producerId ||
      (expected.producerId === md.prevProducerId && isEpochExhausted(expected.producerEpoch));
    if (md.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (!validExpected) return ErrorCode.PRODUCER_FENCED;
    switch (md.state) {
      case 'PrepareAbort':
      case 'PrepareCommit':
        return ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'CompleteAbort':
      case 'CompleteCommit':
      case 'Empty':
        if (md.isProducerEpochExhausted && (!expected || expected.producerEpoch === md.producerEpoch)) {
          if (rotationId === undefined) return ErrorCode.CONCURRENT_TRANSACTIONS; // exhausted meanwhile: try again
          return md.prepareProducerIdRotation(rotationId, txnTimeoutMs, this.clock.now(), expected !== undefined);
        }
        return md.prepareIncrementProducerEpoch(txnTimeoutMs, expected?.producerEpoch, this.clock.now());
      case 'Ongoing':
        // Fence: the bumped epoch is never returned; the client retries and gets another bump.
        return md.prepareFenceProducerEpoch();
      default:
        throw new Error(`${md.transactionalId} found in state ${md.state}`);
    }
  }

  // ------------------------------------------------------------------------------------------
  // AddPartitionsToTxn, AddOffsetsToTxn, and verification

  /** Adds partitions to the producer's transaction (opening one if needed). One error code for all. */
  async addPartitions(transactionalId: string, producerId: bigint, producerEpoch: number, partitions: TxnPartitions): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const status = await this.ready();
    if (status !== ErrorCode.NONE) return status;
    const md = this.states.get(transactionalId);
    if (!md) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    const r = await this.retryWhenBusy(md, async () => ({ errorCode: await this.tryAddPartitions(md, producerId, producerEpoch, partitions) }));
    return r.errorCode;
  }

  private async tryAddPartitions(md: TransactionMetadata, producerId: bigint, producerEpoch: number, partitions: TxnPartitions): Promise<number> {
    if (md.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (md.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (md.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (md.state === 'PrepareCommit' || md.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
    // Already in the transaction: nothing to write.
    if (md.state === 'Ongoing' && isSubset(partitions, md.partitions)) return ErrorCode.NONE;
    return this.states.write(md, md.prepareAddPartitions(partitions, this.clock.now()));
  }

  /** AddOffsetsToTxn: the group's `__consumer_offsets` partition joins the transaction. */
  addOffsets(transactionalId: string, producerId: bigint, producerEpoch: number, groupId: string): Promise<number> {
    const partition = this.opts.offsetsPartitionFor(groupId);
    return this.addPartitions(transactionalId, producerId, producerEpoch, new Map([[CONSUMER_OFFSETS_TOPIC, new Set([partition])]]));
  }

  /**
   * AddPartitionsToTxn v4+ with verify_only (KIP-890): whether each partition is in the
   * producer's transaction, without adding it. Per partition 0 or 120 TRANSACTION_ABORTABLE, or
   * one error for the whole transaction.
   */
  async verifyPartitions(
    transactionalId: string, producerId: bigint, producerEpoch: number, partitions: { topic: string; partition: number }[],
  ): Promise<{ errorCode: number; partitionErrors: number[] }> {
    const status = transactionalId === '' ? ErrorCode.INVALID_REQUEST : await this.ready();
    const whole = (code: number) => ({ errorCode: code, partitionErrors: partitions.map(() => code) });
    if (status !== ErrorCode.NONE) return whole(status);
    const md = this.states.get(transactionalId);
    const code = this.verificationError(md, producerId, producerEpoch);
    if (code !== ErrorCode.NONE) return whole(code);
    return {
      errorCode: ErrorCode.NONE,
      partitionErrors: partitions.map((p) => (hasPartition(md!.partitions, p.topic, p.partition) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE)),
    };
  }

  /** Kafka's handleVerifyPartitionsInTransaction checks before looking at partitions. */
  private verificationError(md: TransactionMetadata | undefined, producerId: bigint, producerEpoch: number): number {
    if (!md || md.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (md.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    const pending = md.pendingState;
    // A decided transaction takes no more data; Kafka leaves the pending state to its final
    // append check, Tafka's check is that check (a decision in flight counts as taken).
    if (md.state === 'PrepareCommit' || md.state === 'PrepareAbort' || (pending !== undefined && pending !== 'Ongoing')) {
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    }
    return ErrorCode.NONE;
  }

  /**
   * The partition leader's check of a transactional produce (KIP-890 part 1), synchronous so it
   * runs in the same tick as the append: the partition must be in the producer's open
   * transaction. Errors as Kafka's ReplicaManager turns them into produce errors: 49 unknown
   * producer, 47 fenced epoch, 19 NOT_ENOUGH_REPLICAS (retriable) while the transaction is being
   * decided, and for a partition never added 48 INVALID_TXN_STATE (Produce v10 and older) or 120
   * TRANSACTION_ABORTABLE (v11+).
   */
  verifyProduce(transactionalId: string | null, producerId: bigint, producerEpoch: number, topic: string, partition: number, apiVersion: number): number {
    if (!this.config.verificationEnabled()) return ErrorCode.NONE;
    if (transactionalId === null || transactionalId === '' || this.state !== 'active') return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    const md = this.states.get(transactionalId);
    const code = this.verificationError(md, producerId, producerEpoch);
    if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (code === ErrorCode.CONCURRENT_TRANSACTIONS) return ErrorCode.NOT_ENOUGH_REPLICAS;
    if (code !== ErrorCode.NONE) return code;
    if (hasPartition(md!.partitions, topic, partition)) return ErrorCode.NONE;
    return apiVersion > 10 ? ErrorCode.TRANSACTION_ABORTABLE : ErrorCode.INVALID_TXN_STATE;
  }

  /**
   * TxnOffsetCommit's check with the transaction coordinator (KIP-890): the group's offsets
   * partition must be in the transaction (AddOffsetsToTxn first). Errors as for a produce, except
   * that a partition never added is 48 INVALID_TXN_STATE before v5 (120 from v5).
   */
  async verifyOffsetCommit(transactionalId: string, producerId: bigint, producerEpoch: number, groupId: string, apiVersion: number): Promise<number> {
    const status = await this.ready();
    if (status !== ErrorCode.NONE) return status;
    if (!this.config.verificationEnabled()) return ErrorCode.NONE;
    const md = this.states.get(transactionalId);
    const code = this.verificationError(md, producerId, producerEpoch);
    if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (code !== ErrorCode.NONE) return code;
    if (hasPartition(md!.partitions, CONSUMER_OFFSETS_TOPIC, this.opts.offsetsPartitionFor(groupId))) return ErrorCode.NONE;
    return apiVersion >= 5 ? ErrorCode.TRANSACTION_ABORTABLE : ErrorCode.INVALID_TXN_STATE;
  }

  // ------------------------------------------------------------------------------------------
  // EndTxn

  /**
   * Commits or aborts the producer's transaction: answers once the decision is written; the
   * markers follow. `clientTransactionVersion` 2 (EndTxn v5+) bumps the epoch, and the answer
   * carries the producer id and epoch to use next.
   */
  async endTxn(
    transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean, clientTransactionVersion: number,
  ): Promise<InitProducerIdResult> {
    if (transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
    const status = await this.ready();
    if (status !== ErrorCode.NONE) return failed(status);
    const md = this.states.get(transactionalId);
    if (!md) return failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    return this.retryWhenBusy(md, async () => {
      // With version 2 an exhausted epoch moves to a new producer id (rare); fetch it before the checks.
      const nextProducerId = clientTransactionVersion >= 2 && md.isProducerEpochExhausted ? await this.opts.producerIds.generate() : NO_PRODUCER_ID;
      return this.endTransaction(md, producerId, producerEpoch, commit, true, clientTransactionVersion, nextProducerId);
    });
  }

  /** Kafka's endTransaction, for a client's EndTxn and for the coordinator's own aborts (fencing, timeouts). */
  private async endTransaction(
    md: TransactionMetadata, producerId: bigint, producerEpoch: number, commit: boolean, isFromClient: boolean, clientTransactionVersion: number,
    nextProducerId = NO_PRODUCER_ID,
  ): Promise<InitProducerIdResult> {
    const current = { producerId: md.producerId, producerEpoch: md.producerEpoch };
    const fencing = md.pendingState === 'PrepareEpochFence';
    const v2 = !fencing && md.clientTransactionVersion >= 2;
    // With version 2 the epoch was bumped by the last EndTxn: a retry of it carries the epoch before.
    const retryOnEpochBump = v2 && md.producerEpoch === producerEpoch + 1;
    const retryOnOverflow = v2 && md.prevProducerId === producerId && producerEpoch === 0x7fff - 1 && md.producerEpoch === 0;
    let validEpoch: boolean;
    if (v2) {
      validEpoch = md.state === 'PrepareCommit' || md.state === 'PrepareAbort'
        ? retryOnEpochBump
        : md.state === 'CompleteCommit' || md.state === 'CompleteAbort' ? retryOnEpochBump || retryOnOverflow : producerEpoch === md.producerEpoch;
    } else {
      validEpoch = (!isFromClient || producerEpoch === md.producerEpoch) && producerEpoch >= md.producerEpoch;
    }
    const invalidState = () => {
      this.logger.debug({ transactionalId: md.transactionalId, state: md.state, commit }, 'EndTxn in an invalid state');
      return failed(ErrorCode.INVALID_TXN_STATE);
    };
    if (md.producerId !== producerId && !retryOnOverflow) return failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (!validEpoch) return failed(ErrorCode.PRODUCER_FENCED);
    if (md.pendingTransitionInProgress && !fencing) return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
    switch (md.state) {
      case 'Ongoing':
        break;
      case 'CompleteCommit':
        return commit ? { errorCode: ErrorCode.NONE, ...current } : invalidState();
      case 'CompleteAbort':
        return !commit ? { errorCode: ErrorCode.NONE, ...current } : invalidState();
      case 'PrepareCommit':
        return commit ? failed(ErrorCode.CONCURRENT_TRANSACTIONS) : invalidState();
      case 'PrepareAbort':
        return !commit ? failed(ErrorCode.CONCURRENT_TRANSACTIONS) : invalidState();
      case 'Empty':
        return invalidState();
      default:
        throw new Error(`${md.transactionalId} found in state ${md.state}`);
    }
    // Ongoing: decide.
    if (fencing) {
      if (commit) return invalidState();
      // The fence becomes the abort: the bumped epoch is the producer's from now on.
      md.pendingState = undefined;
      md.producerEpoch = producerEpoch;
      md.lastProducerEpoch = NO_PRODUCER_EPOCH;
    }
    const rotate = clientTransactionVersion >= 2 && !fencing && md.isProducerEpochExhausted;
    if (rotate && nextProducerId === NO_PRODUCER_ID) return failed(ErrorCode.CONCURRENT_TRANSACTIONS); // exhausted meanwhile: try again
    const transit = md.prepareAbortOrCommit(
      commit ? 'PrepareCommit' : 'PrepareAbort', clientTransactionVersion, rotate ? nextProducerId : NO_PRODUCER_ID, this.clock.now(),
    );
    const code = await this.states.write(md, transit);
    if (code !== ErrorCode.NONE) {
      if (fencing) md.hasFailedEpochFence = true;
      return failed(code);
    }
    this.logger.debug({ transactionalId: md.transactionalId, state: md.state, partitions: md.partitions.size }, 'transaction decided');
    this.completeTransaction(md, md.prepareComplete(this.clock.now()));
    return { errorCode: ErrorCode.NONE, producerId: md.producerId, producerEpoch: md.producerEpoch };
  }

  /** Aborts the open transaction with the fence's bumped epoch (the coordinator's own EndTxn). */
  private async fence(md: TransactionMetadata, fence: TxnTransit): Promise<InitProducerIdResult> {
    const ended = await this.endTransaction(md, fence.producerId, fence.producerEpoch, false, false, 0);
    // A fence that did not become an abort must not leave the id pending for ever.
    if (md.pendingState === 'PrepareEpochFence') {
      md.pendingState = undefined;
      this.wake(md);
    }
    return ended;
  }

  /**
   * Writes the markers of a decided transaction to all its partitions, then its completion.
   * Runs in the background; a marker that fails (a storage error) is tried again after a backoff
   * for as long as the coordinator runs. A partition that no longer exists is skipped, as Kafka
   * does; 47/52 mean a newer epoch or coordinator already decided it.
   */
  private completeTransaction(md: TransactionMetadata, complete: TxnTransit): void {
    const commit = complete.state === 'CompleteCommit';
    const marker = { producerId: md.producerId, producerEpoch: md.producerEpoch, coordinatorEpoch: COORDINATOR_EPOCH, commit };
    const targets: { topic: string; partition: number }[] = [];
    for (const [topic, ps] of md.partitions) for (const partition of ps) targets.push({ topic, partition });
    const writeMarker = async (topic: string, partition: number): Promise<void> => {
      for (;;) {
        const code = await this.opts.markers.write(topic, partition, marker);
        if (code === ErrorCode.NONE || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
          code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.TRANSACTION_COORDINATOR_FENCED) {
          if (code !== ErrorCode.NONE) this.logger.warn({ transactionalId: md.transactionalId, topic, partition, errorCode: code }, 'transaction marker not written');
          md.removePartition(topic, partition);
          return;
        }
        if (this.state !== 'active') return;
        this.logger.warn({ transactionalId: md.transactionalId, topic, partition, errorCode: code }, 'transaction marker failed; retrying');
        await this.delay(RETRY_BACKOFF_MS);
      }
    };
    const finish = async (): Promise<void> => {
      await Promise.all(targets.map((t) => writeMarker(t.topic, t.partition)));
      // Completion keeps its pending state across failed writes: the decision stands.
      while (this.state === 'active') {
        const code = await this.states.write(md, complete);
        if (code === ErrorCode.NONE) return;
        md.pendingState = complete.state;
        await this.delay(RETRY_BACKOFF_MS);
      }
    };
    finish().catch((err: unknown) => this.logger.error({ err, transactionalId: md.transactionalId }, 'completing a transaction failed'));
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.schedule(ms, resolve));
  }

  // ------------------------------------------------------------------------------------------
  // Timeouts and expiration

  /** Aborts transactions open longer than their timeout, fencing their producer (Kafka's abortTimedOutTransactions). */
  abortTimedOutTransactions(): number {
    if (this.state !== 'active') return 0;
    const now = this.clock.now();
    let aborted = 0;
    for (const md of this.states.all()) {
      if (md.pendingTransitionInProgress || md.state !== 'Ongoing' || md.txnStartTimestamp + md.txnTimeoutMs >= now) continue;
      aborted++;
      this.logger.info({ transactionalId: md.transactionalId, producerId: md.producerId, timeoutMs: md.txnTimeoutMs }, 'aborting a transaction that timed out');
      this.fence(md, md.prepareFenceProducerEpoch()).then(
        (r) => {
          if (r.errorCode !== ErrorCode.NONE) this.logger.warn({ transactionalId: md.transactionalId, errorCode: r.errorCode }, 'timed-out transaction not aborted');
        },
        (err: unknown) => this.logger.error({ err }, 'aborting a timed-out transaction failed'),
      );
    }
    return aborted;
  }

  /** Removes ids idle for transactional.id.expiration.ms with no transaction open, with a tombstone each. */
  async removeExpiredTransactionalIds(): Promise<number> {
    if (this.state !== 'active') return 0;
    const now = this.clock.now();
    const expired = [...this.states.all()].filter(
      (md) => !md.pendingTransitionInProgress && EXPIRATION_ALLOWED.has(md.state) && md.txnLastUpdateTimestamp <= now - this.config.idExpirationMs,
    );
    const codes = await Promise.all(expired.map((md) => this.states.write(md, md.prepareDead())));
    const removed = codes.filter((c) => c === ErrorCode.NONE).length;
    if (removed > 0) this.logger.info({ removed }, 'expired transactional ids');
    return removed;
  }

  // ------------------------------------------------------------------------------------------
  // DescribeTransactions, ListTransactions

  async describe(transactionalId: string): Promise<TransactionDescription> {
    const none = (errorCode: number): TransactionDescription => ({
      errorCode, transactionalId, state: '', timeoutMs: 0, startTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [],
    });
    if (transactionalId === '') return none(ErrorCode.INVALID_REQUEST);
    const status = this.state === 'closed' ? ErrorCode.COORDINATOR_NOT_AVAILABLE : this.state === 'idle' ? ErrorCode.NONE : await this.ready();
    if (status !== ErrorCode.NONE) return none(status);
    const md = this.states.get(transactionalId);
    if (!md || md.state === 'Dead') return none(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    return {
      errorCode: ErrorCode.NONE,
      transactionalId,
      state: md.state,
      timeoutMs: md.txnTimeoutMs,
      startTimeMs: BigInt(md.txnStartTimestamp),
      producerId: md.producerId,
      producerEpoch: md.producerEpoch,
      topics: [...md.partitions].map(([topic, ps]) => ({ topic, partitions: [...ps].sort((a, b) => a - b) })),
    };
  }

  /** ListTransactions: filters on state names (unknown ones reported back), producer ids, minimum duration and an id pattern. */
  list(filter: { states: readonly string[]; producerIds: readonly bigint[]; minDurationMs: number; idPattern: RegExp | null }): {
    errorCode: number; unknownStates: string[]; transactions: TransactionListing[];
  } {
    if (this.state === 'loading') return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStates: [], transactions: [] };
    if (this.state === 'closed') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStates: [], transactions: [] };
    const unknownStates = filter.states.filter((s) => !ALL_STATES.includes(s as TransactionState));
    const states = new Set(filter.states);
    const ids = new Set(filter.producerIds);
    const now = this.clock.now();
    const transactions: TransactionListing[] = [];
    for (const md of this.states.all()) {
      if (md.state === 'Dead') continue;
      if (ids.size > 0 && !ids.has(md.producerId)) continue;
      if (states.size > 0 && !states.has(md.state)) continue;
      if (filter.minDurationMs >= 0 && now - md.txnStartTimestamp <= filter.minDurationMs) continue;
      if (filter.idPattern && !filter.idPattern.test(md.transactionalId)) continue;
      transactions.push({ transactionalId: md.transactionalId, producerId: md.producerId, state: md.state });
    }
    return { errorCode: ErrorCode.NONE, unknownStates, transactions };
  }

  /** WriteTxnMarkers (27): one marker to one partition, through the path the coordinator's own markers take. */
  writeMarker(topic: string, partition: number, marker: TxnMarker): Promise<number> {
    return this.opts.markers.write(topic, partition, marker);
  }

  /** For tests and tools. */
  metadata(transactionalId: string): TransactionMetadata | undefined {
    return this.states.get(transactionalId);
  }
}
