/**
 * Many partitions (issue 18): the broker's resident memory idle with 1,000 partitions, and produce
 * throughput to 1,000 partitions from 10 producers against the same 10 producers on one partition.
 *
 * Method. One fresh Tafka. Its RSS (VmRSS of /proc/<pid>/status) is read once it listens, and 5 s
 * and 30 s after a 1,000-partition topic was created (the second is the idle figure). Then, for several rounds, 10 kcat
 * producers in parallel (100 B messages, no key, linger.ms=5, batch.num.messages=10000 — librdkafka's
 * sticky partitioner spreads keyless messages over the partitions batch by batch) send to a
 * 1-partition topic and to the 1,000-partition one, the order flipped every round; msg/s counts all
 * 10 from the first start to the last exit. Prints min / median / max and the ratio of the medians.
 *
 *   node dist/test/bench/partitions-bench.js [--rounds 3] [--messages 1000000] [--partitions 1000] [--max-open-files N]
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { cpuSeconds, freePort, makeInput, numberArg, startTafka, stopProcess } from './bench-support.js';

const ROUNDS = numberArg('rounds', 3);
const MESSAGES = numberArg('messages', 1_000_000);
const PARTITIONS = numberArg('partitions', 1000);
const PRODUCERS = 10;
/** tafka.log.max.open.files for the broker (-1, the default: half of ulimit -n). */
const MAX_OPEN_FILES = numberArg('max-open-files', -1);
const PRODUCER = ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=2000000', '-X', 'queue.buffering.max.kbytes=2000000'];

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** `PRODUCERS` kcat processes at once, each sending its share of `input`; wall seconds for all. */
async function produceParallel(bootstrap: string, topic: string, input: string, partitioned: boolean): Promise<number> {
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: PRODUCERS }, () => new Promise<void>((resolve, reject) => {
    const argv = ['-b', bootstrap, '-P', '-t', topic, ...(partitioned ? [] : ['-p', '0']), ...PRODUCER];
    // One message per line of stdin (a file argument would be sent as one message).
    const stdin = openSync(input, 'r');
    const kcat = spawn('kcat', argv, { stdio: [stdin, 'ignore', 'inherit'] });
    kcat.once('exit', (code) => {
      closeSync(stdin);
      if (code === 0) resolve();
      else reject(new Error(`kcat exited with ${code}`));
    });
  })));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[s.length >> 1]!, max: s[s.length - 1]! };
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const dir = mkdtempSync(join(tmpdir(), 'tafka-partitions-'));
const port = await freePort();
const broker = await startTafka(port, join(dir, 'data'), [], { 'tafka.log.max.open.files': String(MAX_OPEN_FILES) });
const bootstrap = `127.0.0.1:${port}`;
try {
  const pid = broker.pid!;
  const started = rssMiB(pid);
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'wide', numPartitions: PARTITIONS }, { topic: 'narrow', numPartitions: 1 }] });
  await admin.disconnect();
  // Right after the burst of creating them, and once V8's memory reducer has shrunk the heap
  // again (it runs after some seconds without allocation).
  await sleep(5000);
  const busy = rssMiB(pid);
  await sleep(25_000);
  const idle = rssMiB(pid);
  console.log(`RSS: ${started.toFixed(0)} MiB listening; with ${PARTITIONS + 1} partitions ${busy.toFixed(0)} MiB 5 s after creating them, ${idle.toFixed(0)} MiB idle 30 s after`);

  const input = makeInput(dir, Math.round(MESSAGES / PRODUCERS), 100);
  const rates: Record<'narrow' | 'wide', number[]> = { narrow: [], wide: [] };
  const cpu: Record<'narrow' | 'wide', number[]> = { narrow: [], wide: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order: ('narrow' | 'wide')[] = round % 2 === 0 ? ['narrow', 'wide'] : ['wide', 'narrow'];
    for (const topic of order) {
      const before = cpuSeconds(pid);
      const seconds = await produceParallel(bootstrap, topic, input, topic === 'wide');
      rates[topic].push(MESSAGES / seconds);
      cpu[topic].push(((cpuSeconds(pid) - before) * 1000) / ((MESSAGES * 100) / 1e6));
    }
  }
  console.log(`RSS after ${ROUNDS * 2} runs of ${fmt(MESSAGES)} messages: ${rssMiB(pid).toFixed(0)} MiB`);
  console.log(`\n| ${PRODUCERS} producers × 100 B | msg/s min / median / max | server CPU ms/MB (median) |`);
  console.log('|---|---|---|');
  for (const topic of ['narrow', 'wide'] as const) {
    const r = stats(rates[topic]);
    console.log(`| ${topic === 'narrow' ? '1 partition' : `${PARTITIONS} partitions`} | ${fmt(r.min)} / **${fmt(r.median)}** / ${fmt(r.max)} | ${stats(cpu[topic]).median.toFixed(1)} |`);
  }
  console.log(`\n${PARTITIONS} partitions / 1 partition: ${((stats(rates.wide).median / stats(rates.narrow).median) * 100).toFixed(0)}% (target ≥ 70%)`);
} finally {
  await stopProcess(broker);
  rmSync(dir, { recursive: true, force: true });
}
