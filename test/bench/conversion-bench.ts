/**
 * What old clients cost: message-format conversion throughput, per record, against the cost a
 * modern client's batch has on the same path (header checks only).
 *
 * - up: a Produce v2 message set (magic 1) of 100 records × 100 bytes into one record batch.
 * - down: one stored batch of 100 records × 100 bytes into magic 1 messages for Fetch v3.
 * Uncompressed, gzip and lz4. A modern batch on these paths is validated (CRC-32C) or copied as is.
 * Rates are per second of CPU time.
 *
 *   npx tsc -p tsconfig.build.json && node dist/test/bench/conversion-bench.js [seconds per case, default 1]
 */
import { compress } from '../../src/codec/compression.js';
import { downConvert } from '../../src/codec/down-convert.js';
import { encodeMessageSet } from '../../src/codec/legacy-records.js';
import { Compression, encodeBatch, encodeRecords, validateBatch } from '../../src/codec/record-batch.js';
import { upConvert } from '../../src/codec/up-convert.js';

const SECONDS = Number(process.argv[2] ?? 1);
const RECORDS = 100;
const T = 1_700_000_000_000;
const value = (i: number) => Buffer.from(`record ${i} `.padEnd(100, 'x'));

/** Operations per second of CPU time (user + system): steadier than wall time on a shared machine. */
function measure(fn: () => void): number {
  for (let i = 0; i < 50; i++) fn();
  let ops = 0;
  const start = process.cpuUsage();
  const budget = SECONDS * 1e6;
  let used = 0;
  while (used < budget) {
    for (let i = 0; i < 10; i++) fn();
    ops += 10;
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
  return ops / (used / 1e6);
}

const row = (label: string, ops: number) =>
  console.log(`  ${label.padEnd(34)} ${(ops * RECORDS / 1e3).toFixed(0).padStart(7)} k records/s  ${(ops * RECORDS * 100 / 1e6).toFixed(0).padStart(5)} MB/s of values`);

const opts = {
  now: T, maxMessageBytes: 1 << 30, timestampType: 'CreateTime' as const,
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER, timestampAfterMaxMs: Number.MAX_SAFE_INTEGER, compacted: false,
};
let sink = 0;
for (const [name, codec] of [['none', Compression.none], ['gzip', Compression.gzip], ['lz4', Compression.lz4]] as const) {
  console.log(`codec ${name}, ${RECORDS} records of 100 bytes`);
  const messages = Array.from({ length: RECORDS }, (_, i) => ({ offset: BigInt(i), timestamp: T + i, key: null, value: value(i) }));
  const set = Buffer.concat(encodeMessageSet(messages, { magic: 1, codec, logAppendTime: false }));
  const batch = encodeBatch({
    attributes: codec, lastOffsetDelta: RECORDS - 1, recordsCount: RECORDS, baseTimestamp: T, maxTimestamp: T + RECORDS - 1,
    records: compress(codec, encodeRecords(messages.map((m, i) => ({ value: m.value, timestampDelta: i }))), 2),
  });
  row('produce: header check (v3+)', measure(() => void (sink += validateBatch(batch))));
  row('produce: up-convert (v0-2)', measure(() => void (sink += upConvert(set, opts)!.length)));
  row('fetch: down-convert to magic 1 (v2-3)', measure(() => void (sink += downConvert(batch, 1, 0n).length)));
}
if (sink === -1) console.log(sink); // keeps the results observable
