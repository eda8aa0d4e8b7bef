/**
 * `__consumer_offsets` as Kafka lays it out: groups hashed onto offsets.topic.num.partitions
 * partitions with Java's String.hashCode, a one-partition layout from an older data directory moved
 * without losing anything, offsets of deleted topics removed, require_stable, and the reason logged
 * when an empty group is removed.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { GroupCoordinator } from '../../src/group/coordinator.js';
import { MemoryOffsetStore } from '../../src/group/offset-store.js';
import { PendingTransactionalOffsets } from '../../src/group/pending-offsets.js';
import { decodeRecord, type CoordinatorRecord } from '../../src/group/records.js';
import { coordinatorPartitionFor, javaStringHashCode } from '../../src/util/java-hash.js';
import { TEST_GROUP_CONFIG } from '../support/group-config.js';
import { ManualClock } from '../support/manual-clock.js';

const config = TEST_GROUP_CONFIG;

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

async function open(store: MemoryOffsetStore, clock = new ManualClock(1_000_000), logger = pino({ level: 'silent' })) {
  const c = new GroupCoordinator({ clock, logger, config, store });
  await c.startup();
  return { c, clock };
}

const commit = (c: GroupCoordinator, group: string, topic: string, partition: number, offset: bigint) =>
  c.commitOffsets(group, {
    memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, apiVersion: 8,
    entries: [{ topic, partition, offset, leaderEpoch: -1, metadata: null }],
  });

const offsetOf = (c: GroupCoordinator, group: string, topic: string, partition: number) =>
  c.fetchOffsets(group, [{ name: topic, partitions: [partition] }]).offsets[0]!.offset;

const groupsIn = (records: readonly CoordinatorRecord[]) => [...new Set(records.map((r) => decodeRecord(r).group))].sort();

describe('__consumer_offsets partitions', () => {
  it('hashes a group id as Kafka does: abs(String.hashCode) % partitions, Integer.MIN_VALUE counting as 0', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('orders')).toBe(-1008770331);
    // Java's own example of a string whose hash is Integer.MIN_VALUE: Math.abs would keep it negative.
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(coordinatorPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(coordinatorPartitionFor('orders', 50)).toBe(31);
    expect(coordinatorPartitionFor('billing', 50)).toBe(9);
    expect(coordinatorPartitionFor('orders', 1)).toBe(0);
  });

  it("writes each group's records to the partition its id hashes to", async () => {
    const store = new MemoryOffsetStore(50);
    const { c } = await open(store);
    await commit(c, 'orders', 't', 0, 5n);
    await commit(c, 'billing', 't', 0, 7n);
    expect(groupsIn(store.partitions[31]!)).toEqual(['orders']);
    expect(groupsIn(store.partitions[9]!)).toEqual(['billing']);
    expect(store.partitions.filter((p) => p.length > 0)).toHaveLength(2);
    expect(c.partitionFor('orders')).toBe(31);
  });

  it('moves the groups of a one-partition layout to their partitions without losing an offset, crash or not', async () => {
    // What an older Tafka wrote: every group in partition 0.
    const old = new MemoryOffsetStore(1);
    const before = await open(old);
    for (const [g, o] of [['orders', 99n], ['billing', 11n], ['polygenelubricants', 3n], ['gone', 1n]] as const) await commit(before.c, g, 't', 0, o);
    expect(await before.c.deleteGroups(['gone'])).toEqual([0]);
    const legacy = () => {
      const s = new MemoryOffsetStore(50);
      s.partitions[0] = [...old.partitions[0]!];
      return s;
    };

    // A failure half-way through the move (billing's partition cannot be written) loses nothing:
    // partition 0 keeps the only copy of billing, so it is not snapshotted even when it grows.
    const failing = legacy();
    const append = failing.append.bind(failing);
    let broken = true;
    failing.append = async (p, records) => {
      if (broken && p === 9) throw new Error('disk full');
      return append(p, records);
    };
    const half = await open(failing);
    broken = false;
    expect(offsetOf(half.c, 'billing', 't', 0)).toBe(11n);
    expect(groupsIn(failing.partitions[31]!)).toEqual(['orders']); // copied ...
    expect(groupsIn(failing.partitions[0]!)).toContain('orders'); // ... and still where it was
    for (let i = 0; i < 1200; i++) await commit(half.c, 'polygenelubricants', 't', 0, BigInt(i)); // would snapshot partition 0
    expect(groupsIn(failing.partitions[0]!)).toContain('billing');
    expect(offsetOf((await open(failing)).c, 'billing', 't', 0)).toBe(11n);

    // The next start (snapshots working again) finishes the move.
    const store = legacy();
    const { c } = await open(store);
    const expected = { orders: 99n, billing: 11n, polygenelubricants: 3n, gone: -1n };
    for (const [g, o] of Object.entries(expected)) expect(offsetOf(c, g, 't', 0)).toBe(o);
    expect(groupsIn(store.partitions[0]!)).toEqual(['polygenelubricants']); // the one that hashes to 0
    expect(groupsIn(store.partitions[31]!)).toEqual(['orders']);
    expect(groupsIn(store.partitions[9]!)).toEqual(['billing']);
    const again = await open(store);
    for (const [g, o] of Object.entries(expected)) expect(offsetOf(again.c, g, 't', 0)).toBe(o);
  });

  it("removes every group's committed offsets of a deleted topic (Kafka's onPartitionsDeleted), durably", async () => {
    const store = new MemoryOffsetStore(50);
    const { c } = await open(store);
    await commit(c, 'a', 'doomed', 0, 5n);
    await commit(c, 'a', 'doomed', 3, 6n);
    await commit(c, 'b', 'doomed', 1, 7n);
    await commit(c, 'a', 'kept', 0, 8n);
    c.transactionalOffsets.add(1n, 'a', 'doomed', 2, { offset: 9n, leaderEpoch: -1, metadata: '', commitTimestamp: 0, expireTimestamp: -1 });
    await c.onTopicDeleted('doomed');
    expect(c.fetchOffsets('a', null).offsets.map((o) => [o.topic, o.partition, o.offset])).toEqual([['kept', 0, 8n]]);
    expect(c.fetchOffsets('b', null).offsets).toEqual([]);
    expect(c.hasPendingTransactionalOffsets('a', 'doomed', 2)).toBe(false);
    const again = await open(store);
    expect(again.c.fetchOffsets('a', null).offsets.map((o) => o.topic)).toEqual(['kept']);
    expect(again.c.fetchOffsets('b', null).offsets).toEqual([]);
  });

  it('says why an empty group is removed: no offsets at all, or all of them expired', async () => {
    const { logger, lines } = capturingLogger();
    const clock = new ManualClock(1_000_000);
    const { c } = await open(new MemoryOffsetStore(50), clock, logger);
    const p = {
      groupInstanceId: null, clientId: 'c', clientHost: 'h', rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 10_000, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], requireKnownMemberId: false, supportsSkipAssignment: false,
    };
    const joined = c.joinGroup('never-committed', { ...p, memberId: '' });
    clock.advance(0);
    const j = await joined;
    expect((await c.leaveGroup('never-committed', [{ memberId: j.memberId, groupInstanceId: null }])).memberErrors).toEqual([0]);
    await commit(c, 'committed', 't', 0, 1n);
    clock.advance(config.offsetsRetentionMs + config.offsetsRetentionCheckIntervalMs);
    await new Promise((r) => setImmediate(r));
    const removed = lines.filter((l) => l.to === 'Dead').map((l) => [l.group, l.reason]);
    expect(removed).toEqual(expect.arrayContaining([
      ['never-committed', 'empty group without committed offsets'],
      ['committed', 'all committed offsets expired'],
    ]));
  });
});

describe('require_stable (KIP-447)', () => {
  it('answers 88 UNSTABLE_OFFSET_COMMIT for a partition an open transaction holds an offset for', async () => {
    const { c } = await open(new MemoryOffsetStore(50));
    await commit(c, 'g', 't', 0, 5n);
    await commit(c, 'g', 't', 1, 6n);
    c.transactionalOffsets.add(7n, 'g', 't', 0, { offset: 10n, leaderEpoch: -1, metadata: '', commitTimestamp: 0, expireTimestamp: -1 });
    const stable = c.fetchOffsets('g', [{ name: 't', partitions: [0, 1] }], true).offsets;
    expect(stable.map((o) => [o.partition, o.offset, o.errorCode])).toEqual([[0, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT], [1, 6n, 0]]);
    expect(c.fetchOffsets('g', null, true).offsets.map((o) => o.errorCode)).toEqual([ErrorCode.UNSTABLE_OFFSET_COMMIT, 0]);
    // Without require_stable the last committed offset is answered, as Kafka does.
    expect(c.fetchOffsets('g', [{ name: 't', partitions: [0] }]).offsets[0]!.offset).toBe(5n);
    // The transaction ends: stable again.
    expect(c.transactionalOffsets.complete(7n).map((e) => [e.groupId, e.topic, e.partition, e.value.offset])).toEqual([['g', 't', 0, 10n]]);
    expect(c.fetchOffsets('g', [{ name: 't', partitions: [0] }], true).offsets[0]!.errorCode).toBe(0);
  });

  it('waits for the commits of the group that are being written', async () => {
    const store = new MemoryOffsetStore(50);
    const { c } = await open(store);
    await commit(c, 'g', 't', 0, 1n);
    let release!: () => void;
    const append = store.append.bind(store);
    store.append = async (p, records) => {
      await new Promise<void>((r) => (release = r));
      return append(p, records);
    };
    const committing = commit(c, 'g', 't', 0, 2n);
    let waited = false;
    const stable = c.pendingCommitsWritten('g').then(() => (waited = true));
    await new Promise((r) => setImmediate(r));
    expect(waited).toBe(false);
    expect(offsetOf(c, 'g', 't', 0)).toBe(1n); // not written yet: not answered
    await c.pendingCommitsWritten('other'); // another group's writes are not waited for
    release();
    await stable;
    expect(offsetOf(c, 'g', 't', 0)).toBe(2n);
    expect(await committing).toEqual([0]);
  });

  it('keeps pending transactional offsets per producer until the transaction completes', () => {
    const pending = new PendingTransactionalOffsets<number>();
    pending.add(1n, 'g', 't', 0, 10);
    pending.add(1n, 'g', 't', 0, 11);
    pending.add(2n, 'g', 'u', 3, 20);
    expect([pending.has('g', 't', 0), pending.has('g', 'u', 3), pending.has('g', 't', 1), pending.has('h', 't', 0)]).toEqual([true, true, false, false]);
    pending.removeTopic('u');
    expect(pending.has('g', 'u', 3)).toBe(false);
    expect(pending.complete(1n)).toEqual([{ groupId: 'g', topic: 't', partition: 0, value: 11 }]);
    expect(pending.has('g', 't', 0)).toBe(false);
    expect(pending.complete(1n)).toEqual([]);
  });
});
