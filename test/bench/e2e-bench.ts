/**
 * End-to-end benchmark: kcat (librdkafka) producing to and consuming from a real Tafka process,
 * next to this machine's raw loopback and disk figures measured in the same run. The 100 B case is
 * produced a second time with `enable.idempotence=true` (producer id, epoch and sequences checked
 * per batch), to compare with plain produce. On a small machine kcat's own CPU bounds that pair
 * (librdkafka's idempotence bookkeeping costs the client more than the broker), so a second pair
 * isolates the broker: one Node connection replays pre-built Produce v7 requests (1,000 batches of
 * 1,000 x 100 B, 5 in flight as librdkafka allows with idempotence), plain and then carrying a
 * producer id and sequences, alternately, five times each; the median run of each is reported.
 *
 *   node dist/test/bench/e2e-bench.js [--messages 1000000] [--profile]
 *
 * Broker CPU time comes from /proc/<pid>/stat (user + system) before and after each phase.
 * With --profile the broker runs under `node --cpu-prof` and writes a .cpuprofile into the data dir.
 */
import { mkdtempSync, openSync, readdirSync, rmSync, writeSync, closeSync, fsyncSync, readSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Produce } from '../../protocol/messages/00-produce.js';
import { InitProducerId } from '../../protocol/messages/22-init-producer-id.js';
import { codecFor } from '../../src/codec/interpret.js';
import { encodeBatch, encodeRecords } from '../../src/codec/record-batch.js';
import { cpuSeconds, freePort, kafkaConnection, makeInput, startTafka, stopProcess, timed, numberArg } from './bench-support.js';

const PROFILE = process.argv.includes('--profile');
const SMALL = numberArg('messages', 1_000_000);
const LARGE = Math.max(1, Math.round(SMALL / 10));

/** Raw loopback: one socket pair streaming `total` bytes in 64 KiB writes. */
async function loopbackMBps(total: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 1);
  return new Promise((resolve) => {
    const server = createServer((sock) => {
      let got = 0;
      const start = process.hrtime.bigint();
      sock.on('data', (d) => {
        got += d.length;
        if (got >= total) {
          const s = Number(process.hrtime.bigint() - start) / 1e9;
          sock.destroy();
          server.close();
          resolve(total / 1e6 / s);
        }
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const c = connect((server.address() as { port: number }).port, '127.0.0.1', () => {
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            sent += chunk.length;
            if (!c.write(chunk)) return void c.once('drain', pump);
          }
        };
        pump();
      });
      c.on('error', () => {});
    });
  });
}

/** Raw disk: write `total` bytes in 1 MiB writes + fsync, then read them back. */
function diskMBps(dir: string, total: number): { write: number; read: number } {
  const file = join(dir, 'raw.bin');
  const chunk = Buffer.alloc(1 << 20, 2);
  let t = process.hrtime.bigint();
  const fd = openSync(file, 'w');
  for (let n = 0; n < total; n += chunk.length) writeSync(fd, chunk);
  fsyncSync(fd);
  closeSync(fd);
  const write = total / 1e6 / (Number(process.hrtime.bigint() - t) / 1e9);
  t = process.hrtime.bigint();
  const rfd = openSync(file, 'r');
  while (readSync(rfd, chunk) > 0);
  closeSync(rfd);
  const read = total / 1e6 / (Number(process.hrtime.bigint() - t) / 1e9);
  rmSync(file);
  return { write, read };
}

/**
 * Produce throughput of the broker alone: pre-built requests of one batch each (`producerId` -1 for
 * plain), `inFlight` outstanding, timed from the first send to the last answer. Returns seconds.
 */
async function rawProduceSeconds(port: number, topic: string, producerId: bigint, batches: number, perBatch: number, inFlight: number): Promise<number> {
  const conn = await kafkaConnection(port);
  const codec = codecFor(Produce.request, 7);
  const value = Buffer.alloc(100, 'x');
  const records = encodeRecords(Array.from({ length: perBatch }, () => ({ value })));
  const requests = Array.from({ length: batches }, (_, i) => {
    const batch = encodeBatch({
      lastOffsetDelta: perBatch - 1, recordsCount: perBatch, baseTimestamp: Date.now(), records,
      producerId, producerEpoch: producerId >= 0n ? 0 : -1, baseSequence: producerId >= 0n ? i * perBatch : -1,
    });
    const body = codec.encode({ transactionalId: null, acks: -1, timeoutMs: 30_000, topicData: [{ name: topic, topicId: '00000000-0000-0000-0000-000000000000', partitionData: [{ index: 0, records: batch }] }] });
    return conn.frame(0, 7, i, Buffer.concat(body), false);
  });
  const decode = codecFor(Produce.response, 7);
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests.length) {
        const answer = decode.decode(await conn.send(requests[next++]!), 4);
        const code = answer.responses[0].partitionResponses[0].errorCode;
        if (code !== 0) throw new Error(`produce failed with error ${code}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  conn.close();
  return seconds;
}

async function initProducerId(port: number): Promise<bigint> {
  const conn = await kafkaConnection(port);
  const body = codecFor(InitProducerId.request, 1).encode({
    transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false,
  });
  const answer = codecFor(InitProducerId.response, 1).decode(await conn.send(conn.frame(22, 1, 1, Buffer.concat(body), false)), 4);
  conn.close();
  if (answer.errorCode !== 0) throw new Error(`InitProducerId failed with error ${answer.errorCode}`);
  return answer.producerId;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tafka-bench-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const bootstrap = `127.0.0.1:${port}`;
  const broker = await startTafka(port, dataDir, PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []);
  const pid = broker.pid!;

  const rows: string[][] = [];
  const loop = await loopbackMBps(1 << 30);
  const disk = diskMBps(dir, 1 << 29);
  rows.push(['raw loopback (1 GiB, 64 KiB writes)', '', loop.toFixed(0), '', '']);
  rows.push(['raw disk write + fsync (512 MiB)', '', disk.write.toFixed(0), '', '']);
  rows.push(['raw disk read (512 MiB, page cache)', '', disk.read.toFixed(0), '', '']);

  const producerConf = ['-X', 'linger.ms=5', '-X', 'queue.buffering.max.messages=2000000', '-X', 'queue.buffering.max.kbytes=2000000'];
  for (const [count, size] of [[SMALL, 100], [LARGE, 1000]] as const) {
    const topic = `bench-${size}`;
    const input = makeInput(dir, count, size);
    const mb = (count * size) / 1e6;
    timed('kcat', ['-b', bootstrap, '-L', '-t', topic]);
    let cpu = cpuSeconds(pid);
    const p = timed('kcat', ['-b', bootstrap, '-P', '-t', topic, '-p', '0', ...producerConf], input);
    let used = cpuSeconds(pid) - cpu;
    rows.push([`kcat produce ${count.toLocaleString()} x ${size} B`, Math.round(count / p.seconds).toLocaleString(), (mb / p.seconds).toFixed(1), used.toFixed(2), ((used * 1000) / mb).toFixed(1)]);
    if (size === 100) {
      // Same input, same settings, idempotence on: librdkafka asks InitProducerId and numbers batches.
      const idemTopic = `${topic}-idempotent`;
      timed('kcat', ['-b', bootstrap, '-L', '-t', idemTopic]);
      const idemCpu = cpuSeconds(pid);
      const q = timed('kcat', ['-b', bootstrap, '-P', '-t', idemTopic, '-p', '0', '-X', 'enable.idempotence=true', ...producerConf], input);
      const idemUsed = cpuSeconds(pid) - idemCpu;
      const ratio = ((p.seconds / q.seconds) * 100).toFixed(0);
      rows.push([`kcat produce ${count.toLocaleString()} x ${size} B, idempotent (${ratio}% of plain)`, Math.round(count / q.seconds).toLocaleString(), (mb / q.seconds).toFixed(1), idemUsed.toFixed(2), ((idemUsed * 1000) / mb).toFixed(1)]);
    }
    cpu = cpuSeconds(pid);
    const c = timed('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-c', String(count), '-X', 'fetch.max.bytes=52428800', '-X', 'max.partition.fetch.bytes=10485760', '-f', '\n']);
    used = cpuSeconds(pid) - cpu;
    const lines = c.stdout.length;
    if (lines !== count) throw new Error(`consumed ${lines} of ${count}`);
    rows.push([`kcat consume ${count.toLocaleString()} x ${size} B`, Math.round(count / c.seconds).toLocaleString(), (mb / c.seconds).toFixed(1), used.toFixed(2), ((used * 1000) / mb).toFixed(1)]);
  }
  // The broker alone, plain vs idempotent.
  const rawBatches = Math.max(1, Math.round(SMALL / 1000));
  const rawMb = (rawBatches * 1000 * 100) / 1e6;
  const times: Record<'plain' | 'idempotent', number[]> = { plain: [], idempotent: [] };
  const cpus: Record<'plain' | 'idempotent', number> = { plain: 0, idempotent: 0 };
  const ROUNDS = 5;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so whatever one run leaves behind (GC, page cache) hits both.
    for (const kind of round % 2 === 0 ? (['plain', 'idempotent'] as const) : (['idempotent', 'plain'] as const)) {
      const topic = `raw-${kind}-${round}`;
      timed('kcat', ['-b', bootstrap, '-L', '-t', topic]);
      const producerId = kind === 'plain' ? -1n : await initProducerId(port);
      const cpu = cpuSeconds(pid);
      times[kind].push(await rawProduceSeconds(port, topic, producerId, rawBatches, 1000, 5));
      cpus[kind] += cpuSeconds(pid) - cpu;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const rawRatio = ((median(times.plain) / median(times.idempotent)) * 100).toFixed(0);
  for (const kind of ['plain', 'idempotent'] as const) {
    const t = median(times[kind]);
    const label = `raw Produce v7 ${(rawBatches * 1000).toLocaleString()} x 100 B, ${kind}${kind === 'idempotent' ? ` (${rawRatio}% of plain)` : ''}`;
    const cpu = cpus[kind] / ROUNDS;
    rows.push([label, Math.round((rawBatches * 1000) / t).toLocaleString(), (rawMb / t).toFixed(1), cpu.toFixed(2), ((cpu / rawMb) * 1000).toFixed(1)]);
  }

  await stopProcess(broker);

  const header = ['phase', 'messages/s', 'MB/s', 'broker CPU s', 'broker CPU ms/MB'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(fmt(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(fmt(r));
  if (PROFILE) {
    const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    console.log(`cpu profiles: ${profiles.map((f) => `${join(dir, f)} (${statSync(join(dir, f)).size} bytes)`).join(', ')}`);
  } else rmSync(dir, { recursive: true, force: true });
}

await main();
