/**
 * Offsets committed inside a transaction (TxnOffsetCommit): pending until the transaction's marker
 * lands in the group's log, then visible (COMMIT) or gone (ABORT) — live and after a restart.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { GroupCoordinator } from '../../src/group/coordinator.js';
import { config } from './helpers.js';
import { LogOffsetStore, MemoryOffsetStore } from '../../src/group/offset-store.js';
import { LogManager } from '../../src/log/log-manager.js';
import { MemoryStorage } from '../../src/log/memory-storage.js';
import { MarkerWriter } from '../../src/txn/markers.js';
import { ManualClock } from '../support/manual-clock.js';

const logger = pino({ level: 'silent' });

const txnCommit = (c: GroupCoordinator, group: string, producerId: bigint, entries: [string, number, bigint][], producerEpoch = 0) =>
  c.commitTxnOffsets(group, {
    producerId, producerEpoch, memberId: '', groupInstanceId: null, generationId: -1,
    entries: entries.map(([topic, partition, offset]) => ({ topic, partition, offset, leaderEpoch: -1, metadata: null })),
  });

const fetch = (c: GroupCoordinator, group: string, requireStable = false) =>
  c.fetchOffsets(group, [{ name: 't', partitions: [0, 1] }], requireStable).offsets.map((o) => [o.partition, o.offset, o.errorCode]);

describe('transactional offset commits', () => {
  it('are pending until COMMIT (88 with require_stable meanwhile), and dropped by ABORT', async () => {
    const c = new GroupCoordinator({ clock: new ManualClock(1000), logger, config, store: new MemoryOffsetStore() });
    await c.startup();
    await c.commitOffsets('g', {
      memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, apiVersion: 8,
      entries: [{ topic: 't', partition: 1, offset: 3n, leaderEpoch: -1, metadata: null }],
    });
    expect(await txnCommit(c, 'g', 7n, [['t', 0, 10n], ['t', 1, 11n]])).toEqual([0, 0]);
    expect(fetch(c, 'g')).toEqual([[0, -1n, 0], [1, 3n, 0]]);
    expect(fetch(c, 'g', true)).toEqual([[0, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT], [1, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
    c.completeTxnOffsets(7n, true);
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, 11n, 0]]);

    await txnCommit(c, 'g', 8n, [['t', 0, 20n]]);
    c.completeTxnOffsets(8n, false);
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, 11n, 0]]);
  });

  it('check the member only when the request names one (TxnOffsetCommit v3+)', async () => {
    const c = new GroupCoordinator({ clock: new ManualClock(1000), logger, config, store: new MemoryOffsetStore() });
    await c.startup();
    expect(await txnCommit(c, 'g', 7n, [['t', 0, 1n]])).toEqual([0]);
    expect(await c.commitTxnOffsets('g', {
      producerId: 7n, producerEpoch: 0, memberId: 'ghost', groupInstanceId: null, generationId: 3,
      entries: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }],
    })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await c.commitTxnOffsets('unknown', {
      producerId: 7n, producerEpoch: 0, memberId: 'm', groupInstanceId: null, generationId: 3,
      entries: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }],
    })).toEqual([ErrorCode.ILLEGAL_GENERATION]);
  });

  it('are resolved on replay by the marker written into the group\'s log', async () => {
    const clock = new ManualClock(1000);
    const storage = new MemoryStorage(clock);
    let logs = await LogManager.open({ storage, logger, clock });
    let c = new GroupCoordinator({ clock, logger, config, store: await LogOffsetStore.open(logs, clock) });
    await c.startup();
    const markers = new MarkerWriter({ clock, partitionLog: (t, p) => logs.getLog(t, p), groupMarker: (p, m) => c.writeTxnMarker(p, m) });
    await txnCommit(c, 'g', 7n, [['t', 0, 10n]]);
    await txnCommit(c, 'g', 8n, [['t', 1, 20n]]);
    await txnCommit(c, 'g', 9n, [['t', 1, 30n]]);
    const marker = { producerEpoch: 0, coordinatorEpoch: 0 };
    expect(await markers.write('__consumer_offsets', 0, { ...marker, producerId: 7n, commit: true })).toBe(0);
    expect(await markers.write('__consumer_offsets', 0, { ...marker, producerId: 8n, commit: false })).toBe(0);
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
    // A fenced producer's commit is refused by the log itself.
    expect(await txnCommit(c, 'g', 7n, [['t', 0, 99n]], 0)).toEqual([0]);
    await markers.write('__consumer_offsets', 0, { ...marker, producerId: 7n, producerEpoch: 1, commit: false });
    expect(await txnCommit(c, 'g', 7n, [['t', 0, 99n]], 0)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);

    await c.close();
    await logs.close();
    logs = await LogManager.open({ storage, logger, clock });
    c = new GroupCoordinator({ clock, logger, config, store: await LogOffsetStore.open(logs, clock) });
    await c.startup();
    // Producer 9's transaction is still open after the restart; its marker resolves it.
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
    c.completeTxnOffsets(9n, true);
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, 30n, 0]]);
    await c.close();
    await logs.close();
  });

  it('apply in log order: an ABORT racing an in-flight commit of the same producer drops it', async () => {
    const clock = new ManualClock(1000);
    const logs = await LogManager.open({ storage: new MemoryStorage(clock), logger, clock });
    const c = new GroupCoordinator({ clock, logger, config, store: await LogOffsetStore.open(logs, clock) });
    await c.startup();
    // The coordinator fences the producer (a timeout) while its TxnOffsetCommit is being written:
    // records first, then the marker, in one tick.
    const committing = txnCommit(c, 'g', 7n, [['t', 0, 10n]]);
    const marking = c.writeTxnMarker(0, { producerId: 7n, producerEpoch: 1, coordinatorEpoch: 0, commit: false });
    expect(await committing).toEqual([0]);
    expect(await marking).toBe(0);
    expect(fetch(c, 'g', true)).toEqual([[0, -1n, 0], [1, -1n, 0]]);
    await c.close();
    await logs.close();
  });
});
