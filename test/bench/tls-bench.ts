/**
 * TLS cost: kcat (librdkafka) produces the same messages to one Tafka process over its PLAINTEXT
 * listener and over its SSL listener (certificates from scripts/make-certs.sh, openssl), alternately,
 * three times each; the median run of each is reported with the broker's CPU time per MB. Expect
 * TLS to cost its encryption (AES-GCM, a few hundred MB/s per core) and the handshake, no more.
 *
 *   node dist/test/bench/tls-bench.js [--messages 300000] [--size 1000]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, freePort, numberArg, waitForPort } from './bench-support.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const COUNT = numberArg('messages', 300_000);
const SIZE = numberArg('size', 1000);
const RUNS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tafka-tls-bench-'));
  const certs = join(dir, 'certs');
  const made = spawnSync('bash', [join(ROOT, 'scripts', 'make-certs.sh'), certs]);
  if (made.status !== 0) throw new Error(`make-certs.sh failed (is openssl installed?): ${made.stderr.toString()}`);
  const plainPort = await freePort();
  const sslPort = await freePort();
  const broker: ChildProcess = spawn(process.execPath, [
    join(ROOT, 'dist/src/main.js'), 'start', '--data-dir', join(dir, 'data'), '--log-level', 'warn',
    '--override', `listeners=PLAINTEXT://127.0.0.1:${plainPort},SSL://127.0.0.1:${sslPort}`,
    '--override', 'ssl.keystore.type=PEM', '--override', `ssl.keystore.location=${join(certs, 'broker-keystore.pem')}`,
    '--override', 'tafka.admin.listener=',
  ], { stdio: 'inherit' });
  try {
    await waitForPort(plainPort);
    await waitForPort(sslPort);
    const pid = broker.pid!;
    const input = Buffer.alloc(COUNT * (SIZE + 1), 'x');
    for (let i = SIZE; i < input.length; i += SIZE + 1) input[i] = 0x0a;
    const mb = (COUNT * SIZE) / 1e6;
    const security = {
      PLAINTEXT: ['-b', `127.0.0.1:${plainPort}`],
      SSL: ['-b', `127.0.0.1:${sslPort}`, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${join(certs, 'ca.pem')}`],
    };
    const conf = ['-X', 'linger.ms=5', '-X', 'queue.buffering.max.messages=2000000', '-X', 'queue.buffering.max.kbytes=2000000'];
    const results: Record<string, { mbps: number[]; cpuPerMb: number[] }> = { PLAINTEXT: { mbps: [], cpuPerMb: [] }, SSL: { mbps: [], cpuPerMb: [] } };
    for (let run = 0; run < RUNS; run++) {
      for (const name of ['PLAINTEXT', 'SSL'] as const) {
        const topic = `tls-bench-${name.toLowerCase()}-${run}`;
        spawnSync('kcat', [...security[name], '-L', '-t', topic]); // auto-creates the topic outside the timing
        const cpu0 = cpuSeconds(pid);
        const start = process.hrtime.bigint();
        const r = spawnSync('kcat', [...security[name], '-P', '-t', topic, '-p', '0', ...conf], { input, maxBuffer: 1 << 20 });
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        if (r.status !== 0) throw new Error(`kcat failed over ${name}: ${r.stderr.toString()}`);
        results[name].mbps.push(mb / seconds);
        results[name].cpuPerMb.push(((cpuSeconds(pid) - cpu0) * 1000) / mb);
      }
    }
    const row = (name: string) => {
      const r = results[name];
      return `| kcat produce ${COUNT.toLocaleString()} x ${SIZE} B over ${name} | ${median(r.mbps).toFixed(1)} | ${median(r.cpuPerMb).toFixed(1)} |`;
    };
    console.log(`| case (median of ${RUNS}) | MB/s | broker CPU ms per MB |\n|---|---:|---:|\n${row('PLAINTEXT')}\n${row('SSL')}`);
    console.log(`SSL throughput: ${((median(results.SSL.mbps) / median(results.PLAINTEXT.mbps)) * 100).toFixed(0)}% of PLAINTEXT`);
  } finally {
    broker.kill('SIGTERM');
    await new Promise((r) => broker.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
