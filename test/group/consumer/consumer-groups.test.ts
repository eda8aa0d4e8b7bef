/**
 * KIP-848 consumer groups through the coordinator, on fake time: joining, a cooperative handover
 * between two members heartbeat by heartbeat, session and rebalance timeouts, static members,
 * regex subscriptions and metadata changes, Kafka's errors, and a restart that replays the records.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import type { HeartbeatRequest } from '../../../src/group/consumer/consumer-groups.js';
import { beat, byTopic, idOf, join, parts, setup } from '../../support/consumer-groups.js';

describe('ConsumerGroupHeartbeat', () => {
  it('a first member gets every partition at epoch 1', async () => {
    const { c, topics } = await setup();
    topics.add('t', 4);
    const r = await c.consumerGroupHeartbeat(join());
    expect(r).toMatchObject({ errorCode: 0, memberId: 'm1', memberEpoch: 1, heartbeatIntervalMs: 5000 });
    expect(parts(r)).toEqual([0, 1, 2, 3]);
    expect(c.consumerGroupDescribe('g')).toMatchObject({ state: 'Stable', groupEpoch: 1, assignmentEpoch: 1, assignorName: 'uniform' });
  });

  it('hands partitions over heartbeat by heartbeat: the owner revokes first, the newcomer waits for them', async () => {
    const { c, topics } = await setup();
    topics.add('t', 4);
    await c.consumerGroupHeartbeat(join());
    // m2 joins: epoch 2, target {m1: 2 partitions, m2: 2}; m1 still holds them, so m2 gets nothing yet.
    const j2 = await c.consumerGroupHeartbeat(join({ memberId: 'm2' }));
    expect(j2).toMatchObject({ errorCode: 0, memberEpoch: 2 });
    expect(parts(j2)).toEqual([]);
    expect(c.consumerGroupDescribe('g').state).toBe('Reconciling');

    // m1 is asked to give up two partitions, keeping epoch 1.
    const h1 = await c.consumerGroupHeartbeat(beat('m1', 1, [0, 1, 2, 3]));
    expect(h1.memberEpoch).toBe(1);
    const kept = parts(h1)!;
    expect(kept).toHaveLength(2);
    // An unchanged heartbeat gets no assignment back.
    expect((await c.consumerGroupHeartbeat(beat('m1', 1, [0, 1, 2, 3]))).assignment).toBeNull();

    // m1 reports only what it kept: it moves to epoch 2.
    const h2 = await c.consumerGroupHeartbeat(beat('m1', 1, kept));
    expect(h2.memberEpoch).toBe(2);
    // m2's next heartbeat gets the released partitions.
    const h3 = await c.consumerGroupHeartbeat(beat('m2', 2, []));
    expect(parts(h3)!.sort()).toEqual([0, 1, 2, 3].filter((p) => !kept.includes(p)));
    expect(c.consumerGroupDescribe('g').state).toBe('Stable');
  });

  it('a silent member is fenced after group.consumer.session.timeout.ms and its partitions go to the others', async () => {
    const { c, topics, clock } = await setup();
    topics.add('t', 2);
    await c.consumerGroupHeartbeat(join());
    await c.consumerGroupHeartbeat(join({ memberId: 'm2' }));
    const h = await c.consumerGroupHeartbeat(beat('m1', 1, [0, 1]));
    await c.consumerGroupHeartbeat(beat('m1', 1, parts(h)));
    await c.consumerGroupHeartbeat(beat('m2', 2, []));
    expect(c.consumerGroupDescribe('g').members).toHaveLength(2);
    for (let t = 0; t < 9; t++) {
      clock.advance(5_000);
      await c.consumerGroupHeartbeat(beat('m1', c.consumerGroupDescribe('g').members.find((m) => m.memberId === 'm1')!.memberEpoch, null));
    }
    await Promise.resolve();
    const d = c.consumerGroupDescribe('g');
    expect(d.members.map((m) => m.memberId)).toEqual(['m1']);
    // m2 was fenced (epoch 3); m1's next heartbeat took the partitions it left.
    expect(d.groupEpoch).toBe(3);
    expect(d.members[0]!.memberEpoch).toBe(3);
    expect([...d.members[0]!.assignment.get(idOf('t'))!].sort()).toEqual([0, 1]);
    // The fenced member hears so when it comes back.
    expect((await c.consumerGroupHeartbeat(beat('m2', 2, []))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member that does not revoke within its rebalance timeout is fenced', async () => {
    const { c, topics, clock } = await setup();
    topics.add('t', 2);
    await c.consumerGroupHeartbeat(join({ rebalanceTimeoutMs: 10_000 }));
    await c.consumerGroupHeartbeat(join({ memberId: 'm2' }));
    await c.consumerGroupHeartbeat(beat('m1', 1, [0, 1]));
    clock.advance(9_000);
    expect(c.consumerGroupDescribe('g').members).toHaveLength(2);
    clock.advance(1_000);
    await Promise.resolve();
    expect(c.consumerGroupDescribe('g').members.map((m) => m.memberId)).toEqual(['m2']);
    expect((await c.consumerGroupHeartbeat(beat('m1', 1, [0, 1]))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers with Kafka\'s errors', async () => {
    const { c, topics } = await setup({ maxSize: 1 });
    topics.add('t', 2);
    const err = async (req: HeartbeatRequest) => (await c.consumerGroupHeartbeat(req)).errorCode;
    expect(await err(join({ groupId: '' }))).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(await err(join({ memberId: '' }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(await err(join({ rebalanceTimeoutMs: -1 }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(await err(join({ subscribedTopicNames: [] }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(await err(join({ topicPartitions: [{ topicId: idOf('t'), partitions: [0] }] }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(await err(join({ memberEpoch: -3 }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(await err(join({ serverAssignor: 'sticky' }))).toBe(ErrorCode.UNSUPPORTED_ASSIGNOR);
    expect(await err(join({ subscribedTopicRegex: '(a' }))).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
    expect(await err(beat('m1', 1, []))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await err(join())).toBe(ErrorCode.NONE);
    expect(await err(join({ memberId: 'm2' }))).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(await err(beat('m1', 7, [0, 1]))).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    // A full group refuses anyone who is not a member before looking further (Kafka's order).
    expect(await err(beat('m2', 1, []))).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    // v0 leaves the member id to the coordinator on a join.
    const v0 = await c.consumerGroupHeartbeat(join({ groupId: 'g0', memberId: '', apiVersion: 0 }));
    expect(v0.errorCode).toBe(0);
    expect(v0.memberId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('a static member leaving with epoch -2 comes back under a new member id to the same partitions, with no new epoch', async () => {
    const { c, topics } = await setup();
    topics.add('t', 2);
    await c.consumerGroupHeartbeat(join({ instanceId: 'i1' }));
    const j2 = await c.consumerGroupHeartbeat(join({ memberId: 'm2', instanceId: 'i2' }));
    const h = await c.consumerGroupHeartbeat(beat('m1', 1, [0, 1], { instanceId: 'i1' }));
    await c.consumerGroupHeartbeat(beat('m1', 1, parts(h), { instanceId: 'i1' }));
    const m2 = await c.consumerGroupHeartbeat(beat('m2', j2.memberEpoch, []));
    const epoch = c.consumerGroupDescribe('g').groupEpoch;

    // A second process with the same instance id while m2 is alive.
    expect((await c.consumerGroupHeartbeat(join({ memberId: 'm2b', instanceId: 'i2' }))).errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
    const left = await c.consumerGroupHeartbeat(beat('m2', m2.memberEpoch, null, { memberEpoch: -2, instanceId: 'i2' }));
    expect(left).toMatchObject({ errorCode: 0, memberEpoch: -2 });
    const back = await c.consumerGroupHeartbeat(join({ memberId: 'm2b', instanceId: 'i2' }));
    expect(back.errorCode).toBe(0);
    expect(parts(back)).toEqual(parts(m2));
    expect(c.consumerGroupDescribe('g').groupEpoch).toBe(epoch);
    // The old member id is fenced by the new one.
    expect((await c.consumerGroupHeartbeat(beat('m2', m2.memberEpoch, [], { instanceId: 'i2' }))).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  it('a regex subscription follows new topics; new partitions and deleted topics bump the group epoch', async () => {
    const { c, topics } = await setup();
    topics.add('orders-eu', 1);
    topics.add('__consumer_offsets', 3, true);
    topics.add('payments', 1);
    const r = await c.consumerGroupHeartbeat(join({ subscribedTopicNames: [], subscribedTopicRegex: '.*s-eu|__.*' }));
    expect(r.assignment).toEqual([{ topicId: idOf('orders-eu'), partitions: [0] }]);
    topics.add('orders-us', 1);
    topics.add('shipments-eu', 2);
    const h = await c.consumerGroupHeartbeat(beat('m1', 1, null));
    expect(h.memberEpoch).toBe(2);
    expect(byTopic(h.assignment)).toEqual({ [idOf('orders-eu')]: [0], [idOf('shipments-eu')]: [0, 1] });
    topics.byName.get('orders-eu')!.partitions = 2;
    expect((await c.consumerGroupHeartbeat(beat('m1', 2, null))).memberEpoch).toBe(3);
    topics.byName.delete('shipments-eu');
    // The deleted topic's partitions are revoked first (the member keeps epoch 3 until it confirms).
    const d = await c.consumerGroupHeartbeat(beat('m1', 3, null));
    expect(d).toMatchObject({ memberEpoch: 3, assignment: [{ topicId: idOf('orders-eu'), partitions: [0, 1] }] });
    const e = await c.consumerGroupHeartbeat(beat('m1', 3, null, { topicPartitions: [{ topicId: idOf('orders-eu'), partitions: [0, 1] }] }));
    expect(e.memberEpoch).toBe(4);
  });

  it('the range assignor, when members ask for it, gives consecutive ranges', async () => {
    const { c, topics } = await setup();
    topics.add('t', 5);
    await c.consumerGroupHeartbeat(join({ memberId: 'b', serverAssignor: 'range' }));
    await c.consumerGroupHeartbeat(join({ memberId: 'a', serverAssignor: 'range' }));
    const d = c.consumerGroupDescribe('g');
    expect(d.assignorName).toBe('range');
    const target = Object.fromEntries(d.members.map((m) => [m.memberId, [...m.targetAssignment.get(idOf('t')) ?? []].sort()]));
    expect(target).toEqual({ a: [0, 1, 2], b: [3, 4] });
  });

  it('survives a restart: the records replay into the same group, and members keep their epochs', async () => {
    const s = await setup();
    s.topics.add('t', 3);
    await s.c.consumerGroupHeartbeat(join({ instanceId: 'i1' }));
    await s.c.consumerGroupHeartbeat(join({ memberId: 'm2' }));
    const before = s.c.consumerGroupDescribe('g');
    await s.c.close();
    const again = await s.open();
    expect(again.consumerGroupDescribe('g')).toEqual(before);
    expect((await again.consumerGroupHeartbeat(beat('m1', 1, null, { instanceId: 'i1' }))).errorCode).toBe(0);
    expect(again.listGroups([], ['consumer']).groups).toEqual([{ groupId: 'g', protocolType: 'consumer', state: before.state, type: 'consumer' }]);
  });

  it('leaving (-1) removes the member; an Empty consumer group can be deleted, and a classic join takes the id over', async () => {
    const { c, topics } = await setup();
    topics.add('t', 1);
    const j = await c.consumerGroupHeartbeat(join());
    expect(await c.deleteGroups(['g'])).toEqual([ErrorCode.NON_EMPTY_GROUP]);
    expect(await c.consumerGroupHeartbeat(beat('m1', j.memberEpoch, null, { memberEpoch: -1 }))).toMatchObject({ errorCode: 0, memberEpoch: -1 });
    expect(c.consumerGroupDescribe('g').state).toBe('Empty');
    const classic = await c.joinGroup('g', {
      memberId: '', groupInstanceId: null, clientId: 'k', clientHost: 'h', rebalanceTimeoutMs: 1000, sessionTimeoutMs: 10_000,
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], requireKnownMemberId: true, supportsSkipAssignment: false,
    });
    expect(classic.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(c.consumerGroupDescribe('g').errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('OffsetCommit from a member needs v9+ and its current epoch', async () => {
    const { c, topics } = await setup();
    topics.add('t', 1);
    const j = await c.consumerGroupHeartbeat(join());
    const commit = (generationId: number, apiVersion = 9, memberId = 'm1') => c.commitOffsets('g', {
      memberId, groupInstanceId: null, generationId, retentionTimeMs: -1, apiVersion,
      entries: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }],
    });
    expect(await commit(j.memberEpoch)).toEqual([ErrorCode.NONE]);
    expect(await commit(j.memberEpoch + 1)).toEqual([ErrorCode.STALE_MEMBER_EPOCH]);
    expect(await commit(j.memberEpoch, 8)).toEqual([ErrorCode.UNSUPPORTED_VERSION]);
    expect(await commit(-1, 9, '')).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(c.fetchOffsets('g', null, false, { memberId: 'm1', memberEpoch: 0 }).errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(c.fetchOffsets('g', null, false, { memberId: 'm1', memberEpoch: j.memberEpoch }).offsets[0]!.offset).toBe(5n);
  });

  it('TxnOffsetCommit from a member checks its epoch (22 when stale), and never makes a classic group of the same id', async () => {
    const { c, topics } = await setup();
    topics.add('t', 1);
    const j = await c.consumerGroupHeartbeat(join());
    const txnCommit = (generationId: number, memberId = 'm1') => c.commitTxnOffsets('g', {
      producerId: 7n, producerEpoch: 0, memberId, groupInstanceId: null, generationId,
      entries: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }],
    });
    expect(await txnCommit(j.memberEpoch)).toEqual([ErrorCode.NONE]);
    expect(await txnCommit(j.memberEpoch + 1)).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    // An anonymous transactional commit (KafkaJS, TxnOffsetCommit v0-2) to a group with members.
    expect(await txnCommit(-1, '')).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(c.listGroups([], []).groups.map((g) => [g.groupId, g.type])).toEqual([['g', 'consumer']]);
    // The COMMIT marker in the group's partition makes the pending offset the committed one.
    expect(await c.writeTxnMarker(c.partitionFor('g'), { producerId: 7n, producerEpoch: 0, coordinatorEpoch: 0, commit: true })).toBe(ErrorCode.NONE);
    expect(c.fetchOffsets('g', null).offsets.map((o) => o.offset)).toEqual([5n]);
  });
});
