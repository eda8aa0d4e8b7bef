/**
 * What transactions cost: one Node connection drives a real Tafka process with pre-built requests,
 * 100 B records in batches of 1,000, one batch per transaction, and compares
 *
 * - idempotent produce: Produce v7 with a producer id and sequences, one request at a time;
 * - transactional produce: per transaction AddPartitionsToTxn, the same Produce (transactional
 *   batch), EndTxn(commit) — one request at a time, as a transaction is a sequence;
 *
 * and times each commit: the EndTxn round trip (what the client waits for: the decision written to
 * `__transaction_state`). A separate, shorter run times until a commit is readable under
 * read_committed: ListOffsets with isolation level 1, polled right after EndTxn, shows the LSO past
 * the COMMIT marker (polled apart from the throughput runs, whose time it would inflate). Rounds
 * alternate, the median is reported.
 *
 *   node dist/test/bench/txn-bench.js [--transactions 300] [--rounds 3] [--profile]
 *
 * With --profile the broker runs under `node --cpu-prof` and the .cpuprofile is kept.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Produce } from '../../protocol/messages/00-produce.js';
import { ListOffsets } from '../../protocol/messages/02-list-offsets.js';
import { InitProducerId } from '../../protocol/messages/22-init-producer-id.js';
import { AddPartitionsToTxn } from '../../protocol/messages/24-add-partitions-to-txn.js';
import { EndTxn } from '../../protocol/messages/26-end-txn.js';
import { FindCoordinator } from '../../protocol/messages/10-find-coordinator.js';
import type { ApiSpec, MessageOf } from '../../protocol/schema.js';
import { codecFor } from '../../src/codec/interpret.js';
import { encodeBatch, encodeRecords, TRANSACTIONAL_BIT } from '../../src/codec/record-batch.js';
import { cpuSeconds, freePort, kafkaConnection, waitForPort } from './bench-support.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const TRANSACTIONS = arg('transactions', 300);
const PROFILE = args.includes('--profile');
const ROUNDS = arg('rounds', 3);
const PER_BATCH = 1000;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

type Connection = Awaited<ReturnType<typeof kafkaConnection>>;
let correlation = 0;

/** One request on `conn`, encoded and decoded with Tafka's codec. */
async function call<A extends ApiSpec>(conn: Connection, api: A, version: number, body: MessageOf<A['request']>): Promise<MessageOf<A['response']>> {
  const req = codecFor(api.request, version);
  const res = codecFor(api.response, version);
  const frame = await conn.send(conn.frame(api.apiKey, version, ++correlation, Buffer.concat(req.encode(body)), req.flexible));
  return res.decode(frame, res.flexible ? 5 : 4) as MessageOf<A['response']>;
}

const value = Buffer.alloc(100, 'x');
const records = encodeRecords(Array.from({ length: PER_BATCH }, () => ({ value })));

function produceBody(topic: string, producerId: bigint, epoch: number, sequence: number, transactionalId: string | null): MessageOf<typeof Produce.request> {
  const batch = encodeBatch({
    attributes: transactionalId ? TRANSACTIONAL_BIT : 0, lastOffsetDelta: PER_BATCH - 1, recordsCount: PER_BATCH, baseTimestamp: Date.now(), records,
    producerId, producerEpoch: epoch, baseSequence: sequence,
  });
  return { transactionalId, acks: -1, timeoutMs: 30_000, topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: 0, records: batch }] }] };
}

async function produce(conn: Connection, body: MessageOf<typeof Produce.request>): Promise<void> {
  const code = (await call(conn, Produce, 7, body)).responses[0]!.partitionResponses[0]!.errorCode;
  if (code !== 0) throw new Error(`produce failed with error ${code}`);
}

async function initProducerId(conn: Connection, transactionalId: string | null): Promise<{ producerId: bigint; producerEpoch: number }> {
  const r = await call(conn, InitProducerId, 1, {
    transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false,
  });
  if (r.errorCode !== 0) throw new Error(`InitProducerId failed with error ${r.errorCode}`);
  return r;
}

async function lastStableOffset(conn: Connection, topic: string): Promise<bigint> {
  const r = await call(conn, ListOffsets, 2, {
    replicaId: -1, isolationLevel: 1, timeoutMs: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
  });
  return r.topics[0]!.partitions[0]!.offset;
}

async function idempotentSeconds(conn: Connection, topic: string): Promise<number> {
  const { producerId, producerEpoch } = await initProducerId(conn, null);
  const bodies = Array.from({ length: TRANSACTIONS }, (_, i) => produceBody(topic, producerId, producerEpoch, i * PER_BATCH, null));
  const start = process.hrtime.bigint();
  for (const body of bodies) await produce(conn, body);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

interface TxnRun {
  seconds: number;
  /** Per transaction: EndTxn round trip, and EndTxn sent to LSO past the marker, in ms. */
  endTxnMs: number[];
  visibleMs: number[];
}

async function transactionalRun(conn: Connection, topic: string, transactionalId: string, transactions: number, measureVisibility: boolean): Promise<TxnRun> {
  await call(conn, FindCoordinator, 1, { key: transactionalId, keyType: 1, coordinatorKeys: [] });
  const { producerId, producerEpoch } = await initProducerId(conn, transactionalId);
  const bodies = Array.from({ length: transactions }, (_, i) => produceBody(topic, producerId, producerEpoch, i * PER_BATCH, transactionalId));
  const endTxnMs: number[] = [];
  const visibleMs: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < transactions; i++) {
    const added = await call(conn, AddPartitionsToTxn, 1, {
      transactions: [], v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions: [0] }],
    });
    const code = added.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode;
    if (code !== 0) throw new Error(`AddPartitionsToTxn failed with error ${code}`);
    await produce(conn, bodies[i]!);
    const t0 = process.hrtime.bigint();
    const ended = await call(conn, EndTxn, 1, { transactionalId, producerId, producerEpoch, committed: true });
    if (ended.errorCode !== 0) throw new Error(`EndTxn failed with error ${ended.errorCode}`);
    endTxnMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!measureVisibility) continue;
    // Data, then the marker: the LSO passes (i + 1) * (PER_BATCH + 1) once the marker is written.
    const target = BigInt((i + 1) * (PER_BATCH + 1));
    while ((await lastStableOffset(conn, topic)) < target);
    visibleMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, endTxnMs, visibleMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tafka-txn-bench-'));
  const port = await freePort();
  const broker = spawn(process.execPath, [
    ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
    join(ROOT, 'dist/src/main.js'), 'start', '--port', String(port), '--host', '127.0.0.1', '--data-dir', join(dir, 'data'), '--log-level', 'warn',
    '--override', `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
  ], { stdio: 'inherit' });
  await waitForPort(port);
  const conn = await kafkaConnection(port);
  const times: Record<'idempotent' | 'transactional', number[]> = { idempotent: [], transactional: [] };
  const cpu: Record<'idempotent' | 'transactional', number> = { idempotent: 0, transactional: 0 };
  const endTxnMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of round % 2 === 0 ? (['idempotent', 'transactional'] as const) : (['transactional', 'idempotent'] as const)) {
      const topic = `txn-bench-${kind}-${round}`;
      spawnSync('kcat', ['-b', `127.0.0.1:${port}`, '-L', '-t', topic]); // auto-creates the topic
      const before = cpuSeconds(broker.pid!);
      if (kind === 'idempotent') times.idempotent.push(await idempotentSeconds(conn, topic));
      else {
        const run = await transactionalRun(conn, topic, `bench-${round}`, TRANSACTIONS, false);
        times.transactional.push(run.seconds);
        endTxnMs.push(...run.endTxnMs);
      }
      cpu[kind] += cpuSeconds(broker.pid!) - before;
    }
  }
  spawnSync('kcat', ['-b', `127.0.0.1:${port}`, '-L', '-t', 'txn-bench-visibility']);
  const visibleMs = (await transactionalRun(conn, 'txn-bench-visibility', 'bench-visibility', Math.max(20, TRANSACTIONS / 3), true)).visibleMs;
  conn.close();
  broker.kill('SIGTERM');
  await new Promise((r) => broker.once('exit', r));
  if (PROFILE) console.log(`cpu profile in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });

  const messages = TRANSACTIONS * PER_BATCH;
  const rows: string[][] = [];
  for (const kind of ['idempotent', 'transactional'] as const) {
    const t = median(times[kind]);
    const ratio = kind === 'transactional' ? ` (${((median(times.idempotent) / t) * 100).toFixed(0)}% of idempotent)` : '';
    rows.push([
      `${kind}: ${TRANSACTIONS} x ${PER_BATCH} x 100 B, 1 in flight${ratio}`,
      Math.round(messages / t).toLocaleString(),
      ((messages * 100) / 1e6 / t).toFixed(1),
      (cpu[kind] / ROUNDS).toFixed(2),
    ]);
  }
  const header = ['produce (median of rounds)', 'messages/s', 'MB/s', 'broker CPU s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(fmt(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(fmt(r));
  console.log('');
  console.log(`| commit latency (${endTxnMs.length} commits) | p50 ms | p99 ms |`);
  console.log('|---|---|---|');
  console.log(`| EndTxn round trip (decision written) | ${percentile(endTxnMs, 50).toFixed(2)} | ${percentile(endTxnMs, 99).toFixed(2)} |`);
  console.log(`| EndTxn sent → readable under read_committed (${visibleMs.length} commits) | ${percentile(visibleMs, 50).toFixed(2)} | ${percentile(visibleMs, 99).toFixed(2)} |`);
}

await main();
