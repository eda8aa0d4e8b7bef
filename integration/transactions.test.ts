/**
 * Issue 12, transactions and exactly-once, with real clients: KafkaJS `producer.transaction()`
 * commit and abort read by read_committed and read_uncommitted consumers; a KafkaJS
 * consume-transform-produce app killed -9 mid-transaction and restarted, with every input exactly
 * once in the output; librdkafka (Debian's python3-confluent-kafka) transactions and
 * send_offsets_to_transaction; fencing; kill -9 of the broker mid-transaction; and the admin APIs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { DescribeProducers } from '../protocol/messages/61-describe-producers.js';
import { DescribeTransactions } from '../protocol/messages/65-describe-transactions.js';
import { ListTransactions } from '../protocol/messages/66-list-transactions.js';
import { ListOffsets } from '../protocol/messages/02-list-offsets.js';
import { OffsetFetch } from '../protocol/messages/09-offset-fetch.js';
import { kafkajs, resolveTarget, ROOT, startBroker, type BrokerHandle } from './harness.js';
import { callApi } from './raw-client.js';

const target = await resolveTarget();
const PYTHON = '/usr/bin/python3';
const hasConfluentKafka = spawnSync(PYTHON, ['-c', 'import confluent_kafka']).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createTopic(kafka: Kafka, topic: string, partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
}

/**
 * Everything a KafkaJS consumer (a fresh group) reads from the topic: until `expected` values
 * arrived, then `settleMs` more to catch any that should not be there.
 */
interface ConsumeOptions {
  readonly readUncommitted?: boolean;
  readonly expected: number;
  readonly settleMs?: number;
  readonly timeoutMs?: number;
}

async function consumeValues(kafka: Kafka, topic: string, opts: ConsumeOptions): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Math.random().toString(16).slice(2)}`, readUncommitted: opts.readUncommitted ?? false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const values: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (values.length < opts.expected && Date.now() < deadline) await sleep(50);
  await sleep(opts.settleMs ?? 1000);
  await consumer.disconnect();
  return values;
}

/** The LSO (ListOffsets latest, read_committed) and the high watermark of a partition. */
async function stableAndHigh(broker: BrokerHandle, topic: string, partition = 0): Promise<[bigint, bigint]> {
  const at = async (isolationLevel: number) => {
    const r = await callApi(broker.port, ListOffsets, 7, {
      replicaId: -1, isolationLevel, timeoutMs: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
    });
    return r.topics[0]!.partitions[0]!.offset;
  };
  return [await at(1), await at(0)];
}

function python(args: string[], timeoutMs = 90_000): Record<string, unknown> {
  const r = spawnSync(PYTHON, [join(ROOT, 'integration', 'apps', 'rdkafka_txn.py'), ...args], { timeout: timeoutMs });
  if (r.error) throw r.error;
  const out = r.stdout.toString().trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !out.startsWith('{')) throw new Error(`rdkafka_txn.py ${args[0]} failed (${r.status}): ${r.stderr.toString()}`);
  return JSON.parse(out) as Record<string, unknown>;
}

describe.skipIf(target.skipReason !== undefined)('transactions', () => {
  let broker: BrokerHandle;
  let kafka: Kafka;
  beforeAll(async () => {
    broker = await startBroker({
      overrides: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500', 'group.min.session.timeout.ms': '1000' },
    });
    kafka = kafkajs(broker);
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('KafkaJS producer.transaction(): read_committed sees committed transactions only, read_uncommitted sees every record', async () => {
    const topic = 'kjs-txn';
    await createTopic(kafka, topic, 2);
    const producer = kafka.producer({ transactionalId: 'kjs-commit-abort', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const run = async (values: string[], commit: boolean) => {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: values.map((v, i) => ({ key: `k${i}`, value: v })) });
      await (commit ? txn.commit() : txn.abort());
    };
    await run(['c1', 'c2', 'c3'], true);
    await run(['a1', 'a2', 'a3'], false);
    await run(['c4'], true);
    await run(['a4', 'a5'], false);
    await producer.disconnect();
    const committed = await consumeValues(kafka, topic, { expected: 4 });
    expect(committed.sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
    const all = await consumeValues(kafka, topic, { expected: 9, readUncommitted: true });
    expect(all.sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'c1', 'c2', 'c3', 'c4']);
  });

  it('an open transaction holds read_committed consumers at its first offset (the LSO) until it commits', async () => {
    const topic = 'kjs-open-txn';
    await createTopic(kafka, topic);
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, messages: [{ value: 'before' }] });
    const producer = kafka.producer({ transactionalId: 'kjs-open', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'inside' }] });
    await plain.send({ topic, messages: [{ value: 'after-plain' }] });
    expect(await stableAndHigh(broker, topic)).toEqual([1n, 3n]);
    expect(await consumeValues(kafka, topic, { expected: 1, settleMs: 1500 })).toEqual(['before']);
    await txn.commit();
    expect(await stableAndHigh(broker, topic)).toEqual([4n, 4n]);
    expect(await consumeValues(kafka, topic, { expected: 3 })).toEqual(['before', 'inside', 'after-plain']);
    await producer.disconnect();
    await plain.disconnect();
  });

  it('fencing: a second producer with the same transactional id aborts and fences the first', async () => {
    const topic = 'kjs-fence';
    await createTopic(kafka, topic);
    const first = kafka.producer({ transactionalId: 'fenced-app', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50 } });
    await first.connect();
    const old = await first.transaction();
    await old.send({ topic, messages: [{ value: 'zombie' }] });
    const second = kafka.producer({ transactionalId: 'fenced-app', idempotent: true, maxInFlightRequests: 1 });
    await second.connect();
    // KafkaJS sends InitProducerId with the transactional id at the first transaction(): that aborts
    // the first instance's transaction and bumps the epoch.
    const txn = await second.transaction();
    await expect(old.commit()).rejects.toThrow(/epoch|fenced/i);
    await expect(old.send({ topic, messages: [{ value: 'zombie-2' }] })).rejects.toThrow();
    await txn.send({ topic, messages: [{ value: 'live' }] });
    await txn.commit();
    expect(await consumeValues(kafka, topic, { expected: 1 })).toEqual(['live']);
    expect((await consumeValues(kafka, topic, { expected: 2, readUncommitted: true })).sort()).toEqual(['live', 'zombie']);
    await first.disconnect().catch(() => {});
    await second.disconnect();
  });

  it('KafkaJS consume-transform-produce with sendOffsets, killed -9 mid-transaction and restarted: every input exactly once', async () => {
    const [input, output, group] = ['eos-in', 'eos-out', 'eos-group'];
    await createTopic(kafka, input, 2);
    await createTopic(kafka, output, 2);
    const plain = kafka.producer();
    await plain.connect();
    for (let i = 0; i < 20; i++) {
      await plain.send({ topic: input, messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${(i * 10 + j) % 5}`, value: `in-${i * 10 + j}` })) });
    }
    await plain.disconnect();

    const app = (crashInTxn: number) => {
      const child = spawn(process.execPath, [join(ROOT, 'integration', 'apps', 'kjs-eos-transform.mjs')], {
        env: { ...process.env, BOOTSTRAP: broker.bootstrap, IN: input, OUT: output, GROUP: group, TXN_ID: 'eos-app', CRASH_IN_TXN: String(crashInTxn) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const lines: string[] = [];
      child.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
      return { child, lines };
    };
    const waitFor = async (lines: string[], pred: (l: string) => boolean, child: ChildProcess) => {
      const deadline = Date.now() + 45_000;
      while (!lines.some(pred) && Date.now() < deadline && child.exitCode === null) await sleep(50);
      expect(lines.some(pred), `app output: ${lines.join(' | ')}`).toBe(true);
    };

    const crashing = app(3);
    await waitFor(crashing.lines, (l) => l === 'IN-TXN', crashing.child);
    crashing.child.kill('SIGKILL');
    await new Promise((r) => crashing.child.once('exit', r));
    // The third transaction's records are in the log, undecided: read_committed does not see them.
    const beforeRestart = await consumeValues(kafka, output, { expected: 1, settleMs: 1000 });
    expect(beforeRestart.length).toBeLessThan(200);

    const restarted = app(0);
    try {
      // It resumes from the offsets the crashed instance committed in its transactions.
      await waitFor(restarted.lines, (l) => l.startsWith('COMMITTED'), restarted.child);
      const out = await consumeValues(kafka, output, { expected: 200, settleMs: 2000, timeoutMs: 45_000 });
      expect(out).toHaveLength(200);
      expect(new Set(out)).toEqual(new Set(Array.from({ length: 200 }, (_, i) => `out:in-${i}`)));
      // Without the transactions, the crashed one's records would be there twice.
      const raw = await consumeValues(kafka, output, { expected: 201, readUncommitted: true, timeoutMs: 5000 });
      expect(raw.length).toBeGreaterThan(200);
    } finally {
      restarted.child.kill('SIGTERM');
      await new Promise((r) => restarted.child.once('exit', r));
    }
  });

  it.skipIf(!hasConfluentKafka)('librdkafka (python3-confluent-kafka): commit and abort, read by read_committed and read_uncommitted consumers', () => {
    const topic = 'rdk-txn';
    expect(python(['produce', broker.bootstrap, topic, 'rdk-app'])).toEqual({ ok: true });
    const committed = python(['consume', broker.bootstrap, topic, 'rdk-rc', 'read_committed', '3']).values as string[];
    expect(committed).toEqual(['c1', 'c2', 'c3']);
    const all = python(['consume', broker.bootstrap, topic, 'rdk-ru', 'read_uncommitted', '5']).values as string[];
    expect(all).toEqual(['c1', 'c2', 'a1', 'a2', 'c3']);
  });

  it.skipIf(!hasConfluentKafka)('librdkafka consume-transform-produce: send_offsets_to_transaction commits the group\'s offsets with the output', async () => {
    const [input, output] = ['rdk-in', 'rdk-out'];
    await createTopic(kafka, input);
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: input, messages: Array.from({ length: 50 }, (_, i) => ({ value: `r${i}` })) });
    await plain.disconnect();
    expect(python(['transform', broker.bootstrap, input, output, 'rdk-eos', 'rdk-eos-app'])).toEqual({ transformed: 50, committed: [50] });
    const out = await consumeValues(kafka, output, { expected: 50 });
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => `out:r${i}`));
    // Run again: the committed offsets say everything is done.
    expect(python(['transform', broker.bootstrap, input, output, 'rdk-eos', 'rdk-eos-app'])).toEqual({ transformed: 0, committed: [50] });
  });

  it('DescribeTransactions, ListTransactions and DescribeProducers show an open transaction; OffsetFetch require_stable answers 88 for its offsets', async () => {
    const topic = 'kjs-admin-txn';
    await createTopic(kafka, topic);
    const producer = kafka.producer({ transactionalId: 'admin-app', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'x' }] });
    await txn.sendOffsets({ consumerGroupId: 'admin-group', topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] });

    const described = await callApi(broker.port, DescribeTransactions, 0, { transactionalIds: ['admin-app', 'nobody'] });
    expect(described.transactionStates[0]).toMatchObject({ errorCode: 0, transactionState: 'Ongoing', producerEpoch: 0 });
    expect(described.transactionStates[0]!.topics.map((t) => t.topic).sort()).toEqual(['__consumer_offsets', topic]);
    expect(described.transactionStates[1]!.errorCode).toBe(105);
    const listed = await callApi(broker.port, ListTransactions, 1, { stateFilters: ['Ongoing'], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null });
    expect(listed.transactionStates.map((t) => t.transactionalId)).toContain('admin-app');
    const producers = await callApi(broker.port, DescribeProducers, 0, { topics: [{ name: topic, partitionIndexes: [0] }] });
    expect(producers.topics[0]!.partitions[0]!.activeProducers).toEqual([expect.objectContaining({ currentTxnStartOffset: 0n, producerEpoch: 0 })]);
    const fetchOffsets = (requireStable: boolean) => callApi(broker.port, OffsetFetch, 7, {
      groupId: 'admin-group', topics: [{ name: topic, partitionIndexes: [0] }], requireStable, groups: [],
    });
    expect((await fetchOffsets(true)).topics[0]!.partitions[0]).toMatchObject({ errorCode: 88, committedOffset: -1n });
    expect((await fetchOffsets(false)).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, committedOffset: -1n });
    await txn.commit();
    await sleep(200);
    expect((await fetchOffsets(true)).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, committedOffset: 1n });
    await producer.disconnect();
  });

  it.skipIf(target.kind !== 'tafka')('kill -9 of the broker mid-transaction: nothing undecided is visible; the coordinator aborts it on timeout and the LSO advances', async () => {
    const topic = 'crash-txn';
    await createTopic(kafka, topic);
    const producer = kafka.producer({ transactionalId: 'crash-app', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 3000 });
    await producer.connect();
    const done = await producer.transaction();
    await done.send({ topic, messages: [{ value: 'committed-before' }] });
    await done.commit();
    const open = await producer.transaction();
    await open.send({ topic, messages: [{ value: 'open-at-crash' }, { value: 'open-at-crash-2' }] });
    await producer.disconnect().catch(() => {});

    await broker.crashAndRestart();
    const client = kafkajs(broker);
    // Undecided after the restart: read_committed stops before it.
    const [lso, hw] = await stableAndHigh(broker, topic);
    expect(hw).toBe(4n);
    expect(lso).toBeLessThanOrEqual(2n);
    expect(await consumeValues(client, topic, { expected: 1, settleMs: 500 })).toEqual(['committed-before']);
    // transaction.timeout.ms (3 s) passes: the coordinator aborts it (checked every 500 ms here).
    const deadline = Date.now() + 15_000;
    while ((await stableAndHigh(broker, topic))[0] < 5n && Date.now() < deadline) await sleep(200);
    expect(await stableAndHigh(broker, topic)).toEqual([5n, 5n]);
    const after = client.producer({ transactionalId: 'crash-app', idempotent: true, maxInFlightRequests: 1 });
    await after.connect();
    const txn = await after.transaction();
    await txn.send({ topic, messages: [{ value: 'committed-after' }] });
    await txn.commit();
    await after.disconnect();
    expect(await consumeValues(client, topic, { expected: 2 })).toEqual(['committed-before', 'committed-after']);
  });
});
