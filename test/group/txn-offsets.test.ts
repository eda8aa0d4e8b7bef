/**
 * Offsets committed inside a transaction (TxnOffsetCommit): written to the group's own
 * `__consumer_offsets` partition, pending until the transaction's marker lands in that partition,
 * then visible (COMMIT) or gone (ABORT) — live and after a restart.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { GroupCoordinator } from '../../src/group/coordinator.js';
import { LogOffsetStore, MemoryOffsetStore } from '../../src/group/offset-store.js';
import { decodeRecord } from '../../src/group/records.js';
import { LogManager } from '../../src/log/log-manager.js';
import { MemoryStorage } from '../../src/log/memory-storage.js';
import { TopicRegistry } from '../../src/topics/registry.js';
import { MarkerWriter } from '../../src/txn/markers.js';
import { TEST_GROUP_CONFIG as config } from '../support/group-config.js';
import { ManualClock } from '../support/manual-clock.js';

const logger = pino({ level: 'silent' });

const txnCommit = (c: GroupCoordinator, group: string, producerId: bigint, entries: [string, number, bigint][], producerEpoch = 0) =>
  c.commitTxnOffsets(group, {
    producerId, producerEpoch, memberId: '', groupInstanceId: null, generationId: -1,
    entries: entries.map(([topic, partition, offset]) => ({ topic, partition, offset, leaderEpoch: -1, metadata: null })),
  });

const fetch = (c: GroupCoordinator, group: string, requireStable = false) =>
  c.fetchOffsets(group, [{ name: 't', partitions: [0, 1] }], requireStable).offsets.map((o) => [o.partition, o.offset, o.errorCode]);

const marker = (producerId: bigint, commit: boolean, producerEpoch = 0) => ({ producerId, producerEpoch, coordinatorEpoch: 0, commit });

async function memoryCoordinator(partitions = 50) {
  const store = new MemoryOffsetStore(partitions);
  const c = new GroupCoordinator({ clock: new ManualClock(1000), logger, config, store });
  await c.startup();
  return { c, store };
}

/** A coordinator over the real log store and topic registry, reopenable over the same storage. */
async function logCoordinator(storage: MemoryStorage, clock: ManualClock) {
  const logs = await LogManager.open({ storage, logger, clock });
  const registry = await TopicRegistry.open(storage);
  const c = new GroupCoordinator({
    clock, logger, config, store: await LogOffsetStore.open({ config: new BrokerConfig(), logs, registry, clock }),
  });
  await c.startup();
  return { c, logs };
}

describe('transactional offset commits', () => {
  it('are pending until COMMIT (88 with require_stable meanwhile), and dropped by ABORT', async () => {
    const { c } = await memoryCoordinator();
    const p = c.partitionFor('g');
    await c.commitOffsets('g', {
      memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, apiVersion: 8,
      entries: [{ topic: 't', partition: 1, offset: 3n, leaderEpoch: -1, metadata: null }],
    });
    expect(await txnCommit(c, 'g', 7n, [['t', 0, 10n], ['t', 1, 11n]])).toEqual([0, 0]);
    expect(fetch(c, 'g')).toEqual([[0, -1n, 0], [1, 3n, 0]]);
    expect(fetch(c, 'g', true)).toEqual([[0, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT], [1, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
    expect(await c.writeTxnMarker(p, marker(7n, true))).toBe(0);
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, 11n, 0]]);

    await txnCommit(c, 'g', 8n, [['t', 0, 20n]]);
    expect(await c.writeTxnMarker(p, marker(8n, false))).toBe(0);
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, 11n, 0]]);
  });

  it("go to the group's own partition, and a marker resolves only the groups of the partition it is in", async () => {
    const { c, store } = await memoryCoordinator();
    // 'orders' hashes to partition 31 and 'billing' to 9 of 50 (test/group/offsets-topic.test.ts).
    await txnCommit(c, 'orders', 7n, [['t', 0, 10n]]);
    await txnCommit(c, 'billing', 7n, [['t', 0, 20n]]);
    expect(store.partitions[31]!.map((r) => decodeRecord(r).group)).toEqual(['orders']);
    expect(store.partitions[9]!.map((r) => decodeRecord(r).group)).toEqual(['billing']);
    expect(await c.writeTxnMarker(31, marker(7n, true))).toBe(0);
    expect(fetch(c, 'orders', true)).toEqual([[0, 10n, 0], [1, -1n, 0]]);
    expect(fetch(c, 'billing', true)[0]).toEqual([0, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
    // Replay applies each partition's marker to that partition's groups only, too.
    const again = new GroupCoordinator({ clock: new ManualClock(1000), logger, config, store });
    await again.startup();
    expect(fetch(again, 'orders', true)).toEqual([[0, 10n, 0], [1, -1n, 0]]);
    expect(fetch(again, 'billing', true)[0]).toEqual([0, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]);
    expect(await again.writeTxnMarker(9, marker(7n, false))).toBe(0);
    expect(fetch(again, 'billing', true)[0]).toEqual([0, -1n, 0]);
    expect(await again.writeTxnMarker(50, marker(7n, false))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('check the member only when the request names one (TxnOffsetCommit v3+)', async () => {
    const { c } = await memoryCoordinator();
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

  it("are resolved on replay by the marker written into the group's partition", async () => {
    const clock = new ManualClock(1000);
    const storage = new MemoryStorage(clock);
    let { c, logs } = await logCoordinator(storage, clock);
    const p = c.partitionFor('g');
    const markers = new MarkerWriter({ clock, partitionLog: (t, q) => logs.getLog(t, q), groupMarker: (q, m) => c.writeTxnMarker(q, m) });
    await txnCommit(c, 'g', 7n, [['t', 0, 10n]]);
    await txnCommit(c, 'g', 8n, [['t', 1, 20n]]);
    await txnCommit(c, 'g', 9n, [['t', 1, 30n]]);
    expect(await markers.write('__consumer_offsets', p, marker(7n, true))).toBe(0);
    expect(await markers.write('__consumer_offsets', p, marker(8n, false))).toBe(0);
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
    // A fenced producer's commit is refused by the log itself.
    expect(await txnCommit(c, 'g', 7n, [['t', 0, 99n]], 0)).toEqual([0]);
    await markers.write('__consumer_offsets', p, marker(7n, false, 1));
    expect(await txnCommit(c, 'g', 7n, [['t', 0, 99n]], 0)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);

    await c.close();
    await logs.close();
    ({ c, logs } = await logCoordinator(storage, clock));
    // Producer 9's transaction is still open after the restart; its marker resolves it.
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
    expect(await c.writeTxnMarker(p, marker(9n, true))).toBe(0);
    expect(fetch(c, 'g', true)).toEqual([[0, 10n, 0], [1, 30n, 0]]);
    await c.close();
    await logs.close();
  });

  it('apply in log order: an ABORT racing an in-flight commit of the same producer drops it', async () => {
    const clock = new ManualClock(1000);
    const { c, logs } = await logCoordinator(new MemoryStorage(clock), clock);
    // The coordinator fences the producer (a timeout) while its TxnOffsetCommit is being written:
    // records first, then the marker, in one tick.
    const committing = txnCommit(c, 'g', 7n, [['t', 0, 10n]]);
    const marking = c.writeTxnMarker(c.partitionFor('g'), marker(7n, false, 1));
    expect(await committing).toEqual([0]);
    expect(await marking).toBe(0);
    expect(fetch(c, 'g', true)).toEqual([[0, -1n, 0], [1, -1n, 0]]);
    await c.close();
    await logs.close();
  });

  it("keep the group's partition from being snapshotted while pending", async () => {
    const { c, store } = await memoryCoordinator(1);
    await txnCommit(c, 'g', 7n, [['t', 0, 10n]]);
    for (let i = 0; i < 1200; i++) await txnCommit(c, 'other', 8n, [['t', 0, BigInt(i)]]); // would snapshot
    expect(store.partitions[0]!.filter((r) => decodeRecord(r).group === 'g')).toHaveLength(1);
    expect(await c.writeTxnMarker(0, marker(7n, true))).toBe(0);
    expect(await c.writeTxnMarker(0, marker(8n, true))).toBe(0);
    await c.commitOffsets('other', {
      memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, apiVersion: 8,
      entries: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }],
    });
    expect(store.partitions[0]!.length).toBeLessThan(10); // snapshotted once nothing is pending
    expect(fetch(c, 'g')).toEqual([[0, 10n, 0], [1, -1n, 0]]);
  });
});
