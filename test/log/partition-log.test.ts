import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import {
  baseOffsetAt,
  batchSizeAt,
  checkBatchIntegrity,
  Compression,
  CONTROL_BIT,
  encodeBatch,
  encodeRecords,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  readBatchHeader,
  timestampTypeOf,
} from '../../src/codec/record-batch.js';
import type { LogConfig } from '../../src/config/log-config.js';
import type { LogManager } from '../../src/log/log-manager.js';
import type { PartitionLog } from '../../src/log/partition-log.js';
import type { Storage } from '../../src/log/storage.js';
import { batch, makeStorage, openManager, STORAGE_KINDS, testConfig, codeOf, timedBatch, type StorageKind } from './helpers.js';

/** Splits a records buffer into its batches' base offsets. */
function baseOffsets(records: Buffer): bigint[] {
  const out: bigint[] = [];
  for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) out.push(baseOffsetAt(records, pos));
  return out;
}

describe.each(STORAGE_KINDS)('PartitionLog on %s storage', (kind: StorageKind) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let clock: ManualClock;
  let manager: LogManager;

  beforeEach(async () => {
    clock = new ManualClock(1_000_000);
    ({ storage, cleanup } = await makeStorage(kind, clock));
  });
  afterEach(async () => {
    await manager?.close();
    await cleanup();
  });

  async function open(config: Partial<LogConfig> = {}): Promise<PartitionLog> {
    manager = await openManager(storage, testConfig(config), clock);
    return manager.createLog('topic', 0);
  }

  async function reopen(config: Partial<LogConfig> = {}): Promise<PartitionLog> {
    await manager.close();
    manager = await openManager(storage, testConfig(config), clock);
    return manager.getLog('topic', 0)!;
  }

  describe('append', () => {
    it('assigns contiguous offsets in call order and advances the high watermark after the write', async () => {
      const log = await open();
      const pending = [log.append(batch(3)), log.append(batch(1)), log.append(batch(5))];
      expect(log.logEndOffset).toBe(9n);
      expect(log.highWatermark).toBe(0n); // nothing written yet
      const results = await Promise.all(pending);
      expect(results.map((r) => [r.baseOffset, r.lastOffset])).toEqual([
        [0n, 2n],
        [3n, 3n],
        [4n, 8n],
      ]);
      expect(results[0]!.logAppendTime).toBe(-1n);
      expect(log.highWatermark).toBe(9n);
    });

    it('startAppend returns the assigned offsets at once, and refuses by throwing, writing nothing', async () => {
      const log = await open();
      const first = log.startAppend(batch(3));
      const second = log.startAppend(batch(2));
      expect([first.baseOffset, first.lastOffset, second.baseOffset, second.lastOffset]).toEqual([0n, 2n, 3n, 4n]);
      expect(log.highWatermark).toBe(0n);
      const bad = batch(1);
      bad[bad.length - 1] ^= 0xff;
      expect(() => log.startAppend(bad)).toThrow(expect.objectContaining({ errorCode: 2 }));
      expect(log.logEndOffset).toBe(5n);
      expect((await second.done).baseOffset).toBe(3n);
      expect((await first.done).lastOffset).toBe(2n);
      expect(log.highWatermark).toBe(5n);
    });

    it('stores several batches of one request and writes base offset and leader epoch in place', async () => {
      const log = await open();
      await log.append(batch(2));
      const records = Buffer.concat([batch(2), batch(3)]);
      const r = await log.append(records, { leaderEpoch: 7 });
      expect([r.baseOffset, r.lastOffset]).toEqual([2n, 6n]);
      const read = await log.read(2n, 1 << 20);
      expect(baseOffsets(read.records)).toEqual([2n, 4n]);
      expect(read.records.readInt32BE(PARTITION_LEADER_EPOCH)).toBe(7);
      expect(checkBatchIntegrity(read.records, 0)).toBe(0); // CRC untouched by the broker's stamps
    });

    it('rejects the whole request when any batch is invalid, writing nothing', async () => {
      const log = await open();
      const bad = batch(2);
      bad[bad.length - 1] ^= 0xff; // CRC mismatch
      expect(await codeOf(log.append(Buffer.concat([batch(1), bad])))).toBe(2);
      const truncated = batch(2).subarray(0, 70);
      expect(await codeOf(log.append(Buffer.concat([batch(1), truncated])))).toBe(2);
      expect(log.logEndOffset).toBe(0n);
      expect(log.sizeInBytes()).toBe(0);
    });

    it('answers Kafka error codes for each kind of bad batch', async () => {
      const log = await open({ maxMessageBytes: 500 });
      const records = encodeRecords([{ value: Buffer.from('x') }, { value: Buffer.from('y') }]);
      const mismatch = encodeBatch({ lastOffsetDelta: 5, recordsCount: 2, records });
      expect(await codeOf(log.append(mismatch))).toBe(87);
      const control = encodeBatch({ lastOffsetDelta: 1, recordsCount: 2, records, attributes: CONTROL_BIT });
      expect(await codeOf(log.append(control))).toBe(87);
      const codec = encodeBatch({ lastOffsetDelta: 1, recordsCount: 2, records, attributes: 5 });
      expect(await codeOf(log.append(codec))).toBe(76);
      const oldMagic = batch(1);
      oldMagic[16] = 1;
      expect(await codeOf(log.append(oldMagic))).toBe(87);
      expect(await codeOf(log.append(batch(1, { valueSize: 600 })))).toBe(10);
      expect(await codeOf(log.append(Buffer.alloc(0)))).toBe(87);
      expect(await codeOf(log.append(Buffer.alloc(30, 1)))).toBe(2);
      expect(log.logEndOffset).toBe(0n);
    });

    it('rejects a request larger than a segment with RECORD_LIST_TOO_LARGE', async () => {
      const log = await open({ segmentBytes: 1000 });
      expect(await codeOf(log.append(Buffer.concat([batch(5, { valueSize: 100 }), batch(5, { valueSize: 100 })])))).toBe(18);
    });

    it('stamps LogAppendTime: timestamp type bit, max timestamp, recomputed CRC', async () => {
      const log = await open({ messageTimestampType: 'LogAppendTime' });
      const r = await log.append(batch(2, { timestamp: 5 }), { logAppendTimeMs: 123456 });
      expect(r.logAppendTime).toBe(123456n);
      const { records } = await log.read(0n, 1 << 20);
      const h = readBatchHeader(records)!;
      expect(timestampTypeOf(h.attributes)).toBe('LogAppendTime');
      expect(h.maxTimestamp).toBe(123456);
      expect(checkBatchIntegrity(records, 0)).toBe(0);
    });

    it('notifies onAppend listeners after writes, and stops after unsubscribe', async () => {
      const log = await open();
      let calls = 0;
      const off = log.onAppend(() => calls++);
      await log.append(batch(1));
      expect(calls).toBe(1);
      off();
      await log.append(batch(1));
      expect(calls).toBe(1);
    });
  });

  describe('read', () => {
    it('returns whole batches from the one holding the offset, within the budget', async () => {
      const log = await open({ indexIntervalBytes: 100 });
      for (let i = 0; i < 50; i++) await log.append(batch(4, { valueSize: 20 }));
      const size = batchSizeAt(batch(4, { valueSize: 20 }), 0);
      for (const offset of [0n, 1n, 3n, 4n, 77n, 150n, 199n]) {
        const { records } = await log.read(offset, size * 3 + 10);
        const bases = baseOffsets(records);
        expect(bases[0]).toBe((offset / 4n) * 4n);
        expect(records.length).toBe(size * Math.min(3, bases.length));
      }
    });

    it('returns the first batch whole even when it exceeds the budget', async () => {
      const log = await open();
      const big = batch(3, { valueSize: 1000 });
      await log.append(Buffer.from(big));
      await log.append(batch(1));
      const { records } = await log.read(1n, 10);
      expect(records.length).toBe(big.length);
    });

    it('without minOneMessage, a first batch larger than the budget gives nothing', async () => {
      const log = await open();
      const big = batch(3, { valueSize: 1000 });
      await log.append(Buffer.from(big));
      expect((await log.read(0n, big.length - 1, { minOneMessage: false })).records.length).toBe(0);
      expect((await log.read(0n, 0, { minOneMessage: false })).records.length).toBe(0);
      expect((await log.read(0n, big.length, { minOneMessage: false })).records.length).toBe(big.length);
      await expect(log.read(5n, 0, { minOneMessage: false })).rejects.toMatchObject({ errorCode: 1 });
    });

    it('returns nothing at the high watermark and OFFSET_OUT_OF_RANGE outside the log', async () => {
      const log = await open();
      await log.append(batch(3));
      expect((await log.read(3n, 1000)).records.length).toBe(0);
      expect(await codeOf(log.read(4n, 1000))).toBe(1);
      expect(await codeOf(log.read(-1n, 1000))).toBe(1);
    });

    it('never returns data a pending write has not finished', async () => {
      const log = await open();
      await log.append(batch(2));
      const pending = log.append(batch(2));
      const during = await log.read(0n, 1 << 20);
      expect(baseOffsets(during.records)).toEqual([0n]);
      expect(during.highWatermark).toBeGreaterThanOrEqual(2n);
      await pending;
      expect(baseOffsets((await log.read(0n, 1 << 20)).records)).toEqual([0n, 2n]);
    });

    it('reads sequentially across segments like a consumer', async () => {
      const log = await open({ segmentBytes: 2000, indexIntervalBytes: 256 });
      const sent: Buffer[] = [];
      for (let i = 0; i < 60; i++) {
        const b = batch(1 + (i % 4), { valueSize: 30 + i, tag: i });
        sent.push(Buffer.from(b));
        await log.append(b);
      }
      expect(log.segmentCount).toBeGreaterThan(3);
      const got: Buffer[] = [];
      let offset = 0n;
      while (offset < log.highWatermark) {
        const { records } = await log.read(offset, 700);
        for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
          const b = records.subarray(pos, pos + batchSizeAt(records, pos));
          got.push(b);
          offset = baseOffsetAt(b, 0) + BigInt(readBatchHeader(b)!.lastOffsetDelta) + 1n;
        }
      }
      expect(got.length).toBe(sent.length);
      got.forEach((b, i) => expect(b.subarray(17)).toEqual(sent[i]!.subarray(17))); // all but offset & epoch
    });

    it('serves the same reads after a clean reopen', async () => {
      let log = await open({ segmentBytes: 3000, indexIntervalBytes: 200 });
      for (let i = 0; i < 40; i++) await log.append(batch(2, { valueSize: 50, tag: i }));
      const before = await Promise.all([0n, 17n, 41n, 79n].map((o) => log.read(o, 500)));
      log = await reopen({ segmentBytes: 3000, indexIntervalBytes: 200 });
      expect(log.logEndOffset).toBe(80n);
      const after = await Promise.all([0n, 17n, 41n, 79n].map((o) => log.read(o, 500)));
      after.forEach((r, i) => expect(r.records).toEqual(before[i]!.records));
      expect((await log.append(batch(1))).baseOffset).toBe(80n);
    });
  });

  describe('offset for timestamp', () => {
    it('finds the first record whose timestamp reaches the target, through the time index and the batch it leads to', async () => {
      const log = await open({ indexIntervalBytes: 100, segmentBytes: 1500 });
      // Batches of 2 records at timestamps 1000, 1010, ..., with one late batch out of order.
      for (let i = 0; i < 40; i++) await log.append(batch(2, { timestamp: i === 20 ? 5000 : 1000 + 10 * i }));
      expect(log.segmentCount).toBeGreaterThan(2);
      expect(await log.offsetForTimestamp(1000n)).toEqual({ offset: 0n, timestamp: 1000n });
      expect(await log.offsetForTimestamp(1001n)).toEqual({ offset: 2n, timestamp: 1010n });
      expect(await log.offsetForTimestamp(1150n)).toEqual({ offset: 30n, timestamp: 1150n });
      expect(await log.offsetForTimestamp(1195n)).toEqual({ offset: 40n, timestamp: 5000n }); // the late batch
      expect(await log.offsetForTimestamp(1390n)).toEqual({ offset: 40n, timestamp: 5000n });
      expect(await log.offsetForTimestamp(5001n)).toBeNull();
      // Both records of the late batch hold 5000: the first of them, as Kafka's offsetOfMaxTimestamp.
      expect(await log.maxTimestampOffset()).toEqual({ offset: 40n, timestamp: 5000n });
      await log.deleteRecordsBefore(33n);
      expect(await log.offsetForTimestamp(0n)).toEqual({ offset: 33n, timestamp: 1160n });
    });

    it('answers the same after a reopen', async () => {
      let log = await open({ indexIntervalBytes: 100, segmentBytes: 1500 });
      for (let i = 0; i < 40; i++) await log.append(batch(2, { timestamp: 1000 + 10 * i }));
      log = await reopen({ indexIntervalBytes: 100, segmentBytes: 1500 });
      expect(await log.offsetForTimestamp(1255n)).toEqual({ offset: 52n, timestamp: 1260n });
      expect(await log.maxTimestampOffset()).toEqual({ offset: 78n, timestamp: 1390n });
    });

    const T = 1_000_000;
    const tenSeconds = Array.from({ length: 10 }, (_, i) => T - 60_000 + i * 1000);
    it.each([
      ['uncompressed', {}],
      ['gzip', { attributes: Compression.gzip, compress: (b: Buffer) => gzipSync(b) }],
    ])('10 records 1 s apart in one %s batch: offsets 0, 3, 9 and none before, between, at and after them', async (_, opts) => {
      const log = await open();
      await log.append(batch(2, { timestamp: T - 120_000 })); // offsets 0-1, older
      await log.append(timedBatch(tenSeconds, opts)); // offsets 2-11
      const at = async (t: number) => (await log.offsetForTimestamp(BigInt(t)))?.offset;
      const base = tenSeconds[0]!;
      expect(await at(base - 500)).toBe(2n);
      expect(await at(base + 2500)).toBe(5n);
      expect(await at(base + 9000)).toBe(11n);
      expect(await at(base + 9001)).toBeUndefined();
      // Each answer carries the record's own timestamp.
      expect(await log.offsetForTimestamp(BigInt(base + 2500))).toEqual({ offset: 5n, timestamp: BigInt(base + 3000) });
    });

    it('records out of order inside a batch: the first record at or after the target, and the first holding the maximum', async () => {
      const log = await open();
      await log.append(timedBatch([T - 3000, T - 1000, T - 2000, T - 1000]));
      expect(await log.offsetForTimestamp(BigInt(T - 2500))).toEqual({ offset: 1n, timestamp: BigInt(T - 1000) });
      expect(await log.maxTimestampOffset()).toEqual({ offset: 1n, timestamp: BigInt(T - 1000) });
    });

    it('a header that over-promised leads on to the next batch; an empty log has no max timestamp', async () => {
      const log = await open();
      expect(await log.maxTimestampOffset()).toBeNull();
      // The header says 5000 but its records stop at 2000 (plausible, so accepted as sent).
      await log.append(timedBatch([1000, 2000], { maxTimestamp: 5000 }));
      await log.append(timedBatch([3000, 4000]));
      expect(await log.offsetForTimestamp(2500n)).toEqual({ offset: 2n, timestamp: 3000n });
    });

    it('a maxTimestamp of -1 is recomputed on append, so the time index and lookups see the records', async () => {
      const log = await open({ indexIntervalBytes: 0 });
      await log.append(timedBatch([T - 5000, T - 4000], { maxTimestamp: -1 }));
      await log.append(timedBatch([T - 3000, T - 2000], { maxTimestamp: -1 }));
      expect(await log.offsetForTimestamp(BigInt(T - 4500))).toEqual({ offset: 1n, timestamp: BigInt(T - 4000) });
      expect(await log.maxTimestampOffset()).toEqual({ offset: 3n, timestamp: BigInt(T - 2000) });
      const { records } = await log.read(0n, 1 << 20);
      expect([readBatchHeader(records, 0)!.maxTimestamp, readBatchHeader(records, batchSizeAt(records, 0))!.maxTimestamp]).toEqual([T - 4000, T - 2000]);
      expect(checkBatchIntegrity(records)).toBe(0);
    });
  });

  describe('timestamp bounds', () => {
    it('message.timestamp.after.max.ms refuses a batch with 32 and writes nothing; a config change applies at once', async () => {
      const log = await open();
      const ahead = () => timedBatch([1_000_000 + 7_200_000]);
      expect(await codeOf(log.append(ahead()))).toBe(32);
      expect(log.logEndOffset).toBe(0n);
      log.updateConfig({ messageTimestampAfterMaxMs: 10_000_000 });
      expect((await log.append(ahead())).baseOffset).toBe(0n);
      log.updateConfig({ messageTimestampBeforeMaxMs: 1000 });
      expect(await codeOf(log.append(timedBatch([1_000_000, 1_000_000 - 2000])))).toBe(32);
      log.updateConfig({ messageTimestampType: 'LogAppendTime' });
      expect((await log.append(timedBatch([1_000_000 - 2000]))).baseOffset).toBe(1n);
    });
  });

  describe('roll', () => {
    it('rolls when segment.bytes would be exceeded', async () => {
      const size = batch(1, { valueSize: 100 }).length;
      const log = await open({ segmentBytes: size * 3 });
      for (let i = 0; i < 7; i++) await log.append(batch(1, { valueSize: 100 }));
      expect(log.segmentBaseOffsets()).toEqual([0n, 3n, 6n]);
    });

    it('rolls when the segment spans more than segment.ms of batch time', async () => {
      const log = await open({ segmentMs: 1000 });
      await log.append(batch(1, { timestamp: 10_000 }));
      await log.append(batch(1, { timestamp: 11_000 })); // exactly 1000: no roll
      expect(log.segmentCount).toBe(1);
      await log.append(batch(1, { timestamp: 11_001 }));
      expect(log.segmentBaseOffsets()).toEqual([0n, 2n]);
    });

    it('rolls by wall-clock time when batches carry no timestamp', async () => {
      const log = await open({ segmentMs: 1000 });
      await log.append(batch(1, { timestamp: -1 }));
      clock.advance(1001);
      await log.append(batch(1, { timestamp: -1 }));
      expect(log.segmentBaseOffsets()).toEqual([0n, 1n]);
    });

    it('rolls when an index is full (log.index.size.max.bytes)', async () => {
      // Room for 3 offset-index entries (and 2 time-index entries; equal timestamps add only one).
      // With a 1-byte interval every batch after the first gets an entry: batches 1, 2, 3 fill it.
      const log = await open({ maxIndexSize: 24, indexIntervalBytes: 1 });
      for (let i = 0; i < 6; i++) await log.append(batch(1));
      expect(log.segmentBaseOffsets()).toEqual([0n, 4n]);
    });

    it('lays segments out as Kafka does', async () => {
      const log = await open({ segmentBytes: 500 });
      for (let i = 0; i < 4; i++) await log.append(batch(1, { valueSize: 200 }));
      const files = (await storage.listFiles('topic-0')).sort();
      expect(files).toEqual(
        [0, 1, 2, 3].flatMap((o) => {
          const base = String(o).padStart(20, '0');
          // Kafka also writes a producer snapshot at each roll, named by the new segment's base offset.
          return [`${base}.index`, `${base}.log`, ...(o > 0 ? [`${base}.snapshot`] : []), `${base}.timeindex`];
        }),
      );
    });
  });

  describe('retention and log start offset', () => {
    it('deletes whole segments whose newest batch is older than retention.ms, never the active one', async () => {
      const size = batch(1).length;
      const log = await open({ segmentBytes: size * 2, retentionMs: 10_000 });
      for (let i = 0; i < 7; i++) await log.append(batch(1, { timestamp: 1_000_000 + i * 1000 }));
      expect(log.segmentBaseOffsets()).toEqual([0n, 2n, 4n, 6n]);
      clock.set(1_000_000 + 1000 + 10_000); // segment [0,1] is 10000 old: not yet
      expect(await log.deleteOldSegments()).toBe(0);
      clock.advance(1);
      expect(await log.deleteOldSegments()).toBe(1);
      expect(log.logStartOffset).toBe(2n);
      clock.advance(1_000_000);
      expect(await log.deleteOldSegments()).toBe(2);
      expect(log.segmentBaseOffsets()).toEqual([6n]);
      expect(log.logStartOffset).toBe(6n);
      expect(await codeOf(log.read(5n, 100))).toBe(1);
      expect((await storage.listFiles('topic-0')).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000000006.log']);
    });

    it('keeps deleted segments as .deleted files for file.delete.delay.ms', async () => {
      const size = batch(1).length;
      const log = await open({ segmentBytes: size * 2, retentionBytes: size * 3, fileDeleteDelayMs: 60_000 });
      for (let i = 0; i < 7; i++) await log.append(batch(1));
      expect(await log.deleteOldSegments()).toBe(2);
      const deletedFiles = async () => (await storage.listFiles('topic-0')).filter((f) => f.endsWith('.deleted')).sort();
      expect(await deletedFiles()).toEqual([
        '00000000000000000000.index.deleted', '00000000000000000000.log.deleted', '00000000000000000000.timeindex.deleted',
        '00000000000000000002.index.deleted', '00000000000000000002.log.deleted', '00000000000000000002.timeindex.deleted',
      ]);
      clock.advance(59_999);
      expect(await deletedFiles()).toHaveLength(6);
      clock.advance(1);
      // The removal runs in the background once due; wait for its I/O, not for time.
      await vi.waitFor(async () => expect(await deletedFiles()).toEqual([]));
    });

    it('deletes the oldest segments while the partition is over retention.bytes', async () => {
      const size = batch(1).length;
      const log = await open({ segmentBytes: size * 2, retentionBytes: size * 3 });
      for (let i = 0; i < 7; i++) await log.append(batch(1));
      // 7 batches in segments of 2,2,2,1: deleting one leaves 5 > 3, two leaves 3.
      expect(await log.deleteOldSegments()).toBe(2);
      expect(log.segmentBaseOffsets()).toEqual([4n, 6n]);
      expect(log.logStartOffset).toBe(4n);
      expect(log.sizeInBytes()).toBe(size * 3);
    });

    it('moves the log start offset by request and drops segments wholly before it', async () => {
      const size = batch(2).length;
      const log = await open({ segmentBytes: size * 2 });
      for (let i = 0; i < 5; i++) await log.append(batch(2));
      expect(log.segmentBaseOffsets()).toEqual([0n, 4n, 8n]);
      expect(await log.deleteRecordsBefore(5n)).toBe(5n);
      expect(log.segmentBaseOffsets()).toEqual([4n, 8n]);
      expect(await codeOf(log.read(4n, 100))).toBe(1);
      expect(baseOffsets((await log.read(5n, 100)).records)).toEqual([4n]); // the batch holding 5
      expect(await log.deleteRecordsBefore(3n)).toBe(5n); // never backwards
      expect(await codeOf(log.deleteRecordsBefore(11n))).toBe(1); // beyond the high watermark
      expect(await log.deleteRecordsBefore(-1n)).toBe(10n); // -1: up to the high watermark
      expect(log.segmentBaseOffsets()).toEqual([8n]);
      expect((await log.append(batch(1))).logStartOffset).toBe(10n);
    });

    it('keeps the log start offset across a restart', async () => {
      let log = await open({ segmentBytes: batch(2).length * 2 });
      for (let i = 0; i < 5; i++) await log.append(batch(2));
      await log.deleteRecordsBefore(6n);
      log = await reopen({ segmentBytes: batch(2).length * 2 });
      expect(log.logStartOffset).toBe(6n);
      expect(log.logEndOffset).toBe(10n);
    });
  });

  it('marks the time index entry of a sealed segment with its max timestamp', async () => {
    const log = await open({ segmentBytes: batch(1).length });
    const b = batch(1, { timestamp: 777 });
    await log.append(b);
    await log.append(batch(1, { timestamp: 778 }));
    await log.flush();
    const timeIndex = await storage.readFile('topic-0', '00000000000000000000.timeindex');
    expect(timeIndex).toEqual(Buffer.from('0000000000000309' + '00000000', 'hex'));
    expect(b.readBigInt64BE(MAX_TIMESTAMP)).toBe(777n);
  });
});
