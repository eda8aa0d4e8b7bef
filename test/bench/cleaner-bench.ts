/**
 * Log cleaner benchmark (issue 14): how fast a cleaning pass goes beside a plain sequential read of
 * the same log, and what a pass running does to append latency on another partition.
 *
 *   node dist/test/bench/cleaner-bench.js        (TAFKA_BENCH_DIR picks the disk; default: tmpdir)
 *
 * Method. A compacted log of ~BYTES of keyed updates (100-byte values over KEYS keys, 16 KiB batches,
 * 8 MiB segments) is written and flushed. "Sequential read" fetches it from the start in 1 MiB reads
 * (what Fetch does: no decoding). "Cleaning" is one pass of the broker's cleaner — the offset map and
 * the filter in a worker thread, as in the broker — over the whole log; its rate is the bytes it read
 * over its wall time. Then a second partition takes one 1 KiB append every millisecond for a few
 * seconds, first alone, then while a pass cleans a second copy of the log; p50/p99/max of each
 * append's latency are printed. Everything is page-cache warm: the comparison is of software cost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBatch, type RecordInput } from '../../src/codec/record-batch.js';
import { defaultLogConfig, type LogConfig } from '../../src/config/log-config.js';
import { LogManager } from '../../src/log/log-manager.js';
import type { PartitionLog } from '../../src/log/partition-log.js';
import { defaultLogCleanerConfig } from '../../src/log/cleaner/log-cleaner.js';

const MiB = 1024 * 1024;
const BYTES = Number(process.env.TAFKA_BENCH_CLEANER_MB ?? 128) * MiB;
const KEYS = 100_000;
const LATENCY_MS = 3000;

const compacted: LogConfig = { ...defaultLogConfig, compact: true, retentionMs: -1, retentionBytes: -1, segmentBytes: 8 * MiB, minCleanableRatio: 0 };

/** Appends ~BYTES of keyed updates; returns how many bytes it wrote. */
async function fill(log: PartitionLog): Promise<number> {
  let written = 0;
  let n = 0;
  while (written < BYTES) {
    const records: RecordInput[] = [];
    for (let i = 0; i < 130; i++, n++) {
      records.push({ key: Buffer.from(`key-${(n * 7919) % KEYS}`), value: Buffer.alloc(100, n & 0xff), timestampDelta: i });
    }
    const batch = buildBatch(records, { baseTimestamp: Date.now() });
    written += batch.length;
    await log.append(batch);
  }
  await log.flush();
  return written;
}

async function sequentialRead(log: PartitionLog): Promise<{ bytes: number; ms: number }> {
  const start = performance.now();
  let bytes = 0;
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const { records } = await log.read(offset, MiB);
    if (records.length === 0) break;
    bytes += records.length;
    offset = lastOffsetAfter(records);
  }
  return { bytes, ms: performance.now() - start };
}

/** The offset after the last whole batch in `buf` (v2 headers: base offset at 0, last offset delta at 23). */
function lastOffsetAfter(buf: Buffer): bigint {
  let pos = 0;
  let next = 0n;
  while (pos + 61 <= buf.length) {
    const size = 12 + buf.readInt32BE(pos + 8);
    if (pos + size > buf.length) break;
    next = buf.readBigInt64BE(pos) + BigInt(buf.readInt32BE(pos + 23)) + 1n;
    pos += size;
  }
  return next;
}

async function appendLatencies(log: PartitionLog, whileRunning?: Promise<unknown>): Promise<number[]> {
  const batch = () => buildBatch([{ key: null, value: Buffer.alloc(1000, 7), timestampDelta: 0 }], { baseTimestamp: Date.now() });
  const out: number[] = [];
  const end = performance.now() + LATENCY_MS;
  let running = whileRunning !== undefined;
  void whileRunning?.finally(() => (running = false));
  while (performance.now() < end && (whileRunning === undefined || running)) {
    const t = performance.now();
    await log.append(batch());
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 1));
  }
  return out.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const fmt = (sorted: number[]) => `p50 ${pct(sorted, 50).toFixed(2)} ms, p99 ${pct(sorted, 99).toFixed(2)} ms, max ${sorted.at(-1)!.toFixed(2)} ms (${sorted.length} appends)`;

const dir = await mkdtemp(join(process.env.TAFKA_BENCH_DIR ?? tmpdir(), 'tafka-cleaner-bench-'));
try {
  const manager = await LogManager.open({
    dataDir: dir,
    config: compacted,
    configFor: (topic) => (topic === 'hot' ? defaultLogConfig : compacted),
    cleaner: { config: () => defaultLogCleanerConfig, executors: 'worker', start: false },
  });
  const first = await manager.createLog('changelog', 0);
  const written = await fill(first);
  console.log(`wrote ${(written / MiB).toFixed(0)} MiB of updates over ${KEYS} keys into ${first.segmentCount} segments`);

  const read = await sequentialRead(first);
  console.log(`sequential read: ${(read.bytes / MiB).toFixed(0)} MiB in ${read.ms.toFixed(0)} ms = ${(read.bytes / MiB / (read.ms / 1000)).toFixed(0)} MB/s`);

  const t = performance.now();
  const pass = await manager.cleaner!.cleanFilthiestLog();
  const ms = performance.now() - t;
  if (!pass) throw new Error('the cleaner found nothing to clean');
  const s = pass.stats;
  console.log(
    `cleaning pass: read ${(s.bytesRead / MiB).toFixed(0)} MiB (map ${(s.mapBytesRead / MiB).toFixed(0)} MiB), wrote ${(s.bytesWritten / MiB).toFixed(1)} MiB ` +
      `in ${ms.toFixed(0)} ms = ${(s.bytesRead / MiB / (ms / 1000)).toFixed(0)} MB/s cleaned (${s.messagesRead} → ${s.messagesWritten} records)`,
  );

  const hot = await manager.createLog('hot', 0);
  console.log(`append latency, idle:           ${fmt(await appendLatencies(hot))}`);
  const second = await manager.createLog('changelog', 1);
  await fill(second);
  const cleaning = manager.cleaner!.cleanFilthiestLog();
  console.log(`append latency, during a pass:  ${fmt(await appendLatencies(hot, cleaning))}`);
  await cleaning;
  await manager.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
