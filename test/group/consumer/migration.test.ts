/**
 * Online migration between the group protocols on fake time (KIP-848, group.consumer.migration.policy):
 * a live classic group upgraded by a ConsumerGroupHeartbeat, its classic members carrying on with
 * JoinGroup/SyncGroup/Heartbeat inside the consumer group, and the downgrade back when the last
 * new-protocol member leaves.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import {
  decodeEmbeddedAssignment, encodeEmbeddedAssignment, encodeEmbeddedSubscription,
} from '../../../src/group/consumer/embedded-protocol.js';
import type { GroupCoordinator } from '../../../src/group/coordinator.js';
import type { JoinParams } from '../../../src/group/group.js';
import { beat, join, parts, setup } from '../../support/consumer-groups.js';
import type { ManualClock } from '../../support/manual-clock.js';

const SESSION_MS = 10_000;

const classicJoin = (memberId: string, over: Partial<JoinParams> = {}): JoinParams => ({
  memberId, groupInstanceId: null, clientId: 'kafkajs', clientHost: '127.0.0.1', rebalanceTimeoutMs: 30_000, sessionTimeoutMs: SESSION_MS,
  protocolType: 'consumer', protocols: [{ name: 'RoundRobinAssigner', metadata: encodeEmbeddedSubscription(['t']) }],
  requireKnownMemberId: false, supportsSkipAssignment: false, ...over,
});

const partitionsOf = (assignment: Buffer) => decodeEmbeddedAssignment(assignment).flatMap((t) => t.partitions).sort();

/** Two classic members form generation 1 on `t`; the leader gives a {0,1} and b {2,3}. */
async function classicGroup(c: GroupCoordinator, clock: ManualClock, protocolType = 'consumer') {
  const ja = c.joinGroup('g', classicJoin('', { protocolType }));
  const jb = c.joinGroup('g', classicJoin('', { protocolType }));
  clock.advance(0);
  const [a, b] = await Promise.all([ja, jb]);
  const leader = a.leader === a.memberId ? a : b;
  const other = leader === a ? b : a;
  const assignments = [
    { memberId: leader.memberId, assignment: encodeEmbeddedAssignment(new Map([['t', [0, 1]]])) },
    { memberId: other.memberId, assignment: encodeEmbeddedAssignment(new Map([['t', [2, 3]]])) },
  ];
  const sync = (memberId: string, given: typeof assignments) => c.syncGroup('g', {
    memberId, groupInstanceId: null, generationId: a.generationId, protocolType, protocolName: 'RoundRobinAssigner', assignments: given,
  });
  const [sa, sb] = await Promise.all([sync(leader.memberId, assignments), sync(other.memberId, [])]);
  expect([sa.errorCode, sb.errorCode]).toEqual([0, 0]);
  return { a: leader.memberId, b: other.memberId, generation: a.generationId };
}

/** A classic member's rejoin and sync inside the consumer group: its generation and partitions. */
async function rejoin(c: GroupCoordinator, memberId: string) {
  const j = await c.joinGroup('g', classicJoin(memberId));
  expect(j).toMatchObject({ errorCode: 0, memberId, protocolType: 'consumer', protocolName: 'RoundRobinAssigner', leader: '', members: [] });
  const s = await c.syncGroup('g', {
    memberId, groupInstanceId: null, generationId: j.generationId, protocolType: 'consumer', protocolName: 'RoundRobinAssigner', assignments: [],
  });
  expect(s.errorCode).toBe(0);
  return { generation: j.generationId, partitions: partitionsOf(s.assignment) };
}

describe('online upgrade: a ConsumerGroupHeartbeat to a live classic group', () => {
  it('converts it; the classic members rejoin when told, and the three split the topic without overlap', async () => {
    const { c, clock, topics } = await setup();
    topics.add('t', 4);
    const { a, b, generation } = await classicGroup(c, clock);

    const m3 = await c.consumerGroupHeartbeat(join({ memberId: 'm3' }));
    expect(m3).toMatchObject({ errorCode: 0, memberEpoch: generation + 1 });
    // Every partition is still held by a classic member.
    expect(parts(m3)).toEqual([]);
    const described = c.consumerGroupDescribe('g');
    expect(described).toMatchObject({ errorCode: 0, groupEpoch: generation + 1, assignmentEpoch: generation + 1 });
    expect(Object.fromEntries(described.members.map((m) => [m.memberId, m.memberType]))).toEqual({ [a]: 0, [b]: 0, m3: 1 });
    expect(c.listGroups([], []).groups).toEqual([{ groupId: 'g', protocolType: 'consumer', state: 'Reconciling', type: 'consumer' }]);

    // The classic members hear of it through their heartbeat, at their old generation.
    expect(c.heartbeat('g', a, null, generation)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(c.heartbeat('g', b, null, generation)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ra = await rejoin(c, a);
    const rb = await rejoin(c, b);
    expect([ra.generation, rb.generation]).toEqual([generation + 1, generation + 1]);
    // Now at the group epoch, they heartbeat quietly.
    expect(c.heartbeat('g', a, null, ra.generation)).toBe(ErrorCode.NONE);
    expect(c.heartbeat('g', a, null, generation)).toBe(ErrorCode.ILLEGAL_GENERATION);

    const m3Later = await c.consumerGroupHeartbeat(beat('m3', m3.memberEpoch, []));
    const all = [...ra.partitions, ...rb.partitions, ...parts(m3Later)!].sort();
    expect(all).toEqual([0, 1, 2, 3]);
    expect(parts(m3Later)!.length).toBeGreaterThan(0);
    expect(c.consumerGroupDescribe('g').state).toBe('Stable');
  });

  it('a classic member that rejoins with the same metadata writes no new member record', async () => {
    const { c, clock, topics, store } = await setup();
    topics.add('t', 4);
    const { a } = await classicGroup(c, clock);
    await c.consumerGroupHeartbeat(join({ memberId: 'm3' }));
    await rejoin(c, a);
    const memberRecords = () => store.records.filter((r) => r.key.readInt16BE(0) === 5).length;
    const before = memberRecords();
    await rejoin(c, a);
    expect(memberRecords()).toBe(before);
  });

  it('a classic member commits offsets with its generation (OffsetCommit before v9 is fine for it)', async () => {
    const { c, clock, topics } = await setup();
    topics.add('t', 4);
    const { a, generation } = await classicGroup(c, clock);
    await c.consumerGroupHeartbeat(join({ memberId: 'm3' }));
    const commit = (generationId: number) => c.commitOffsets('g', {
      memberId: a, groupInstanceId: null, generationId, retentionTimeMs: -1, apiVersion: 7,
      entries: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }],
    });
    expect(await commit(generation)).toEqual([ErrorCode.NONE]);
    expect(await commit(generation + 5)).toEqual([ErrorCode.ILLEGAL_GENERATION]);
  });

  it('a classic member that stops heartbeating is removed after its own session timeout', async () => {
    const { c, clock, topics } = await setup();
    topics.add('t', 4);
    const { a, b, generation } = await classicGroup(c, clock);
    await c.consumerGroupHeartbeat(join({ memberId: 'm3' }));
    clock.advance(SESSION_MS - 1);
    c.heartbeat('g', a, null, generation);
    await c.consumerGroupHeartbeat(beat('m3', generation + 1, []));
    clock.advance(2);
    await new Promise((r) => setImmediate(r));
    expect(c.consumerGroupDescribe('g').members.map((m) => m.memberId).sort()).toEqual([a, 'm3'].sort());
    expect(c.heartbeat('g', b, null, generation)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('survives a restart: the converted group is replayed from its records', async () => {
    const { c, clock, topics, open } = await setup();
    topics.add('t', 4);
    const { a, generation } = await classicGroup(c, clock);
    await c.consumerGroupHeartbeat(join({ memberId: 'm3' }));
    await c.close();
    const again = await open();
    expect(again.consumerGroupDescribe('g').members.map((m) => m.memberType).sort()).toEqual([0, 0, 1]);
    expect(again.heartbeat('g', a, null, generation)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(again.group('g')).toBeUndefined();
  });

  it('is refused (69, the classic group untouched) when the policy forbids it or the group is not a consumer group', async () => {
    for (const [policy, protocolType] of [['downgrade', 'consumer'], ['disabled', 'consumer'], ['bidirectional', 'connect']] as const) {
      const { c, clock, topics } = await setup({ migrationPolicy: policy });
      topics.add('t', 4);
      const { a, generation } = await classicGroup(c, clock, protocolType);
      const r = await c.consumerGroupHeartbeat(join({ memberId: 'm3' }));
      expect(r.errorCode, `${policy} ${protocolType}`).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
      expect(c.heartbeat('g', a, null, generation)).toBe(ErrorCode.NONE);
      expect(c.group('g')?.state).toBe('Stable');
    }
  });

  it('a classic member whose protocols no classic member shares is refused with 23', async () => {
    const { c, clock, topics } = await setup();
    topics.add('t', 4);
    await classicGroup(c, clock);
    await c.consumerGroupHeartbeat(join({ memberId: 'm3' }));
    const j = await c.joinGroup('g', classicJoin('', { protocols: [{ name: 'sticky', metadata: encodeEmbeddedSubscription(['t']) }] }));
    expect(j.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
});

describe('online downgrade: the last consumer-protocol member leaves', () => {
  it('turns the group classic again; its members rejoin the classic way and a leader assigns', async () => {
    const { c, clock, topics } = await setup();
    topics.add('t', 4);
    const { a, b } = await classicGroup(c, clock);
    const m3 = await c.consumerGroupHeartbeat(join({ memberId: 'm3' }));
    const ra = await rejoin(c, a);
    await rejoin(c, b);

    expect(await c.consumerGroupHeartbeat(beat('m3', m3.memberEpoch, null, { memberEpoch: -1 }))).toMatchObject({ errorCode: 0 });
    expect(c.consumerGroupDescribe('g').errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    const classic = c.group('g')!;
    expect(classic.state).toBe('PreparingRebalance');
    expect(classic.protocolName).toBe('RoundRobinAssigner');
    expect([...classic.members.keys()].sort()).toEqual([a, b].sort());
    expect(c.listGroups([], []).groups).toEqual([{ groupId: 'g', protocolType: 'consumer', state: 'PreparingRebalance', type: 'classic' }]);

    // Heartbeats at the member epoch they had are answered as a classic group answers them.
    expect(c.heartbeat('g', a, null, ra.generation)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ja = c.joinGroup('g', classicJoin(a));
    const jb = c.joinGroup('g', classicJoin(b));
    clock.advance(0);
    const [joinedA, joinedB] = await Promise.all([ja, jb]);
    expect(joinedA.errorCode).toBe(0);
    expect(joinedA.generationId).toBe(joinedB.generationId);
    expect([a, b]).toContain(joinedA.leader);
    const leader = joinedA.leader === a ? joinedA : joinedB;
    expect(leader.members.map((m) => m.memberId).sort()).toEqual([a, b].sort());
  });

  it('a classic static member replacing the last consumer-protocol one takes its partitions, with no rebalance', async () => {
    const { c, clock, topics } = await setup();
    topics.add('t', 4);
    const { a, b } = await classicGroup(c, clock);
    const m3 = await c.consumerGroupHeartbeat(join({ memberId: 'm3', instanceId: 'i3' }));
    await rejoin(c, a);
    await rejoin(c, b);
    const got = parts(await c.consumerGroupHeartbeat(beat('m3', m3.memberEpoch, [], { instanceId: 'i3' })))!;
    expect(got.length).toBeGreaterThan(0);

    // The same instance comes back speaking the classic protocol (a client downgraded and restarted).
    const j = await c.joinGroup('g', classicJoin('', { groupInstanceId: 'i3' }));
    expect(j).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'RoundRobinAssigner', leader: '' });
    expect(j.memberId).not.toBe('m3');
    const classic = c.group('g')!;
    expect(classic.state).toBe('Stable');
    expect(classic.generationId).toBe(j.generationId);
    expect([...classic.members.keys()].sort()).toEqual([a, b, j.memberId].sort());
    const s = await c.syncGroup('g', {
      memberId: j.memberId, groupInstanceId: 'i3', generationId: j.generationId, protocolType: 'consumer', protocolName: 'RoundRobinAssigner', assignments: [],
    });
    expect(s.errorCode).toBe(0);
    expect(partitionsOf(s.assignment)).toEqual([...got].sort());
  });

  it('does not happen while a consumer-protocol member remains, nor when the policy says upgrade only', async () => {
    const { c, clock, topics } = await setup({ migrationPolicy: 'upgrade' });
    topics.add('t', 4);
    await classicGroup(c, clock);
    const m3 = await c.consumerGroupHeartbeat(join({ memberId: 'm3' }));
    await c.consumerGroupHeartbeat(beat('m3', m3.memberEpoch, null, { memberEpoch: -1 }));
    expect(c.consumerGroupDescribe('g').members).toHaveLength(2);
    expect(c.group('g')).toBeUndefined();
  });
});
