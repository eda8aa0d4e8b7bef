/**
 * Side by side (issue 18): the same loads against Tafka and against librdkafka's in-process mock
 * broker, written in C, kept in memory, no disk I/O (`test/bench/mock-peer.py`) — and against
 * KAFKA_BOOTSTRAP too when it is set. Each round starts a fresh Tafka and a fresh peer, then runs
 * every load against each target in turn, the order flipped every round so that whatever one run
 * leaves behind (page cache, GC, the other helpers on a shared machine) falls on both. Prints
 * min / median / max per load and target, and the ratio of the medians, Tafka to peer.
 *
 * Loads (one partition; kcat 1.7 / librdkafka 2.0 and python3-confluent-kafka as clients):
 * - produce N x 100 B, kcat, linger.ms=5, batch.num.messages=10000;
 * - produce N/10 x 1 KB, kcat, same settings;
 * - consume both back with kcat (librdkafka's default fetch sizes), timed from the first message
 *   to the last, so the final end-of-log long poll does not count;
 * - acks=all latency at 2,000 and 50,000 msg/s, linger.ms=0 (`test/bench/acks-latency.py`:
 *   librdkafka's own produce-to-acknowledgement latency, p50 / p99 / max).
 * For Tafka and the peer, the server's CPU seconds (user + system from /proc/<pid>/stat) per MB moved
 * are reported too; the peer's process also holds an idle librdkafka client, so its figure is an
 * upper bound.
 *
 *   make bench-compare            (5 rounds, 1,000,000 messages)
 *   node dist/test/bench/compare-bench.js [--rounds 5] [--messages 1000000]
 *        [--latency-rates 2000,50000] [--latency-seconds 5]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, freePort, makeInput, ROOT, startTafka, stopProcess, timed, numberArg } from './bench-support.js';

const PEER = 'C mock peer';
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-confluent-kafka lives

const ROUNDS = numberArg('rounds', 5);
const SMALL = numberArg('messages', 1_000_000);
const LARGE = Math.max(1, Math.round(SMALL / 10));
/** The rates of the acks=all latency loads: issue 18's 2,000 and 50,000 messages a second. */
const LATENCY_RATES = latencyRates();
const LATENCY_SECONDS = numberArg('latency-seconds', 5);

interface Target {
  readonly name: string;
  readonly bootstrap: string;
  /** The server process, for its CPU time; undefined for an external broker. */
  readonly pid?: number;
  stop(): Promise<void>;
}

/** Metric name -> value for one run of one load against one target. */
type Figures = Record<string, number>;

const PRODUCER = ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=2000000', '-X', 'queue.buffering.max.kbytes=2000000'];

/** The server's CPU time during `run`, in ms per MB moved, added to its figures (when it has a pid). */
type Measured = { figures: Figures; messages: number };

async function withCpu(target: Target, size: number, run: () => Promise<Measured> | Measured): Promise<Figures> {
  const before = target.pid ? cpuSeconds(target.pid) : 0;
  const { figures, messages } = await run();
  if (target.pid) figures['server CPU ms/MB'] = ((cpuSeconds(target.pid) - before) * 1000) / ((messages * size) / 1e6);
  return figures;
}

function produce(target: Target, topic: string, input: string, count: number, size: number): Promise<Figures> {
  timed('kcat', ['-b', target.bootstrap, '-L', '-t', topic]); // creates the topic, outside the timing
  return withCpu(target, size, () => {
    const { seconds } = timed('kcat', ['-b', target.bootstrap, '-P', '-t', topic, '-p', '0', ...PRODUCER], input);
    return { figures: { 'msg/s': count / seconds }, messages: count };
  });
}

/**
 * kcat reading a partition from the start to its end; seconds from the first output byte to the
 * last, and how many messages came. With `count`, kcat stops after that many.
 */
function consumeSeconds(bootstrap: string, topic: string, count?: number): Promise<{ seconds: number; messages: number }> {
  return new Promise((resolve, reject) => {
    const limit = count === undefined ? [] : ['-c', String(count)];
    const kcat: ChildProcess = spawn('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', ...limit, '-f', '\\n']);
    let first = 0n;
    let last = 0n;
    let messages = 0;
    kcat.stdout!.on('data', (d: Buffer) => {
      last = process.hrtime.bigint();
      if (messages === 0) first = last;
      messages += d.length; // one newline per message
    });
    kcat.once('error', reject);
    kcat.once('close', (code) => {
      if (code !== 0 || messages === 0 || (count !== undefined && messages !== count)) reject(new Error(`kcat consume of ${topic}: exit ${code}, ${messages} messages`));
      else resolve({ seconds: Number(last - first) / 1e9, messages });
    });
  });
}

/**
 * Consumes what was produced. The mock broker keeps only the newest few MB of a partition (older
 * message sets are dropped as it appends), so against it kcat reads to the end of what is left and
 * the rate is over that; the others must give back every message.
 */
function consume(target: Target, topic: string, count: number, size: number): Promise<Figures> {
  const retained = target.name === PEER;
  return withCpu(target, size, async () => {
    const { seconds, messages } = await consumeSeconds(target.bootstrap, topic, retained ? undefined : count);
    const figures: Figures = { 'msg/s': messages / seconds };
    if (retained) figures['messages read'] = messages;
    return { figures, messages };
  });
}

function latencyRates(): number[] {
  const i = process.argv.indexOf('--latency-rates');
  return i < 0 ? [2000, 50_000] : process.argv[i + 1]!.split(',').map(Number);
}

function latency(target: Target, topic: string, rate: number): Figures {
  const { stdout } = timed(PYTHON, [join(ROOT, 'test/bench/acks-latency.py'), target.bootstrap, topic, String(rate), String(LATENCY_SECONDS)]);
  const r = JSON.parse(stdout) as { p50: number; p99: number; max: number };
  return { 'p50 ms': r.p50, 'p99 ms': r.p99, 'max ms': r.max };
}

const LOADS: { name: string; run: (t: Target, topic: string, inputs: { small: string; large: string }) => Promise<Figures> | Figures }[] = [
  { name: `produce ${SMALL.toLocaleString()} x 100 B`, run: (t, topic, i) => produce(t, `${topic}-100`, i.small, SMALL, 100) },
  { name: `produce ${LARGE.toLocaleString()} x 1 KB`, run: (t, topic, i) => produce(t, `${topic}-1000`, i.large, LARGE, 1000) },
  { name: `consume ${SMALL.toLocaleString()} x 100 B`, run: (t, topic) => consume(t, `${topic}-100`, SMALL, 100) },
  { name: `consume ${LARGE.toLocaleString()} x 1 KB`, run: (t, topic) => consume(t, `${topic}-1000`, LARGE, 1000) },
  ...LATENCY_RATES.map((rate) => ({
    name: `acks=all at ${rate.toLocaleString()} msg/s`, run: (t: Target, topic: string) => latency(t, `${topic}-latency-${rate}`, rate),
  })),
];

/** The mock broker: a Python process whose first stdout line is the broker's host:port. */
async function startPeer(): Promise<Target> {
  const child = spawn(PYTHON, [join(ROOT, 'test/bench/mock-peer.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    child.once('exit', (code) => reject(new Error(`mock peer exited with ${code} (is python3-confluent-kafka installed?)`)));
  });
  return { name: PEER, bootstrap, pid: child.pid, stop: () => stopProcess(child) };
}

async function startTafkaTarget(dir: string, round: number): Promise<Target> {
  const port = await freePort();
  const broker = await startTafka(port, join(dir, `data-${round}`));
  return { name: 'Tafka', bootstrap: `127.0.0.1:${port}`, pid: broker.pid, stop: () => stopProcess(broker) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fmt = (x: number) => (!Number.isFinite(x) ? '—' : x >= 100 ? Math.round(x).toLocaleString() : x.toFixed(x >= 10 ? 1 : 2));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tafka-compare-'));
  const inputs = { small: makeInput(dir, SMALL, 100), large: makeInput(dir, LARGE, 1000) };
  // results[load][target][metric] = one value per round
  const results = new Map<string, Map<string, Map<string, number[]>>>();
  const runId = Date.now().toString(36);
  for (let round = 0; round < ROUNDS; round++) {
    const targets = [await startTafkaTarget(dir, round), await startPeer()];
    const external = process.env.KAFKA_BOOTSTRAP;
    if (external) targets.push({ name: `KAFKA_BOOTSTRAP ${external}`, bootstrap: external, stop: async () => {} });
    if (round % 2 === 1) targets.reverse();
    try {
      for (const load of LOADS) {
        for (const target of targets) {
          const figures = await load.run(target, `compare-${runId}-${round}`, inputs);
          const byTarget = results.get(load.name) ?? results.set(load.name, new Map()).get(load.name)!;
          const byMetric = byTarget.get(target.name) ?? byTarget.set(target.name, new Map()).get(target.name)!;
          for (const [metric, value] of Object.entries(figures)) (byMetric.get(metric) ?? byMetric.set(metric, []).get(metric)!).push(value);
        }
      }
    } finally {
      for (const t of targets) await t.stop();
      rmSync(join(dir, `data-${round}`), { recursive: true, force: true });
    }
    console.error(`round ${round + 1} of ${ROUNDS} done`);
  }
  rmSync(dir, { recursive: true, force: true });

  console.log(`${ROUNDS} rounds, alternating; min / median / max; ratio = Tafka's median / the peer's`);
  console.log('| load | metric | Tafka | C mock peer | ratio |' + (process.env.KAFKA_BOOTSTRAP ? ' KAFKA_BOOTSTRAP |' : ''));
  console.log('|---|---|---|---|---|' + (process.env.KAFKA_BOOTSTRAP ? '---|' : ''));
  for (const [load, byTarget] of results) {
    const metrics = [...new Set([...byTarget.values()].flatMap((m) => [...m.keys()]))];
    for (const metric of metrics) {
      const cell = (name: string) => {
        const xs = [...byTarget.entries()].find(([n]) => n.startsWith(name))?.[1].get(metric);
        return xs ? `${fmt(Math.min(...xs))} / **${fmt(median(xs))}** / ${fmt(Math.max(...xs))}` : '';
      };
      const tafka = byTarget.get('Tafka')?.get(metric);
      const peer = byTarget.get(PEER)?.get(metric);
      const r = tafka && peer ? median(tafka) / median(peer) : NaN;
      const ratio = Number.isFinite(r) ? `${r.toFixed(2)}×` : '';
      console.log(`| ${load} | ${metric} | ${cell('Tafka')} | ${cell(PEER)} | ${ratio} |` + (process.env.KAFKA_BOOTSTRAP ? ` ${cell('KAFKA_BOOTSTRAP')} |` : ''));
    }
  }
}

await main();
