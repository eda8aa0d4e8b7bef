import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { baseOffsetAt, batchSizeAt } from '../../src/codec/record-batch.js';
import type { PartitionLog } from '../../src/log/partition-log.js';
import { decodeAbortedTxns } from '../../src/log/txn-index.js';
import { batch, codeOf, ReopenableLog, STORAGE_KINDS, type StorageKind } from './helpers.js';
import { idempotentBatch, markerBatch, txnBatch } from './producer-helpers.js';

const DIR = 'topic-0';

/** Base offsets of the batches a read returns. */
function bases(records: Buffer): bigint[] {
  const out: bigint[] = [];
  for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) out.push(baseOffsetAt(records, pos));
  return out;
}

const marker = (log: PartitionLog, producerId: bigint, epoch: number, commit: boolean) =>
  log.append(markerBatch(producerId, epoch, commit), { origin: 'coordinator' });

describe.each(STORAGE_KINDS)('transactions in the log on %s storage', (kind: StorageKind) => {
  let h: ReopenableLog;
  beforeEach(async () => {
    h = await ReopenableLog.create(kind);
  });
  afterEach(() => h.dispose());

  it('an open transaction holds the LSO at its first offset; read_committed stops there, read_uncommitted does not', async () => {
    const log = await h.open();
    await log.append(batch(2)); // 0-1
    await log.append(txnBatch(1n, 0, 0, 2)); // 2-3
    await log.append(batch(1)); // 4
    expect(log.highWatermark).toBe(5n);
    expect(log.lastStableOffset).toBe(2n);
    const committed = await log.read(0n, 1 << 20, { isolation: 'read_committed' });
    expect(bases(committed.records)).toEqual([0n]);
    expect(committed).toMatchObject({ highWatermark: 5n, lastStableOffset: 2n, abortedTransactions: [] });
    expect(bases((await log.read(2n, 1 << 20, { isolation: 'read_committed' })).records)).toEqual([]);
    expect(bases((await log.read(0n, 1 << 20)).records)).toEqual([0n, 2n, 4n]);

    await marker(log, 1n, 0, true); // 5
    expect(log.lastStableOffset).toBe(6n);
    const after = await log.read(0n, 1 << 20, { isolation: 'read_committed' });
    expect(bases(after.records)).toEqual([0n, 2n, 4n, 5n]);
    expect(after.abortedTransactions).toEqual([]);
  });

  it('the LSO passes a marker only once it is written', async () => {
    const log = await h.open();
    await log.append(txnBatch(1n, 0, 0)); // 0
    const ticket = log.startAppend(markerBatch(1n, 0, false), { origin: 'coordinator' }); // 1, not yet written
    expect(log.lastStableOffset).toBe(0n);
    await ticket.done;
    expect(log.lastStableOffset).toBe(2n);
  });

  it('an aborted transaction is returned with read_committed reads and written to .txnindex in Kafka\'s format', async () => {
    const log = await h.open();
    await log.append(txnBatch(7n, 3, 0, 2)); // 0-1
    await log.append(txnBatch(8n, 0, 0)); // 2
    await marker(log, 7n, 3, false); // 3: abort producer 7 while 8 is open
    await marker(log, 8n, 0, true); // 4
    const read = await log.read(0n, 1 << 20, { isolation: 'read_committed' });
    expect(bases(read.records)).toEqual([0n, 2n, 3n, 4n]);
    expect(read.abortedTransactions).toEqual([{ producerId: 7n, firstOffset: 0n, lastOffset: 3n, lastStableOffset: 2n }]);
    // A read past the aborted range does not carry it.
    expect((await log.read(4n, 1 << 20, { isolation: 'read_committed' })).abortedTransactions).toEqual([]);
    const file = (await h.raw.readFile(DIR, '00000000000000000000.txnindex'))!;
    expect(file.toString('hex')).toBe(
      ['0000', '0000000000000007', '0000000000000000', '0000000000000003', '0000000000000002'].join(''),
    );
    expect(decodeAbortedTxns(file)).toEqual(read.abortedTransactions);
  });

  it('refuses a control batch from a client (87) and a plain batch inside an open transaction (48)', async () => {
    const log = await h.open();
    expect(await codeOf(log.append(markerBatch(1n, 0, true)))).toBe(ErrorCode.INVALID_RECORD);
    await log.append(txnBatch(1n, 0, 0));
    expect(await codeOf(log.append(idempotentBatch(1n, 0, 1)))).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('after a clean restart, the open transaction comes back from the snapshot and .txnindex from its file', async () => {
    let log = await h.open();
    await log.append(txnBatch(1n, 0, 0)); // 0
    await marker(log, 1n, 0, false); // 1
    await log.append(txnBatch(2n, 0, 0)); // 2, stays open
    log = await h.restart();
    expect(log.lastStableOffset).toBe(2n);
    const read = await log.read(0n, 1 << 20, { isolation: 'read_committed' });
    expect(bases(read.records)).toEqual([0n, 1n]);
    expect(read.abortedTransactions).toMatchObject([{ producerId: 1n, firstOffset: 0n, lastOffset: 1n }]);
    await marker(log, 2n, 0, true);
    expect(log.lastStableOffset).toBe(4n);
  });

  it('after a crash, recovery rebuilds .txnindex and the open transactions, across segments', async () => {
    // Batches of 78 bytes (80 for the plain one): three per segment.
    let log = await h.open({ segmentBytes: 240 });
    await log.append(txnBatch(1n, 0, 0)); // 0: producer 1 opens in segment 0
    await log.append(batch(1)); // 1
    await log.append(txnBatch(2n, 0, 0)); // 2
    await log.append(txnBatch(1n, 0, 1)); // 3: segment 3
    await marker(log, 1n, 0, false); // 4: aborts 0..4 in segment 3
    await log.append(txnBatch(3n, 0, 0)); // 5
    await marker(log, 3n, 0, true); // 6: segment 6
    expect(log.segmentBaseOffsets()).toEqual([0n, 3n, 6n]);
    // The index of segment 3 is deleted, as a crash before it reached the disk could leave it.
    await h.raw.remove(DIR, '00000000000000000003.txnindex');
    log = await h.crashAndReopen();
    expect(log.lastStableOffset).toBe(2n); // producer 2 is still open
    expect((await log.read(0n, 1 << 20, { isolation: 'read_committed' })).records.length).toBeGreaterThan(0);
    expect(decodeAbortedTxns((await h.raw.readFile(DIR, '00000000000000000003.txnindex'))!)).toEqual([
      { producerId: 1n, firstOffset: 0n, lastOffset: 4n, lastStableOffset: 2n },
    ]);
    await marker(log, 2n, 0, false); // 7
    expect(log.lastStableOffset).toBe(8n);
    // Segment 3 is read (offsets 3-5): both aborted transactions overlap it (producer 2's began at 2).
    const all = await log.read(3n, 1 << 20, { isolation: 'read_committed' });
    expect(all.abortedTransactions).toEqual([
      { producerId: 1n, firstOffset: 0n, lastOffset: 4n, lastStableOffset: 2n },
      { producerId: 2n, firstOffset: 2n, lastOffset: 7n, lastStableOffset: 8n },
    ]);
    const last = await log.read(6n, 1 << 20, { isolation: 'read_committed' });
    expect(last.abortedTransactions).toEqual([{ producerId: 2n, firstOffset: 2n, lastOffset: 7n, lastStableOffset: 8n }]);
  });

  it('retention keeps segments at or above the LSO; DeleteRecords past an open transaction clamps the LSO', async () => {
    // Batches of 78 bytes (80 for the plain ones): two per segment.
    const log = await h.open({ segmentBytes: 160, retentionMs: 1 });
    await log.append(txnBatch(1n, 0, 0, 1, { timestamp: 0 })); // 0: stays open
    for (let i = 0; i < 5; i++) await log.append(batch(1, { timestamp: 0 })); // 1-5
    expect(log.segmentBaseOffsets()).toEqual([0n, 2n, 4n]);
    h.clock.advance(10_000);
    expect(await log.deleteOldSegments()).toBe(0);
    expect(log.segmentBaseOffsets()).toEqual([0n, 2n, 4n]);
    await log.deleteRecordsBefore(3n);
    expect(log.logStartOffset).toBe(3n);
    expect(log.lastStableOffset).toBe(3n);
    expect(log.segmentBaseOffsets()).toEqual([0n, 2n, 4n]);
    await marker(log, 1n, 0, true); // 6, in a new segment
    expect(log.lastStableOffset).toBe(7n);
    expect(await log.deleteOldSegments()).toBe(3);
    expect(log.segmentBaseOffsets()).toEqual([6n]);
  });

  it('producer expiration keeps a producer with an open transaction', async () => {
    const log = await h.open({ producerIdExpirationMs: 1000 });
    await log.append(txnBatch(1n, 0, 0, 1, { timestamp: 0 }));
    h.clock.advance(1_000_000);
    expect(log.removeExpiredProducers()).toBe(0);
    expect(log.lastStableOffset).toBe(0n);
  });
});
