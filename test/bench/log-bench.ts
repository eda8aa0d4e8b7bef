/**
 * Log store benchmark: append and sequential-read throughput beside a raw `fs` write/read of the
 * same bytes, on the same disk, in the same run; then reopen time of a ~1 GB log after a clean and
 * an unclean shutdown.
 *
 *   node dist/test/bench/log-bench.js            (TAFKA_BENCH_DIR picks the disk; default: tmpdir)
 *
 * Method. A pool of distinct, valid batches is cycled to make the byte stream. The "producers" keep
 * IN_FLIGHT_BYTES (8 MiB, as several busy producer connections would) of appends outstanding, reusing a
 * batch buffer only once its append has resolved (the log writes offsets into the buffer in place). The raw writer writes the same buffers with gathered
 * writes of ~1 MiB through one FileHandle. Reads are sequential fetches of 1 MiB (Kafka's
 * max.partition.fetch.bytes) against 1 MiB raw positional reads. Both sides read freshly written
 * data, so both are served from the page cache; the comparison is of software overhead.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBatch, type RecordInput } from '../../src/codec/record-batch.js';
import { defaultLogConfig, type LogConfig } from '../../src/config/log-config.js';
import { LogManager } from '../../src/log/log-manager.js';

const MiB = 1024 * 1024;
const IN_FLIGHT_BYTES = 8 * MiB;
const FETCH_BYTES = MiB;

/** A pool of batches of about `batchBytes` each (records of ~100 bytes, like small events). */
function batchPool(batchBytes: number, count: number): Buffer[] {
  const perRecord = 100;
  const n = Math.max(1, Math.floor((batchBytes - 61) / (perRecord + 10)));
  return Array.from({ length: count }, (_, b) => {
    const records: RecordInput[] = Array.from({ length: n }, (_, i) => ({
      key: null,
      value: Buffer.alloc(perRecord, (b * 31 + i) & 0xff),
      timestampDelta: i,
    }));
    return buildBatch(records, { baseTimestamp: Date.now() });
  });
}

const mbps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

async function rawWrite(file: string, pool: Buffer[], total: number): Promise<number> {
  const fh = await open(file, 'w');
  const start = performance.now();
  let written = 0;
  let i = 0;
  while (written < total) {
    const group: Buffer[] = [];
    let bytes = 0;
    while (bytes < MiB && written + bytes < total) {
      const b = pool[i++ % pool.length]!;
      group.push(b);
      bytes += b.length;
    }
    await fh.writev(group, written);
    written += bytes;
  }
  const ms = performance.now() - start;
  await fh.close();
  return ms;
}

async function rawRead(file: string): Promise<{ ms: number; bytes: number }> {
  const fh = await open(file, 'r');
  const { size } = await fh.stat();
  const start = performance.now();
  let pos = 0;
  while (pos < size) {
    const buf = Buffer.allocUnsafe(Math.min(FETCH_BYTES, size - pos));
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    pos += bytesRead;
  }
  const ms = performance.now() - start;
  await fh.close();
  return { ms, bytes: size };
}

async function logAppend(manager: LogManager, topic: string, pool: Buffer[], total: number): Promise<{ ms: number; bytes: number }> {
  const log = await manager.createLog(topic, 0);
  // Each slot owns a buffer; it is reused only after its previous append resolved.
  const window = Math.max(2, Math.round(IN_FLIGHT_BYTES / pool[0]!.length));
  const slots = Array.from({ length: window }, (_, i) => ({
    buf: Buffer.from(pool[i % pool.length]!),
    pending: Promise.resolve() as Promise<unknown>,
  }));
  const start = performance.now();
  let bytes = 0;
  for (let i = 0; bytes < total; i++) {
    const slot = slots[i % slots.length]!;
    await slot.pending;
    slot.pending = log.append(slot.buf);
    bytes += slot.buf.length;
  }
  await Promise.all(slots.map((s) => s.pending));
  return { ms: performance.now() - start, bytes };
}

async function logRead(manager: LogManager, topic: string): Promise<{ ms: number; bytes: number }> {
  const log = manager.getLog(topic, 0)!;
  const start = performance.now();
  let offset = 0n;
  let bytes = 0;
  while (offset < log.highWatermark) {
    const { records } = await log.read(offset, FETCH_BYTES);
    bytes += records.length;
    // The next offset follows the last batch: walk the headers, as a consumer would.
    let pos = 0;
    let last = 0;
    while (pos < records.length) {
      last = pos;
      pos += records.readInt32BE(pos + 8) + 12;
    }
    offset = records.readBigInt64BE(last) + BigInt(records.readInt32BE(last + 23)) + 1n;
  }
  return { ms: performance.now() - start, bytes };
}

async function timeOpen(dataDir: string, config: LogConfig): Promise<number> {
  const start = performance.now();
  const manager = await LogManager.open({ dataDir, config });
  const ms = performance.now() - start;
  await manager.close();
  return ms;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(process.env.TAFKA_BENCH_DIR ?? tmpdir(), 'tafka-log-bench-'));
  const config: LogConfig = { ...defaultLogConfig, segmentBytes: 256 * MiB, retentionMs: -1 };
  const rows: string[][] = [];
  try {
    const dataDir = join(root, 'data');
    const manager = await LogManager.open({ dataDir, config });
    for (const [label, batchBytes, total] of [
      ['1 KB batches', 1024, 256 * MiB],
      ['16 KB batches', 16 * 1024, 1024 * MiB],
      // librdkafka fills batches up to 1 MB (batch.size); 256 KB is a busy producer's typical batch.
      ['256 KB batches', 256 * 1024, 1024 * MiB],
    ] as const) {
      const pool = batchPool(batchBytes, 256);
      const rawFile = join(root, `raw-${batchBytes}.bin`);
      // Best of two, raw and log interleaved, so background writeback hits both sides alike.
      let rawWriteMs = Infinity;
      let appendMs = Infinity;
      let appendBytes = 0;
      let rawReadMs = Infinity;
      let rawBytes = 0;
      let readMs = Infinity;
      let readBytes = 0;
      for (let rep = 0; rep < 2; rep++) {
        rawWriteMs = Math.min(rawWriteMs, await rawWrite(rawFile, pool, total));
        const topic = `bench${batchBytes}-${rep}`;
        const append = await logAppend(manager, topic, pool, total);
        appendMs = Math.min(appendMs, append.ms);
        appendBytes = append.bytes;
        const raw = await rawRead(rawFile);
        rawReadMs = Math.min(rawReadMs, raw.ms);
        rawBytes = raw.bytes;
        const read = await logRead(manager, topic);
        readMs = Math.min(readMs, read.ms);
        readBytes = read.bytes;
        if (rep === 0) await manager.deleteLogs(topic);
      }
      const aw = mbps(appendBytes, appendMs);
      const rw = mbps(total, rawWriteMs);
      const lr = mbps(readBytes, readMs);
      const rr = mbps(rawBytes, rawReadMs);
      rows.push([label, `${(appendBytes / MiB).toFixed(0)} MB`, aw.toFixed(0), rw.toFixed(0), `${((aw / rw) * 100).toFixed(0)}%`, lr.toFixed(0), rr.toFixed(0), `${((lr / rr) * 100).toFixed(0)}%`]);
      await rm(rawFile);
    }
    const dataMb = manager.allLogs().reduce((n, l) => n + l.sizeInBytes(), 0) / MiB;
    const segments = manager.allLogs().reduce((n, l) => n + l.segmentCount, 0);
    await manager.close();

    // The 16 KB run left a ~1 GB partition (4 segments of 256 MB) next to a 256 MB one.
    const clean = await timeOpen(dataDir, config);
    // Unclean, as after kill -9 once the periodic checkpoint ran: only the segment holding the
    // recovery point (the last one) is re-validated.
    await rm(join(dataDir, '.kafka_cleanshutdown'));
    const uncleanCheckpointed = await timeOpen(dataDir, config);
    // Unclean with no recovery-point checkpoint at all: every byte is re-validated.
    await rm(join(dataDir, '.kafka_cleanshutdown'));
    await rm(join(dataDir, 'recovery-point-offset-checkpoint'));
    const uncleanFull = await timeOpen(dataDir, config);

    const header = ['workload', 'size', 'append MB/s', 'raw write MB/s', 'append/raw', 'read MB/s', 'raw read MB/s', 'read/raw'];
    const table = [header, ...rows];
    const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
    const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of rows) console.log(line(r));
    console.log('');
    console.log(`| reopen: ${dataMb.toFixed(0)} MB, ${segments} segments, 2 partitions`.padEnd(53) + ' | ms |');
    console.log('|----------------------------------------------------|----|');
    console.log(`| after clean shutdown                               | ${clean.toFixed(0)} |`);
    console.log(`| after unclean shutdown, recovery point checkpointed (last segment re-read) | ${uncleanCheckpointed.toFixed(0)} |`);
    console.log(`| after unclean shutdown, no checkpoint (full scan)  | ${uncleanFull.toFixed(0)} |`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
