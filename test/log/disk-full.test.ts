import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { baseOffsetAt, batchSizeAt, lastOffsetDeltaAt } from '../../src/codec/record-batch.js';
import type { LogManager } from '../../src/log/log-manager.js';
import type { PartitionLog } from '../../src/log/partition-log.js';
import { FaultyStorage } from '../support/faulty-storage.js';
import { ManualClock } from '../support/manual-clock.js';
import { batch, codeOf, makeStorage, openManager, STORAGE_KINDS, testConfig, type StorageKind } from './helpers.js';
import { idempotentBatch } from './producer-helpers.js';

/** [base offset, record count] of every batch the log serves. */
async function served(log: PartitionLog): Promise<[bigint, number][]> {
  const out: [bigint, number][] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const { records } = await log.read(offset, 1 << 20);
    for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) {
      out.push([baseOffsetAt(records, pos), lastOffsetDeltaAt(records, pos) + 1]);
      offset = baseOffsetAt(records, pos) + BigInt(lastOffsetDeltaAt(records, pos)) + 1n;
    }
  }
  return out;
}

/**
 * Issue 11 item 7: a full disk takes a partition offline with 56 KAFKA_STORAGE_ERROR, and the
 * partition comes back by itself once writes succeed again, with exactly what was acknowledged.
 */
describe.each(STORAGE_KINDS)('a partition on a disk that fills up (%s storage)', (kind: StorageKind) => {
  let storage: FaultyStorage;
  let cleanup: () => Promise<void>;
  let clock: ManualClock;
  let manager: LogManager;

  beforeEach(async () => {
    clock = new ManualClock(1_000_000);
    const made = await makeStorage(kind, clock);
    storage = new FaultyStorage(made.storage);
    cleanup = made.cleanup;
  });
  afterEach(async () => {
    await manager?.close();
    await cleanup();
  });

  /** Moves the clock; when that starts an attempt to come back, waits for its outcome. */
  async function elapse(ms: number, log: PartitionLog): Promise<void> {
    clock.advance(ms);
    await log.recoveryAttempt;
  }

  it('answers 56 while full, comes back after a backoff once space is freed, and keeps exactly what was acknowledged', async () => {
    manager = await openManager(storage, testConfig({ segmentBytes: 4 * batch(3).length }), clock);
    const log = await manager.createLog('full', 0);
    for (let i = 0; i < 6; i++) await log.append(batch(3, { tag: i })); // two segments
    storage.full = true;
    // Three appends in flight when the disk fills: the first tears, all three fail.
    const inFlight = [log.append(batch(2)), log.append(batch(2)), log.append(batch(2))];
    expect(await Promise.all(inFlight.map(codeOf))).toEqual([56, 56, 56]);
    expect(() => log.startAppend(batch(1))).toThrow(expect.objectContaining({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR }));
    await expect(log.read(0n, 100)).rejects.toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR });

    await elapse(1000, log); // the first attempt to come back: the disk still refuses its write
    expect(() => log.startAppend(batch(1))).toThrow(expect.objectContaining({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR }));
    storage.full = false;
    await elapse(1000, log); // backoff doubled: not yet
    expect(() => log.startAppend(batch(1))).toThrow(expect.objectContaining({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR }));
    await elapse(1000, log);

    expect(log.logEndOffset).toBe(18n);
    expect(await served(log)).toEqual(Array.from({ length: 6 }, (_, i) => [BigInt(3 * i), 3]));
    expect(await log.append(batch(2))).toMatchObject({ baseOffset: 18n, lastOffset: 19n });
    await manager.close();

    // And nothing of the failed writes comes back after a restart, clean or not.
    manager = await openManager(storage, testConfig(), clock);
    expect(await served(manager.getLog('full', 0)!)).toEqual([...Array.from({ length: 6 }, (_, i) => [BigInt(3 * i), 3]), [18n, 2]]);
  });

  it('an idempotent producer retrying its failed batch is accepted once, at the next offset', async () => {
    manager = await openManager(storage, testConfig(), clock);
    const log = await manager.createLog('idem', 0);
    await log.append(idempotentBatch(7n, 0, 0, 2));
    storage.full = true;
    expect(await codeOf(log.append(idempotentBatch(7n, 0, 2, 3)))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    storage.full = false;
    await elapse(1000, log);
    // The failed batch is not in the log, so its retry is new (not a duplicate, not out of order).
    expect(await log.append(idempotentBatch(7n, 0, 2, 3))).toMatchObject({ baseOffset: 2n, lastOffset: 4n });
    expect(await log.append(idempotentBatch(7n, 0, 2, 3))).toMatchObject({ baseOffset: 2n, lastOffset: 4n }); // a duplicate now
    expect(await served(log)).toEqual([[0n, 2], [2n, 3]]);
  });

  it('a partition offline does not stop retention from freeing space in the others', async () => {
    manager = await openManager(storage, testConfig({ segmentBytes: batch(1).length, retentionBytes: 0 }), clock);
    const [offline, other] = [await manager.createLog('offline', 0), await manager.createLog('other', 0)];
    for (let i = 0; i < 3; i++) await other.append(batch(1));
    storage.full = true;
    expect(await codeOf(offline.append(batch(1)))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(await manager.runRetention()).toBe(2);
    expect(other.logStartOffset).toBe(2n);
  });

  it('a failed roll (producer snapshot, index files) is undone the same way', async () => {
    manager = await openManager(storage, testConfig({ segmentBytes: 2 * batch(3).length }), clock);
    const log = await manager.createLog('roll', 0);
    await log.append(batch(3));
    await log.append(batch(3));
    storage.full = true;
    expect(await codeOf(log.append(batch(3)))).toBe(ErrorCode.KAFKA_STORAGE_ERROR); // rolls, then fails
    storage.full = false;
    await elapse(1000, log);
    expect(await served(log)).toEqual([[0n, 3], [3n, 3]]);
    expect(await log.append(batch(3))).toMatchObject({ baseOffset: 6n });
    expect(await served(log)).toEqual([[0n, 3], [3n, 3], [6n, 3]]);
  });
});
