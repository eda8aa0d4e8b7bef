/**
 * End-to-end benchmark: kcat (librdkafka) producing to and consuming from a real Tafka process,
 * next to this machine's raw loopback and disk figures measured in the same run.
 *
 *   node dist/test/bench/e2e-bench.js [--messages 1000000] [--profile]
 *
 * Broker CPU time comes from /proc/<pid>/stat (user + system) before and after each phase.
 * With --profile the broker runs under `node --cpu-prof` and writes a .cpuprofile into the data dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync, closeSync, fsyncSync, readSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const PROFILE = args.includes('--profile');
const SMALL = arg('messages', 1_000_000);
const LARGE = Math.max(1, Math.round(SMALL / 10));
const CLK_TCK = 100;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('broker did not start');
}

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

function timed(cmd: string, argv: string[], input?: string): { seconds: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { input: input ? readFileSync(input) : undefined, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, stdout: r.stdout.toString() };
}

function makeInput(dir: string, count: number, size: number): string {
  const file = join(dir, `input-${size}.txt`);
  const line = 'x'.repeat(size - 1) + '\n';
  const fd = openSync(file, 'w');
  const block = line.repeat(1000);
  for (let i = 0; i < count; i += 1000) writeSync(fd, i + 1000 <= count ? block : line.repeat(count - i));
  closeSync(fd);
  return file;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tafka-bench-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const bootstrap = `127.0.0.1:${port}`;
  const nodeArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
  const broker: ChildProcess = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/src/main.js'), 'start', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'warn', '--override', `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`], { stdio: 'inherit' });
  await waitForPort(port);
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
    cpu = cpuSeconds(pid);
    const c = timed('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-c', String(count), '-X', 'fetch.max.bytes=52428800', '-X', 'max.partition.fetch.bytes=10485760', '-f', '\n']);
    used = cpuSeconds(pid) - cpu;
    const lines = c.stdout.length;
    if (lines !== count) throw new Error(`consumed ${lines} of ${count}`);
    rows.push([`kcat consume ${count.toLocaleString()} x ${size} B`, Math.round(count / c.seconds).toLocaleString(), (mb / c.seconds).toFixed(1), used.toFixed(2), ((used * 1000) / mb).toFixed(1)]);
  }
  broker.kill('SIGTERM');
  await new Promise((r) => broker.once('exit', r));

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
