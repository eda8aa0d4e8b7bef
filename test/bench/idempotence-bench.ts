/**
 * What idempotence costs the broker per append: the same records appended to a PartitionLog as
 * plain batches and as idempotent batches (producer id, epoch, consecutive sequences), alternately,
 * on in-memory storage so the disk does not blur the difference. Small batches are the worst case:
 * the producer-state check is per batch, never per record.
 *
 *   node dist/test/bench/idempotence-bench.js [--messages 1000000]
 *
 * The e2e bench measures the same comparison through the network with kcat and a raw client; on a
 * busy 2-core machine its runs vary by ±15%, so this one is the precise figure.
 */
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { encodeBatch, encodeRecords } from '../../src/codec/record-batch.js';
import { defaultLogConfig } from '../../src/config/log-config.js';
import { MemoryStorage } from '../../src/log/memory-storage.js';
import { PartitionLog } from '../../src/log/partition-log.js';

const args = process.argv.slice(2);
const i = args.indexOf('--messages');
const MESSAGES = i >= 0 ? Number(args[i + 1]) : 1_000_000;
const ROUNDS = 5;
const IN_FLIGHT = 256;

function batches(count: number, perBatch: number, producerId: bigint): Buffer[] {
  const value = Buffer.alloc(100, 'x');
  const records = encodeRecords(Array.from({ length: perBatch }, () => ({ value })));
  return Array.from({ length: count }, (_, n) =>
    encodeBatch({
      lastOffsetDelta: perBatch - 1, recordsCount: perBatch, baseTimestamp: 1_700_000_000_000, records,
      producerId, producerEpoch: producerId >= 0n ? 0 : -1, baseSequence: producerId >= 0n ? n * perBatch : -1,
    }),
  );
}

/** Seconds to append every batch, IN_FLIGHT appends outstanding (as many producer requests would be). */
async function run(input: Buffer[], round: number, kind: string): Promise<number> {
  const log = await PartitionLog.open({
    storage: new MemoryStorage(), topic: `${kind}-${round}`, partition: 0, config: defaultLogConfig,
    clock: systemClock, logger: pino({ level: 'silent' }), cleanShutdown: true,
  });
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < input.length) await log.append(input[next++]!);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await log.close();
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const rows: string[][] = [];
for (const perBatch of [1000, 10, 1]) {
  const count = Math.max(1, Math.round(MESSAGES / perBatch / (perBatch === 1 ? 10 : 1)));
  const times: Record<string, number[]> = { plain: [], idempotent: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Fresh buffers every run: append writes offsets into them.
    times.plain!.push(await run(batches(count, perBatch, -1n), round, 'plain'));
    times.idempotent!.push(await run(batches(count, perBatch, 1000n + BigInt(round)), round, 'idempotent'));
  }
  const plain = median(times.plain!);
  const idem = median(times.idempotent!);
  rows.push([
    `${count.toLocaleString()} batches x ${perBatch} x 100 B`,
    Math.round(count / plain).toLocaleString(),
    Math.round(count / idem).toLocaleString(),
    `${((plain / idem) * 100).toFixed(0)}%`,
    `${(((idem - plain) / count) * 1e9).toFixed(0)}`,
  ]);
}

const header = ['appends (median of 5)', 'plain batches/s', 'idempotent batches/s', 'idempotent / plain', 'extra ns per batch'];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const fmt = (r: string[]) => '| ' + r.map((c, n) => c.padEnd(widths[n]!)).join(' | ') + ' |';
console.log(fmt(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(fmt(r));
