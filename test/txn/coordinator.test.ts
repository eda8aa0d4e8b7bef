/**
 * The transaction coordinator over the real log store (in memory) and fake time: the state
 * machine as clients drive it, fencing, markers in the data partitions, durability across a
 * restart, timeouts, expiration and bounded replay.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { baseOffsetAt, batchSizeAt, CONTROL_BIT, ATTRIBUTES } from '../../src/codec/record-batch.js';
import { readMarker } from '../../src/codec/control-record.js';
import { CoordinatorLog } from '../../src/coordinator/coordinator-log.js';
import { LogManager } from '../../src/log/log-manager.js';
import { MemoryStorage } from '../../src/log/memory-storage.js';
import type { PartitionLog } from '../../src/log/partition-log.js';
import { TRANSACTION_STATE_TOPIC } from '../../src/topics/internal.js';
import { TransactionCoordinator, type TransactionCoordinatorConfig } from '../../src/txn/coordinator.js';
import { MarkerWriter } from '../../src/txn/markers.js';
import { decodeTransactionLogRecord, transactionLogRecord } from '../../src/txn/records.js';
import { TransactionMetadata } from '../../src/txn/state.js';
import { coordinatorPartitionFor, javaStringHashCode } from '../../src/util/java-hash.js';
import { txnBatch } from '../log/producer-helpers.js';
import { ManualClock } from '../support/manual-clock.js';

const logger = pino({ level: 'silent' });
const settle = () => new Promise<void>((r) => setImmediate(r));

const config = (over: Partial<TransactionCoordinatorConfig> = {}): TransactionCoordinatorConfig => ({
  numPartitions: 3,
  segmentBytes: 1 << 20,
  loadBufferSize: 1 << 20,
  maxTimeoutMs: 900_000,
  idExpirationMs: 7 * 24 * 3600_000,
  abortTimedOutIntervalMs: 10_000,
  removeExpiredIntervalMs: 3600_000,
  verificationEnabled: () => true,
  ...over,
});

interface Harness {
  c: TransactionCoordinator;
  logs: LogManager;
  clock: ManualClock;
  storage: MemoryStorage;
  nextId: { value: bigint };
}

/** A coordinator over `storage` (shared across "restarts"); data partitions are `t-0` .. `t-2`. */
interface OpenOptions {
  storage?: MemoryStorage;
  clock?: ManualClock;
  over?: Partial<TransactionCoordinatorConfig>;
  nextId?: { value: bigint };
}

async function open(opts: OpenOptions = {}): Promise<Harness> {
  const clock = opts.clock ?? new ManualClock(1_000_000);
  const storage = opts.storage ?? new MemoryStorage(clock);
  const logs = await LogManager.open({
    storage, logger, clock, retentionCheckIntervalMs: 1e9, checkpointIntervalMs: 1e9, producerIdExpirationCheckIntervalMs: 1e9,
  });
  for (let p = 0; p < 3; p++) await logs.createLog('t', p);
  const nextId = opts.nextId ?? { value: 1000n };
  const markers = new MarkerWriter({ clock, partitionLog: (topic, p) => logs.getLog(topic, p) });
  const c = new TransactionCoordinator({
    config: config(opts.over),
    clock,
    logger,
    producerIds: { generate: async () => nextId.value++ },
    markers,
    offsetsPartitionFor: () => 0,
    openStateLog: async (n) => Promise.all(Array.from({ length: n }, (_, p) => logs.createLog(TRANSACTION_STATE_TOPIC, p))),
  });
  await c.ensureStarted();
  return { c, logs, clock, storage, nextId };
}

async function restart(h: Harness): Promise<Harness> {
  await h.c.close();
  await h.logs.close();
  return open({ storage: h.storage, clock: h.clock, nextId: h.nextId });
}

const parts = (...ps: [string, number][]) => {
  const m = new Map<string, Set<number>>();
  for (const [t, p] of ps) {
    if (!m.has(t)) m.set(t, new Set());
    m.get(t)!.add(p);
  }
  return m;
};

/** The markers in a data partition: [producer id, epoch, commit]. */
async function markersIn(log: PartitionLog): Promise<[bigint, number, boolean][]> {
  const out: [bigint, number, boolean][] = [];
  const { records } = await log.read(log.logStartOffset, 1 << 20);
  for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
    if (records.readInt16BE(pos + ATTRIBUTES) & CONTROL_BIT) {
      out.push([records.readBigInt64BE(pos + 43), records.readInt16BE(pos + 51), readMarker(records, pos)!.commit]);
    }
  }
  return out;
}

/** The states written to the transactional id's partition of __transaction_state, in order. */
async function statesWritten(h: Harness, id: string): Promise<string[]> {
  const p = h.c.partitionFor(id);
  const stateLog = CoordinatorLog.over(TRANSACTION_STATE_TOPIC, [h.logs.getLog(TRANSACTION_STATE_TOPIC, p)!], h.clock);
  const out: string[] = [];
  await stateLog.replay(0, {
    record: (r) => {
      const d = decodeTransactionLogRecord(r);
      if (d.transactionalId === id) out.push(d.value === null ? 'tombstone' : ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort'][d.value.transactionStatus]!);
    },
  });
  return out;
}

/** Lets the background marker writes and completion run. */
async function drain(): Promise<void> {
  for (let i = 0; i < 10; i++) await settle();
}

describe("a transactional id's partition", () => {
  it("is Kafka's abs(String.hashCode) % partitions, over UTF-16 code units (test/group/offsets-topic.test.ts has the rest)", () => {
    expect(coordinatorPartitionFor('hello', 50)).toBe(22);
    expect(javaStringHashCode('é😀')).toBe(((0xe9 * 31 + 0xd83d) * 31 + 0xde00) | 0);
  });
});

describe('TransactionCoordinator', () => {
  it('InitProducerId gives epoch 0, then bumps it; a transaction commits with markers in every partition', async () => {
    const h = await open();
    const { c, logs } = h;
    expect(await c.initProducerId('app', 60_000)).toEqual({ errorCode: 0, producerId: 1000n, producerEpoch: 0 });
    expect(await c.initProducerId('app', 60_000)).toEqual({ errorCode: 0, producerId: 1000n, producerEpoch: 1 });
    expect(await c.addPartitions('app', 1000n, 1, parts(['t', 0], ['t', 2]))).toBe(0);
    expect(c.metadata('app')!.state).toBe('Ongoing');
    const data = logs.getLog('t', 0)!;
    await data.append(txnBatch(1000n, 1, 0, 2));
    expect(data.lastStableOffset).toBe(0n);
    expect(await c.endTxn('app', 1000n, 1, true, 0)).toEqual({ errorCode: 0, producerId: 1000n, producerEpoch: 1 });
    await drain();
    expect(c.metadata('app')!.state).toBe('CompleteCommit');
    expect(await markersIn(data)).toEqual([[1000n, 1, true]]);
    expect(await markersIn(logs.getLog('t', 2)!)).toEqual([[1000n, 1, true]]);
    expect(await markersIn(logs.getLog('t', 1)!)).toEqual([]);
    expect(data.lastStableOffset).toBe(3n);
    expect(await statesWritten(h, 'app')).toEqual(['Empty', 'Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
    // A retried commit is answered 0; an abort of it is 48.
    expect((await c.endTxn('app', 1000n, 1, true, 0)).errorCode).toBe(0);
    expect((await c.endTxn('app', 1000n, 1, false, 0)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('answers the documented errors', async () => {
    const { c } = await open();
    expect((await c.initProducerId('app', 0)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await c.initProducerId('app', 900_001)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await c.initProducerId('', 1000)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(await c.addPartitions('nobody', 1n, 0, parts(['t', 0]))).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    await c.initProducerId('app', 60_000);
    expect(await c.addPartitions('app', 999n, 0, parts(['t', 0]))).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await c.addPartitions('app', 1000n, 7, parts(['t', 0]))).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await c.endTxn('app', 1000n, 0, true, 0)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE); // no transaction open
    expect((await c.describe('nobody')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  });

  it('a second instance fences the first: its open transaction is aborted with a bumped epoch', async () => {
    const { c, logs } = await open();
    await c.initProducerId('app', 60_000); // epoch 0
    await c.addPartitions('app', 1000n, 0, parts(['t', 1]));
    const data = logs.getLog('t', 1)!;
    await data.append(txnBatch(1000n, 0, 0));
    // The new instance: the fence aborts the transaction (epoch 1), then the retry bumps to 2.
    const second = await c.initProducerId('app', 60_000);
    expect(second).toEqual({ errorCode: 0, producerId: 1000n, producerEpoch: 2 });
    expect(await markersIn(data)).toEqual([[1000n, 1, false]]);
    expect(data.lastStableOffset).toBe(2n);
    expect((await data.read(0n, 1 << 20, { isolation: 'read_committed' })).abortedTransactions).toMatchObject([{ producerId: 1000n, firstOffset: 0n }]);
    // The old instance is fenced everywhere.
    expect(await c.addPartitions('app', 1000n, 0, parts(['t', 0]))).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await c.endTxn('app', 1000n, 0, true, 0)).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(c.verifyProduce('app', 1000n, 0, 't', 1, 7)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    await expect(data.append(txnBatch(1000n, 0, 1))).rejects.toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  it('KIP-360: a producer recovering with its producer id and epoch keeps the id; a stale epoch is fenced', async () => {
    const { c } = await open();
    await c.initProducerId('app', 60_000); // 0
    expect(await c.initProducerId('app', 60_000, { producerId: 1000n, producerEpoch: 0 })).toMatchObject({ errorCode: 0, producerEpoch: 1 });
    // A retry of that bump (the answer was lost): the same epoch again.
    expect(await c.initProducerId('app', 60_000, { producerId: 1000n, producerEpoch: 0 })).toMatchObject({ errorCode: 0, producerEpoch: 1 });
    await c.initProducerId('app', 60_000); // another instance: 2, last epoch forgotten
    expect((await c.initProducerId('app', 60_000, { producerId: 1000n, producerEpoch: 0 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await c.initProducerId('app', 60_000, { producerId: 77n, producerEpoch: 2 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('verifies transactional produce and offset commits against the open transaction', async () => {
    const { c } = await open();
    expect(c.verifyProduce('app', 1000n, 0, 't', 0, 7)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    await c.initProducerId('app', 60_000);
    expect(c.verifyProduce('app', 1000n, 0, 't', 0, 7)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(c.verifyProduce('app', 1000n, 0, 't', 0, 11)).toBe(ErrorCode.TRANSACTION_ABORTABLE);
    expect(c.verifyProduce(null, 1000n, 0, 't', 0, 7)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    await c.addPartitions('app', 1000n, 0, parts(['t', 0]));
    expect(c.verifyProduce('app', 1000n, 0, 't', 0, 7)).toBe(0);
    expect(await c.verifyOffsetCommit('app', 1000n, 0, 'g', 3)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await c.addOffsets('app', 1000n, 0, 'g')).toBe(0);
    expect(await c.verifyOffsetCommit('app', 1000n, 0, 'g', 3)).toBe(0);
    expect(await c.verifyPartitions('app', 1000n, 0, [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }])).toEqual({
      errorCode: 0, partitionErrors: [0, ErrorCode.TRANSACTION_ABORTABLE],
    });
    // Once the commit is decided, until its markers are written, a produce gets the retriable 19.
    await c.endTxn('app', 1000n, 0, true, 0);
    expect(c.metadata('app')!.state).toBe('PrepareCommit');
    expect(c.verifyProduce('app', 1000n, 0, 't', 0, 7)).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    await drain();
    expect(c.verifyProduce('app', 1000n, 0, 't', 0, 7)).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('aborts a transaction that outlives its timeout, fencing its producer', async () => {
    const { c, clock, logs } = await open();
    await c.initProducerId('app', 20_000);
    await c.addPartitions('app', 1000n, 0, parts(['t', 0]));
    await logs.getLog('t', 0)!.append(txnBatch(1000n, 0, 0));
    clock.advance(10_000);
    await drain();
    expect(c.metadata('app')!.state).toBe('Ongoing');
    clock.advance(20_000);
    await drain();
    expect(c.metadata('app')).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
    expect(await markersIn(logs.getLog('t', 0)!)).toEqual([[1000n, 1, false]]);
    expect(await c.addPartitions('app', 1000n, 0, parts(['t', 0]))).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('after a restart, finishes a transaction that was decided but not completed, and keeps open ones open', async () => {
    let h = await open();
    await h.c.initProducerId('app', 60_000);
    await h.c.initProducerId('other', 60_000);
    await h.c.addPartitions('other', 1001n, 0, parts(['t', 2]));
    await h.logs.getLog('t', 2)!.append(txnBatch(1001n, 0, 0));
    await h.c.addPartitions('app', 1000n, 0, parts(['t', 0], ['t', 1]));
    await h.logs.getLog('t', 0)!.append(txnBatch(1000n, 0, 0));
    // The crash came right after PrepareCommit was written: write it by hand, as endTxn would.
    const md = h.c.metadata('app')!;
    const stateLog = h.logs.getLog(TRANSACTION_STATE_TOPIC, h.c.partitionFor('app'))!;
    const copy = new TransactionMetadata('app', { ...md, partitions: md.partitions });
    await CoordinatorLog.over(TRANSACTION_STATE_TOPIC, [stateLog], h.clock).append(0, [
      transactionLogRecord('app', copy.prepareAbortOrCommit('PrepareCommit', 0, -1n, h.clock.now())),
    ]);
    h = await restart(h);
    await drain();
    expect(h.c.metadata('app')!.state).toBe('CompleteCommit');
    expect(await markersIn(h.logs.getLog('t', 0)!)).toEqual([[1000n, 0, true]]);
    expect(await markersIn(h.logs.getLog('t', 1)!)).toEqual([[1000n, 0, true]]);
    expect(h.logs.getLog('t', 0)!.lastStableOffset).toBe(2n);
    expect(h.c.metadata('other')).toMatchObject({ state: 'Ongoing' });
    expect(h.logs.getLog('t', 2)!.lastStableOffset).toBe(0n);
    expect((await h.c.describe('other')).topics).toEqual([{ topic: 't', partitions: [2] }]);
  });

  it('expires idle transactional ids with a tombstone, never one with a transaction open', async () => {
    const h = await open({ over: { idExpirationMs: 60_000, removeExpiredIntervalMs: 10_000 } });
    const { c, clock } = h;
    await c.initProducerId('idle', 900_000);
    await c.initProducerId('busy', 900_000);
    await c.addPartitions('busy', 1001n, 0, parts(['t', 0]));
    clock.advance(70_000);
    await drain();
    expect(c.metadata('idle')).toBeUndefined();
    expect(c.metadata('busy')).toBeDefined();
    expect((await statesWritten(h, 'idle')).at(-1)).toBe('tombstone');
    expect(c.list({ states: [], producerIds: [], minDurationMs: -1, idPattern: null }).transactions.map((t) => t.transactionalId)).toEqual(['busy']);
    // It comes back as a new id.
    expect(await c.initProducerId('idle', 60_000)).toMatchObject({ errorCode: 0, producerEpoch: 0 });
  });

  it('lists and describes transactions with Kafka\'s filters', async () => {
    const { c, clock } = await open();
    await c.initProducerId('a', 60_000);
    await c.initProducerId('b', 60_000);
    await c.addPartitions('b', 1001n, 0, parts(['t', 1], ['t', 0]));
    clock.advance(5000);
    const all = { states: [], producerIds: [], minDurationMs: -1, idPattern: null };
    expect(c.list({ ...all, states: ['Ongoing', 'Bogus'] })).toEqual({
      errorCode: 0, unknownStates: ['Bogus'], transactions: [{ transactionalId: 'b', producerId: 1001n, state: 'Ongoing' }],
    });
    expect(c.list({ ...all, producerIds: [1000n] }).transactions.map((t) => t.transactionalId)).toEqual(['a']);
    expect(c.list({ ...all, minDurationMs: 6000 }).transactions.map((t) => t.transactionalId)).toEqual(['a']); // as Kafka: no start time counts as long ago
    expect(c.list({ ...all, minDurationMs: 4000 }).transactions.map((t) => t.transactionalId)).toEqual(['a', 'b']);
    expect(c.list({ ...all, idPattern: /^(?:a)$/ }).transactions.map((t) => t.transactionalId)).toEqual(['a']);
    expect(await c.describe('b')).toMatchObject({ errorCode: 0, state: 'Ongoing', timeoutMs: 60_000, startTimeMs: 1_000_000n, producerEpoch: 0, topics: [{ topic: 't', partitions: [0, 1] }] });
  });

  it('transaction version 2 (EndTxn v5): every end bumps the epoch', async () => {
    const { c, logs } = await open();
    await c.initProducerId('app', 60_000);
    await c.addPartitions('app', 1000n, 0, parts(['t', 0]));
    expect(await c.endTxn('app', 1000n, 0, true, 2)).toEqual({ errorCode: 0, producerId: 1000n, producerEpoch: 1 });
    await drain();
    expect(await markersIn(logs.getLog('t', 0)!)).toEqual([[1000n, 1, true]]);
    // A retry of that EndTxn (with the epoch it was sent with) is recognised.
    expect(await c.endTxn('app', 1000n, 0, true, 2)).toEqual({ errorCode: 0, producerId: 1000n, producerEpoch: 1 });
    expect(await c.addPartitions('app', 1000n, 1, parts(['t', 0]))).toBe(0);
  });

  it('snapshots __transaction_state so replay reads about one record per id, and a restart sees the same state', async () => {
    let h = await open({ over: { numPartitions: 1 } });
    for (let i = 0; i < 1200; i++) await h.c.initProducerId(`id-${i % 10}`, 60_000);
    const log = h.logs.getLog(TRANSACTION_STATE_TOPIC, 0)!;
    await drain();
    expect(log.logStartOffset).toBeGreaterThan(0n);
    expect(Number(log.logEndOffset - log.logStartOffset)).toBeLessThan(300);
    h = await restart(h);
    expect(h.c.metadata('id-3')).toMatchObject({ producerId: 1003n, producerEpoch: 119 });
  });

  it('writes Kafka\'s record format to __transaction_state', async () => {
    const h = await open();
    await h.c.initProducerId('app', 60_000);
    await h.c.addPartitions('app', 1000n, 0, parts(['t', 1], ['t', 0]));
    const { records } = await h.logs.getLog(TRANSACTION_STATE_TOPIC, h.c.partitionFor('app'))!.read(0n, 1 << 20);
    expect(baseOffsetAt(records, batchSizeAt(records, 0))).toBe(1n);
    const md = h.c.metadata('app')!;
    const rec = transactionLogRecord('app', { ...md, prevProducerId: -1n, state: 'Ongoing' });
    expect(rec.key.toString('hex')).toBe('0000' + '0003' + Buffer.from('app').toString('hex'));
    // value v0: producer id, epoch, timeout, status 1 (Ongoing), [t: 0, 1], last update, start
    expect(rec.value!.toString('hex')).toBe([
      '0000', '00000000000003e8', '0000', '0000ea60', '01',
      '00000001', '0001', '74', '00000002', '00000000', '00000001',
      BigInt(1_000_000).toString(16).padStart(16, '0'), BigInt(1_000_000).toString(16).padStart(16, '0'),
    ].join(''));
  });
});

describe('TransactionCoordinator loading', () => {
  it('skips a record it cannot read instead of failing to start', async () => {
    const h = await open();
    await h.c.initProducerId('app', 60_000);
    const log = h.logs.getLog(TRANSACTION_STATE_TOPIC, h.c.partitionFor('app'))!;
    await CoordinatorLog.over(TRANSACTION_STATE_TOPIC, [log], h.clock).append(0, [
      { key: Buffer.from([0, 9, 1, 2]), value: Buffer.from('not a transaction record') },
      { key: transactionLogRecord('app', { ...h.c.metadata('app')!, state: 'Empty' }).key, value: Buffer.from([0, 7, 0]) },
    ]);
    const again = await restart(h);
    expect(again.c.metadata('app')).toMatchObject({ producerId: 1000n, producerEpoch: 0, state: 'Empty' });
  });
});
