/**
 * The coordinator's durability: commits are acknowledged only once written, replay rebuilds groups
 * and offsets, snapshots keep replay short, offsets of empty groups expire — all over the real log
 * store (in memory) and fake time.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { GroupCoordinator } from '../../src/group/coordinator.js';
import { LogOffsetStore, MemoryOffsetStore, type OffsetStore } from '../../src/group/offset-store.js';
import { TEST_GROUP_CONFIG } from '../support/group-config.js';
import { ManualClock } from '../support/manual-clock.js';
import { LogManager } from '../../src/log/log-manager.js';
import { MemoryStorage } from '../../src/log/memory-storage.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { TopicRegistry } from '../../src/topics/registry.js';

const logger = pino({ level: 'silent' });
const settle = () => new Promise<void>((r) => setImmediate(r));

const config = TEST_GROUP_CONFIG;

async function open(store: OffsetStore, clock = new ManualClock(1_000_000)) {
  const c = new GroupCoordinator({ clock, logger, config, store });
  await c.startup();
  return { c, clock };
}

/**
 * A fresh LogManager over the same storage and the same topic registry (tafka-topics.json): what a
 * broker restart sees.
 */
async function logStore(storage: MemoryStorage, registry: TopicRegistry, brokerConfig = new BrokerConfig()) {
  const logs = await LogManager.open({ storage, logger });
  return { logs, store: await LogOffsetStore.open({ config: brokerConfig, logs, registry, clock: { now: () => 1_000_000 } }) };
}

const commit = (c: GroupCoordinator, group: string, entries: [string, number, bigint, string?][], over: Partial<Parameters<GroupCoordinator['commitOffsets']>[1]> = {}) =>
  c.commitOffsets(group, {
    memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, apiVersion: 8,
    entries: entries.map(([topic, partition, offset, metadata]) => ({ topic, partition, offset, leaderEpoch: 3, metadata: metadata ?? null })),
    ...over,
  });

const offsetsOf = (c: GroupCoordinator, group: string, topic: string, partitions: number[]) =>
  c.fetchOffsets(group, [{ name: topic, partitions }]).offsets.map((o) => [o.partition, o.offset, o.metadata, o.leaderEpoch]);

/** One member joined (v4 dance) and synced: a Stable group. */
async function stableGroup(c: GroupCoordinator, clock: ManualClock, group: string) {
  const p = { groupInstanceId: null, clientId: 'c', clientHost: 'h', rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 10_000,
    protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 0]) }], requireKnownMemberId: true, supportsSkipAssignment: true };
  const first = await c.joinGroup(group, { ...p, memberId: '' });
  const joined = c.joinGroup(group, { ...p, memberId: first.memberId });
  clock.advance(0);
  const j = await joined;
  const s = await c.syncGroup(group, { memberId: j.memberId, groupInstanceId: null, generationId: j.generationId, protocolType: null, protocolName: null,
    assignments: [{ memberId: j.memberId, assignment: Buffer.from('A') }] });
  expect(s.errorCode).toBe(0);
  return j;
}

describe('GroupCoordinator', () => {
  it('answers 14 while loading and 15 to FindCoordinator, then serves', async () => {
    const store = new MemoryOffsetStore();
    const c = new GroupCoordinator({ clock: new ManualClock(), logger, config, store });
    expect(c.findCoordinatorError()).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(c.heartbeat('g', 'm', null, 1)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(c.fetchOffsets('g', null).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(await commit(c, 'g', [['t', 0, 5n]])).toEqual([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);
    await c.startup();
    expect(c.findCoordinatorError()).toBe(ErrorCode.NONE);
    expect(c.heartbeat('g', 'm', null, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('simple commits, metadata and leader epoch, -1 for partitions without a commit', async () => {
    const { c } = await open(new MemoryOffsetStore());
    expect(await commit(c, 'simple', [['t', 0, 5n, 'meta'], ['t', 2, 9n]])).toEqual([0, 0]);
    expect(offsetsOf(c, 'simple', 't', [0, 1, 2])).toEqual([[0, 5n, 'meta', 3], [1, -1n, '', -1], [2, 9n, '', 3]]);
    expect(c.fetchOffsets('simple', null).offsets).toHaveLength(2);
    expect(c.fetchOffsets('unknown', null)).toEqual({ errorCode: 0, offsets: [] });
    expect(c.listGroups([], []).groups).toEqual([{ groupId: 'simple', protocolType: '', state: 'Empty', type: 'classic' }]);
    expect(await commit(c, 'simple', [['t', 0, 1n, 'x'.repeat(4097)]])).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE]);
    expect(await commit(c, '', [['t', 0, 1n]])).toEqual([ErrorCode.INVALID_GROUP_ID]);
  });

  it('commits from members are checked against the group; an unknown group is 22 before v9, 69 from v9', async () => {
    const { c, clock } = await open(new MemoryOffsetStore());
    const j = await stableGroup(c, clock, 'g');
    expect(await commit(c, 'g', [['t', 0, 1n]], { memberId: j.memberId, generationId: j.generationId })).toEqual([0]);
    expect(await commit(c, 'g', [['t', 0, 1n]], { memberId: j.memberId, generationId: j.generationId + 1 })).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await commit(c, 'g', [['t', 0, 1n]], { memberId: 'other', generationId: j.generationId })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await commit(c, 'g', [['t', 0, 1n]])).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]); // generation -1 on a non-empty group
    expect(await commit(c, 'nope', [['t', 0, 1n]], { memberId: 'm', generationId: 3, apiVersion: 8 })).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await commit(c, 'nope', [['t', 0, 1n]], { memberId: 'm', generationId: 3, apiVersion: 9 })).toEqual([ErrorCode.GROUP_ID_NOT_FOUND]);
    // Admin: describe while Stable shows the assignment; delete is refused while members remain.
    const d = c.describeGroup('g');
    expect(d).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(d.members[0]!.memberAssignment.toString()).toBe('A');
    expect(await c.deleteGroups(['g', 'nope'])).toEqual([ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND]);
    // The member subscribes to "t" (see its metadata): its offsets cannot be deleted, others can.
    expect(await c.deleteOffsets('g', [{ name: 't', partitions: [0] }, { name: 'u', partitions: [0] }])).toEqual({
      errorCode: 0, results: [{ topic: 't', partition: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }, { topic: 'u', partition: 0, errorCode: 0 }],
    });
  });

  it('replays offsets and groups after a restart of the log store; deletions stay deleted', async () => {
    const storage = new MemoryStorage();
    const registry = await TopicRegistry.open(undefined);
    let { logs, store } = await logStore(storage, registry);
    let { c, clock } = await open(store);
    const j = await stableGroup(c, clock, 'g');
    await commit(c, 'g', [['t', 0, 10n, 'm0'], ['t', 1, 20n]], { memberId: j.memberId, generationId: j.generationId });
    await commit(c, 'gone', [['t', 0, 1n]]);
    await commit(c, 'simple', [['t', 0, 7n]]);
    expect(await c.deleteGroups(['gone'])).toEqual([0]);
    await c.close();
    await logs.close();

    ({ logs, store } = await logStore(storage, registry));
    ({ c, clock } = await open(store));
    expect(offsetsOf(c, 'g', 't', [0, 1])).toEqual([[0, 10n, 'm0', 3], [1, 20n, '', 3]]);
    expect(offsetsOf(c, 'simple', 't', [0])).toEqual([[0, 7n, '', 3]]);
    expect(c.listGroups([], []).groups.map((g) => g.groupId).sort()).toEqual(['g', 'simple']);
    // The group comes back Stable with its member, which keeps heartbeating as if nothing happened.
    expect(c.describeGroup('g')).toMatchObject({ state: 'Stable', protocolData: 'range' });
    expect(c.heartbeat('g', j.memberId, null, j.generationId)).toBe(ErrorCode.NONE);
    // ... and if it does not, its session expires.
    clock.advance(10_000);
    expect(c.describeGroup('g').state).toBe('Empty');
    await c.close();
    await logs.close();
  });

  it('snapshots bound replay: thousands of commits to a few partitions replay as a few records', async () => {
    const storage = new MemoryStorage();
    const registry = await TopicRegistry.open(undefined);
    let { logs, store } = await logStore(storage, registry);
    let { c } = await open(store);
    for (let i = 0; i < 3000; i++) await commit(c, 'g', [['t', i % 4, BigInt(i)]]);
    await settle();
    await c.close();
    await logs.close();

    ({ logs, store } = await logStore(storage, registry));
    let replayed = 0;
    await store.replay({ record: () => replayed++ });
    expect(replayed).toBeLessThan(1100); // at most a snapshot's worth plus the commits since
    ({ c } = await open(store));
    expect(offsetsOf(c, 'g', 't', [0, 1, 2, 3]).map((o) => o[1])).toEqual([2996n, 2997n, 2998n, 2999n]);
    await logs.close();
  }, 60_000); // 3,000 commits: half a second alone, several on a loaded 2-core machine

  it('a snapshot fits small offsets.topic.segment.bytes: it is written batch by batch, each inside a segment', async () => {
    const storage = new MemoryStorage();
    const registry = await TopicRegistry.open(undefined);
    const small = new BrokerConfig([['offsets.topic.num.partitions', '1'], ['offsets.topic.segment.bytes', '4096']]);
    const { logs, store } = await logStore(storage, registry, small);
    await store.prepare();
    const live = Array.from({ length: 400 }, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.alloc(40, i) }));
    // 400 records of ~60 bytes: 24 KB, six segments' worth, once refused whole (bytes exceed segment.bytes).
    await store.snapshot(0, live);
    let replayed = 0;
    await store.replay({ record: () => replayed++ });
    expect(replayed).toBe(400);
    await logs.close();
  });

  it('offsets of an empty group expire offsets.retention.minutes after it emptied; then the group is gone', async () => {
    const store = new MemoryOffsetStore();
    const { c, clock } = await open(store);
    const j = await stableGroup(c, clock, 'g');
    await commit(c, 'g', [['t', 0, 10n]], { memberId: j.memberId, generationId: j.generationId });
    await commit(c, 'simple', [['t', 0, 1n]]);
    clock.advance(config.offsetsRetentionMs); // the member is long gone (session timeout); simple's commit is old
    await settle();
    expect(offsetsOf(c, 'simple', 't', [0])[0]![1]).toBe(-1n);
    expect(offsetsOf(c, 'g', 't', [0])[0]![1]).toBe(10n); // g became Empty only 10 s in
    clock.advance(config.offsetsRetentionCheckIntervalMs);
    await settle();
    expect(offsetsOf(c, 'g', 't', [0])[0]![1]).toBe(-1n);
    expect(c.listGroups([], []).groups).toEqual([]);
    expect(store.records.at(-1)!.value).toBeNull(); // tombstones were written
  });

  it('keeps OffsetCommit v1\'s commit timestamp: a standalone group\'s offsets expire counting from it', async () => {
    const store = new MemoryOffsetStore();
    const { c, clock } = await open(store);
    const halfRetentionAgo = clock.now() - config.offsetsRetentionMs / 2;
    const v1 = (topic: string, commitTimestamp: number) => c.commitOffsets('simple', {
      memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, apiVersion: 1,
      entries: [{ topic, partition: 0, offset: 7n, leaderEpoch: -1, metadata: null, commitTimestamp }],
    });
    expect(await v1('old', halfRetentionAgo)).toEqual([0]);
    expect(await v1('now', -1)).toEqual([0]); // -1: the time of the commit
    clock.advance(config.offsetsRetentionMs / 2 + config.offsetsRetentionCheckIntervalMs);
    await settle();
    expect(offsetsOf(c, 'simple', 'old', [0])[0]![1]).toBe(-1n);
    expect(offsetsOf(c, 'simple', 'now', [0])[0]![1]).toBe(7n);
  });
});
