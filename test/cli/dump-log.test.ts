import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compress as lz4Compress } from 'lz4js';
import { compress as snappyCompress } from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpLog } from '../../src/cli/dump-log.js';
import { Compression, encodeBatch, encodeRecords, type RecordInput } from '../../src/codec/record-batch.js';
import { LogManager } from '../../src/log/log-manager.js';
import { CoordinatorLog } from '../../src/coordinator/coordinator-log.js';
import { transactionLogRecord, transactionLogKey } from '../../src/txn/records.js';
import { TransactionMetadata } from '../../src/txn/state.js';
import { testConfig } from '../log/helpers.js';
import { markerBatch, txnBatch } from '../log/producer-helpers.js';

const records: RecordInput[] = [
  { key: Buffer.from('key-a'), value: Buffer.from('hello'), headers: [{ key: 'trace', value: Buffer.from('t1') }] },
  { key: null, value: Buffer.from('world'), timestampDelta: 5 },
];

/** A zstd frame holding `data` in one raw (stored) block: zstd's simplest valid encoding. */
function zstdRawFrame(data: Buffer): Buffer {
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0]); // magic, single segment, 4-byte size
  header.writeUInt32LE(data.length, 5);
  const block = Buffer.alloc(3);
  block.writeUIntLE(1 | (data.length << 3), 0, 3); // last block, raw, size
  return Buffer.concat([header, block, data]);
}

/** snappy-java's framing, as the Java client writes it. */
function xerialSnappy(data: Buffer): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const block = Buffer.from(snappyCompress(data));
  const len = Buffer.alloc(4);
  len.writeInt32BE(block.length);
  return Buffer.concat([header, len, block]);
}

function compressedBatch(codec: number, compress: (b: Buffer) => Buffer): Buffer {
  return encodeBatch({
    attributes: codec,
    lastOffsetDelta: 1,
    recordsCount: 2,
    baseTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_005,
    records: compress(encodeRecords(records)),
  });
}

describe('tafka dump-log', () => {
  let dataDir: string;
  let segment: string;
  const codecs: [string, number, (b: Buffer) => Buffer][] = [
    ['none', Compression.none, (b) => b],
    ['gzip', Compression.gzip, (b) => gzipSync(b)],
    ['snappy', Compression.snappy, (b) => Buffer.from(snappyCompress(b))],
    ['snappy', Compression.snappy, xerialSnappy],
    ['lz4', Compression.lz4, (b) => Buffer.from(lz4Compress(b))],
    ['zstd', Compression.zstd, zstdRawFrame],
  ];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tafka-dump-'));
    const manager = await LogManager.open({ dataDir, config: testConfig({ indexIntervalBytes: 100 }) });
    const log = await manager.createLog('t', 0);
    for (const [, codec, compress] of codecs) await log.append(compressedBatch(codec, compress));
    await manager.close();
    segment = join(dataDir, 't-0', '00000000000000000000');
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  async function dump(files: string[], printDataLog = false): Promise<string[]> {
    const lines: string[] = [];
    await dumpLog(files, { printDataLog }, (l) => lines.push(l));
    return lines;
  }

  it('prints one line per batch in kafka-dump-log.sh format', async () => {
    const lines = await dump([`${segment}.log`]);
    expect(lines[0]).toBe(`Dumping ${segment}.log`);
    expect(lines[1]).toBe('Log starting offset: 0');
    expect(lines).toHaveLength(2 + codecs.length);
    codecs.forEach(([name], i) => {
      expect(lines[2 + i]).toMatch(
        new RegExp(
          `^baseOffset: ${2 * i} lastOffset: ${2 * i + 1} count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 ` +
            `producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false ` +
            `deleteHorizonMs: OptionalLong.empty position: \\d+ CreateTime: 1700000000005 size: \\d+ magic: 2 ` +
            `compresscodec: ${name} crc: \\d+ isvalid: true$`,
        ),
      );
    });
  });

  it('decodes records of every codec with --print-data-log', async () => {
    const lines = await dump([`${segment}.log`], true);
    const recordLines = lines.filter((l) => l.startsWith('| '));
    expect(recordLines).toHaveLength(2 * codecs.length);
    codecs.forEach((_, i) => {
      expect(recordLines[2 * i]).toBe(
        `| offset: ${2 * i} CreateTime: 1700000000000 keySize: 5 valueSize: 5 sequence: -1 headerKeys: [trace] key: key-a payload: hello headers: [trace=t1]`,
      );
      expect(recordLines[2 * i + 1]).toBe(
        `| offset: ${2 * i + 1} CreateTime: 1700000000005 keySize: -1 valueSize: 5 sequence: -1 headerKeys: [] key: null payload: world`,
      );
    });
  });

  it('prints index and time index entries', async () => {
    const lines = await dump([`${segment}.index`, `${segment}.timeindex`]);
    expect(lines[0]).toBe(`Dumping ${segment}.index`);
    const offsets = lines.filter((l) => l.startsWith('offset: '));
    expect(offsets.length).toBeGreaterThan(0);
    expect(offsets[0]).toMatch(/^offset: \d+ position: \d+$/);
    expect(lines).toContain(`Dumping ${segment}.timeindex`);
    expect(lines.at(-1)).toBe('timestamp: 1700000000005 offset: 1');
  });

  it('reads a Kafka-style file: preallocated index, corrupt batch, torn tail', async () => {
    const dir = join(dataDir, 'kafka-style');
    await rm(dir, { recursive: true, force: true });
    await (await import('node:fs/promises')).mkdir(dir);
    const good = compressedBatch(Compression.snappy, xerialSnappy);
    good.writeBigInt64BE(100n, 0);
    const corrupt = Buffer.from(good);
    corrupt.writeBigInt64BE(102n, 0);
    corrupt[corrupt.length - 1] ^= 1;
    await writeFile(join(dir, '00000000000000000100.log'), Buffer.concat([good, corrupt, good.subarray(0, 20)]));
    const index = Buffer.alloc(80); // Kafka preallocates and zero-fills the active segment's index
    index.writeInt32BE(1, 0);
    index.writeInt32BE(0, 4);
    await writeFile(join(dir, '00000000000000000100.index'), index);
    const lines = await dump([join(dir, '00000000000000000100.log'), join(dir, '00000000000000000100.index')], true);
    expect(lines[1]).toBe('Log starting offset: 100');
    expect(lines[2]).toMatch(/^baseOffset: 100 lastOffset: 101 .* isvalid: true$/);
    expect(lines[5]).toMatch(/^baseOffset: 102 lastOffset: 103 .* isvalid: false$/);
    expect(lines).toContain('Found 20 invalid bytes at the end of 00000000000000000100.log');
    expect(lines.filter((l) => l.startsWith('offset: '))).toEqual(['offset: 101 position: 0']);
  });

  it('shows where a compacted segment has gaps', async () => {
    const dir = join(dataDir, 'compacted');
    await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
    const at = (base: bigint) => {
      const b = compressedBatch(Compression.none, (x) => x);
      b.writeBigInt64BE(base, 0);
      return b;
    };
    // Batches at 10..11, 12..13, 20..21 in a segment based at 5: offsets 5..9 and 14..19 were cleaned away.
    await writeFile(join(dir, '00000000000000000005.log'), Buffer.concat([at(10n), at(12n), at(20n)]));
    const lines = await dump([join(dir, '00000000000000000005.log')]);
    expect(lines.filter((l) => l.startsWith('Gap: '))).toEqual([
      'Gap: offsets 5 to 9 are not in the log (removed by compaction)',
      'Gap: offsets 14 to 19 are not in the log (removed by compaction)',
    ]);
    expect(lines.indexOf('Gap: offsets 14 to 19 are not in the log (removed by compaction)')).toBe(lines.findIndex((l) => l.startsWith('baseOffset: 20')) - 1);
  });

  it('decodes transaction markers and prints .txnindex entries', async () => {
    const manager = await LogManager.open({ dataDir, config: testConfig() });
    const log = await manager.createLog('txn', 0);
    await log.append(txnBatch(7n, 2, 0, 2)); // 0-1
    await log.append(markerBatch(7n, 2, false, 5), { origin: 'coordinator' }); // 2
    await log.append(txnBatch(7n, 2, 2)); // 3
    await log.append(markerBatch(7n, 2, true, 5), { origin: 'coordinator' }); // 4
    await manager.close();
    const base = join(dataDir, 'txn-0', '00000000000000000000');
    const lines = await dump([`${base}.log`, `${base}.txnindex`], true);
    expect(lines.filter((l) => l.startsWith('baseOffset: 2 '))[0]).toMatch(/producerId: 7 producerEpoch: 2 .* isTransactional: true isControl: true /);
    expect(lines).toContain('| offset: 2 CreateTime: 1000 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: ABORT coordinatorEpoch: 5');
    expect(lines).toContain('| offset: 4 CreateTime: 1000 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 5');
    expect(lines.slice(lines.indexOf(`Dumping ${base}.txnindex`) + 1)).toEqual(['version: 0 producerId: 7 firstOffset: 0 lastOffset: 2 lastStableOffset: 3']);
  });

  it('decodes __transaction_state records, as kafka-dump-log.sh --transaction-log-decoder', async () => {
    const manager = await LogManager.open({ dataDir, config: testConfig() });
    const log = await manager.createLog('__transaction_state', 7);
    const md = new TransactionMetadata('app', { producerId: 1000n, producerEpoch: 3, txnTimeoutMs: 60_000, state: 'Empty', txnLastUpdateTimestamp: 5 });
    const ongoing = md.prepareAddPartitions(new Map([['t', new Set([1, 0])]]), 9);
    await CoordinatorLog.over('__transaction_state', [log], { now: () => 9 }).append(0, [
      transactionLogRecord('app', ongoing), { key: transactionLogKey('gone'), value: null },
    ]);
    await manager.close();
    const lines = await dump([join(dataDir, '__transaction_state-7', '00000000000000000000.log')], true);
    expect(lines.filter((l) => l.startsWith('| ')).map((l) => l.replace(/^.* headerKeys: \[\] /, ''))).toEqual([
      'key: transaction_metadata::transactionalId=app payload: producerId:1000,producerEpoch:3,state=Ongoing,partitions=[t-0,t-1],txnLastUpdateTimestamp=9,txnTimeoutMs=60000',
      'key: transaction_metadata::transactionalId=gone payload: <DELETE>',
    ]);
  });

  it('skips unknown files', async () => {
    expect(await dump(['/tmp/whatever.txt'])).toEqual(['Dumping /tmp/whatever.txt', 'Ignoring unknown file /tmp/whatever.txt']);
  });
});
