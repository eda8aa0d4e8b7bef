/**
 * What watching the broker costs produce throughput: the same pre-built Produce requests replayed
 * on one connection against three broker processes that differ only in their admin settings:
 *
 *   admin off         tafka.admin.listener empty: no taps at all (the baseline)
 *   inspector off     the admin server on (metrics, health), traffic capture off: the default
 *   inspector on      traffic capture on, with a page's event stream connected and reading
 *
 * Two workloads: many small requests (one 10-record batch each, where per-request costs show)
 * and fewer large ones (1,000 records each). Each round runs the three back to back (in alternating
 * order); reported are the medians of throughput and of the broker's CPU time per request (from
 * /proc), and the median over rounds of each setup's CPU per request relative to "admin off" in the
 * same round, which holds up best on a machine busy with other work.
 *
 * First, the tap alone: the nanoseconds the network tap adds to one request, in this process,
 * with capture off and on: the part of the difference that is this code and not the machine.
 *
 *   node dist/test/bench/inspector-bench.js [--rounds 5] [--requests 20000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Produce } from '../../protocol/messages/00-produce.js';
import { Metadata } from '../../protocol/messages/03-metadata.js';
import { NetworkTap } from '../../src/admin/network-tap.js';
import { NetworkStats } from '../../src/admin/stats.js';
import { TrafficCapture } from '../../src/admin/traffic.js';
import { monotonicNow } from '../../src/clock.js';
import { codecFor } from '../../src/codec/interpret.js';
import { encodeBatch, encodeRecords } from '../../src/codec/record-batch.js';
import { cpuSeconds, freePort, kafkaConnection, waitForPort, numberArg } from './bench-support.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const ROUNDS = numberArg('rounds', 5);
const SMALL_REQUESTS = numberArg('requests', 20_000);
const IN_FLIGHT = 8;

interface Setup {
  readonly name: string;
  readonly overrides: (adminPort: number) => string[];
  readonly watch?: boolean;
}

const SETUPS: Setup[] = [
  { name: 'admin off', overrides: () => ['tafka.admin.listener='] },
  { name: 'inspector off (default)', overrides: (p) => [`tafka.admin.listener=127.0.0.1:${p}`] },
  { name: 'inspector on, page open', overrides: (p) => [`tafka.admin.listener=127.0.0.1:${p}`, 'tafka.inspector.traffic.enable=true'], watch: true },
];

interface Running {
  readonly setup: Setup;
  readonly port: number;
  readonly child: ChildProcess;
  readonly dir: string;
  readonly times: Record<string, number[]>;
  readonly cpu: Record<string, number[]>;
  stopWatching?: () => void;
}

async function startBroker(setup: Setup): Promise<Running> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'tafka-inspector-bench-'));
  const argv = [join(ROOT, 'dist/src/main.js'), 'start', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dir, '--log-level', 'warn'];
  for (const o of setup.overrides(adminPort)) argv.push('--override', o);
  const child = spawn(process.execPath, argv, { stdio: 'inherit' });
  await waitForPort(port);
  const running: Running = { setup, port, child, dir, times: {}, cpu: {} };
  if (setup.watch) {
    // An open traffic page: the event stream, read as fast as it comes.
    await waitForPort(adminPort);
    const req = request({ host: '127.0.0.1', port: adminPort, path: '/api/traffic/stream' }, (res) => res.resume());
    req.end();
    running.stopWatching = () => req.destroy();
  }
  return running;
}

/** Pre-built Produce v7 request bodies of one batch of `perBatch` 100-byte records each. */
function produceBodies(topic: string, count: number, perBatch: number): Buffer[] {
  const codec = codecFor(Produce.request, 7);
  const records = encodeRecords(Array.from({ length: perBatch }, () => ({ value: Buffer.alloc(100, 'x') })));
  const batch = () => encodeBatch({ lastOffsetDelta: perBatch - 1, recordsCount: perBatch, baseTimestamp: Date.now(), records });
  const topicId = '00000000-0000-0000-0000-000000000000';
  const body = () => ({
    transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: topic, topicId, partitionData: [{ index: 0, records: batch() }] }],
  });
  return Array.from({ length: count }, () => Buffer.concat(codec.encode(body())));
}

/** Replays the requests (the first one untimed) with IN_FLIGHT outstanding; returns the seconds from first send to last answer. */
async function replay(b: Running, topic: string, count: number, perBatch: number): Promise<number> {
  const conn = await kafkaConnection(b.port);
  const requests = produceBodies(topic, count, perBatch).map((body, i) => conn.frame(0, 7, i, body, false));
  // Metadata creates the topic (auto-creation), outside the timing; then a first produce warms up.
  const metadata = codecFor(Metadata.request, 4).encode({ topics: [{ name: topic }], allowAutoTopicCreation: true } as never);
  await conn.send(conn.frame(3, 4, -1, Buffer.concat(metadata), false));
  await conn.send(requests[0]!);
  const decode = codecFor(Produce.response, 7);
  const start = process.hrtime.bigint();
  let next = 1;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < requests.length) {
        const answer = decode.decode(await conn.send(requests[next++]!), 4);
        const code = answer.responses[0]!.partitionResponses[0]!.errorCode;
        if (code !== 0) throw new Error(`produce failed with error ${code}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  conn.close();
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Nanoseconds per request through the network tap as src/server/connection.ts drives it. */
function tapNanos(capture: boolean): number {
  const tap = new NetworkTap(new NetworkStats(), new TrafficCapture(capture, () => 0, () => undefined), () => undefined);
  const conn = tap.connectionOpened('127.0.0.1:1');
  // Header (API key 0, version 7, correlation id 1, null client id), then the body.
  const requestFrame = Buffer.concat([Buffer.from([0, 0, 0, 7, 0, 0, 0, 1, 0xff, 0xff]), produceBodies('t', 1, 10)[0]!]);
  const header = { apiKey: 0, apiVersion: 7, correlationId: 1, clientId: null };
  const response = { throttleTimeMs: 0, responses: [] };
  const out = [Buffer.alloc(60)];
  const runs: number[] = [];
  const n = capture ? 50_000 : 500_000;
  for (let round = 0; round < 7; round++) {
    const start = monotonicNow();
    for (let i = 0; i < n; i++) {
      const probe = conn.request(header, Produce, requestFrame, {}, monotonicNow());
      probe.responded(response, out);
      probe.sent(false);
    }
    runs.push(((monotonicNow() - start) * 1e6) / n);
  }
  return median(runs);
}

async function main(): Promise<void> {
  console.log(`The network tap alone, per request: ${tapNanos(false).toFixed(0)} ns with capture off, ${tapNanos(true).toFixed(0)} ns with capture on (a 10-record Produce).\n`);
  const brokers: Running[] = [];
  for (const s of SETUPS) brokers.push(await startBroker(s));
  const workloads = [
    { name: `${SMALL_REQUESTS.toLocaleString()} requests x 10 records`, count: SMALL_REQUESTS, perBatch: 10 },
    { name: `${Math.round(SMALL_REQUESTS / 20).toLocaleString()} requests x 1,000 records`, count: Math.round(SMALL_REQUESTS / 20), perBatch: 1000 },
  ];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of workloads) {
        // Alternate the order each round, so no setup always runs first on a warm or cold machine.
        const order = round % 2 === 0 ? brokers : [...brokers].reverse();
        for (const b of order) {
          const cpu = cpuSeconds(b.child.pid!);
          const seconds = await replay(b, `bench-${w.perBatch}-${round}`, w.count + 1, w.perBatch);
          (b.times[w.name] ??= []).push(seconds);
          (b.cpu[w.name] ??= []).push(cpuSeconds(b.child.pid!) - cpu);
        }
      }
    }
    console.log(`Produce v7, acks=1, ${IN_FLIGHT} in flight on one connection, 100-byte records; median of ${ROUNDS} rounds`);
    for (const w of workloads) {
      console.log(`\n${w.name}`);
      const rows = [['setup', 'requests/s', 'records/s', 'MB/s', 'broker CPU µs/request', 'CPU vs admin off']];
      const baseCpu = brokers[0]!.cpu[w.name]!;
      for (const b of brokers) {
        const s = median(b.times[w.name]!);
        const cpuUs = (median(b.cpu[w.name]!) * 1e6) / w.count;
        const ratio = median(b.cpu[w.name]!.map((c, round) => c / baseCpu[round]!));
        rows.push([b.setup.name, Math.round(w.count / s).toLocaleString(), Math.round((w.count * w.perBatch) / s).toLocaleString(),
          ((w.count * w.perBatch * 100) / 1e6 / s).toFixed(1), cpuUs.toFixed(1), `${(ratio * 100).toFixed(0)}%`]);
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
    }
  } finally {
    for (const b of brokers) {
      b.stopWatching?.();
      b.child.kill('SIGTERM');
      await new Promise((r) => b.child.once('exit', r));
      rmSync(b.dir, { recursive: true, force: true });
    }
  }
}

await main();
