/**
 * Restart benchmark: how long a broker process takes from `tafka start` to accepting connections
 * after a clean shutdown, on data directories holding more and more data (issue 11: restart time
 * must not grow with data size).
 *
 *   node dist/test/bench/restart-bench.js [--sizes 1024,10240]   (MiB; TAFKA_BENCH_DIR picks the disk; default: tmpdir)
 *
 * Method. For each size, 4 partitions of 1 KiB batches are written through the LogManager (segments
 * of 256 MiB) and closed cleanly, with a topic registry naming them; then the real broker is started
 * on the directory three times (SIGTERM between runs) and the time to its "listening" log line is
 * taken, with the LogManager's own "logs loaded" time beside it. Median of three.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { buildBatch } from '../../src/codec/record-batch.js';
import { defaultLogConfig } from '../../src/config/log-config.js';
import { LogManager } from '../../src/log/log-manager.js';

const MiB = 1024 * 1024;
const PARTITIONS = 4;
/** `--sizes 1024,10240` measures other sizes (MiB); the default keeps `make bench` short. */
const SIZES_MIB = sizesArg() ?? [64, 512, 2048];

function sizesArg(): number[] | undefined {
  const i = process.argv.indexOf('--sizes');
  return i < 0 ? undefined : process.argv[i + 1]!.split(',').map(Number);
}
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'main.js');

async function fill(dataDir: string, totalMiB: number): Promise<void> {
  const config = { ...defaultLogConfig, segmentBytes: 256 * MiB };
  const manager = await LogManager.open({ dataDir, config });
  const batch = buildBatch(Array.from({ length: 9 }, (_, i) => ({ value: Buffer.alloc(100, i) })), { baseTimestamp: Date.now() });
  const perPartition = (totalMiB * MiB) / PARTITIONS;
  for (let p = 0; p < PARTITIONS; p++) {
    const log = await manager.createLog('bench', p);
    const pending: Promise<unknown>[] = [];
    for (let written = 0; written < perPartition; written += batch.length) {
      pending.push(log.append(Buffer.from(batch)));
      if (pending.length >= 256) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
  }
  await manager.close();
  const id = '6f9c9a3e-4a56-4b8e-9b7a-3c2d1e0f9a8b';
  await writeFile(join(dataDir, 'tafka-topics.json'), JSON.stringify({ version: 1, topics: [{ name: 'bench', id, partitions: PARTITIONS, configs: {}, internal: false }] }));
}

/** Starts the broker, waits for "listening", stops it cleanly; returns [ms to listen, ms to load logs]. */
function startOnce(dataDir: string): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [MAIN, 'start', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let loadMs = NaN;
    let listenedMs: number | undefined;
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (;;) {
        const nl = out.indexOf('\n');
        if (nl < 0) break;
        const line = JSON.parse(out.slice(0, nl)) as { msg: string; ms?: number };
        out = out.slice(nl + 1);
        if (line.msg === 'logs loaded') loadMs = line.ms!;
        if (line.msg.startsWith('Tafka listening')) {
          listenedMs = performance.now() - started;
          child.kill('SIGTERM');
        }
      }
    });
    child.once('exit', (code) => (listenedMs === undefined ? reject(new Error(`broker exited with ${code}`)) : resolve([listenedMs, loadMs])));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const base = await mkdtemp(join(process.env.TAFKA_BENCH_DIR ?? tmpdir(), 'tafka-restart-'));
console.log('| data | segments | start to listening, ms | logs loaded, ms |');
console.log('|------|----------|------------------------|-----------------|');
try {
  for (const size of SIZES_MIB) {
    const dataDir = join(base, `d${size}`);
    await fill(dataDir, size);
    const runs: [number, number][] = [];
    for (let i = 0; i < 3; i++) runs.push(await startOnce(dataDir));
    const segments = PARTITIONS * Math.max(1, Math.ceil(size / PARTITIONS / 256));
    console.log(`| ${size} MiB | ${segments} | ${Math.round(median(runs.map((r) => r[0])))} | ${median(runs.map((r) => r[1]))} |`);
    await rm(dataDir, { recursive: true, force: true });
  }
} finally {
  await rm(base, { recursive: true, force: true });
}
