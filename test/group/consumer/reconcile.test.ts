/**
 * The reconciliation state machine (src/group/consumer/reconcile.ts), step by step: revocation
 * before assignment, unreleased partitions, and the unknown state.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { fromTopicPartitions, toTopicPartitions } from '../../../src/group/consumer/assignment.js';
import { MemberState, newMember, type ConsumerGroupMember } from '../../../src/group/consumer/member.js';
import { reconcile } from '../../../src/group/consumer/reconcile.js';

const T = 'topic-id-a';
const a = (...ps: number[]) => fromTopicPartitions([{ topicId: T, partitions: ps }]);
const owned = (...ps: number[]) => [{ topicId: T, partitions: ps }];
const member = (over: Partial<ConsumerGroupMember>): ConsumerGroupMember => ({ ...newMember('m'), ...over });
const free = () => -1;

describe('reconcile', () => {
  it('a Stable member at the target epoch is left alone', () => {
    const m = member({ memberEpoch: 3, assignedPartitions: a(0, 1) });
    expect(reconcile(m, { targetEpoch: 3, target: a(0, 1), partitionEpoch: free, owned: owned(0, 1) })).toBe(m);
  });

  it('a new member takes its free target partitions and moves to the target epoch', () => {
    const next = reconcile(member({}), { targetEpoch: 1, target: a(0, 1, 2), partitionEpoch: free, owned: [] });
    expect(next).toMatchObject({ memberEpoch: 1, previousMemberEpoch: 0, state: MemberState.STABLE });
    expect(toTopicPartitions(next.assignedPartitions)).toEqual(owned(0, 1, 2));
  });

  it('revokes before it assigns: the epoch stays until the member reports the partitions gone', () => {
    const m = member({ memberEpoch: 1, assignedPartitions: a(0, 1, 2) });
    const step1 = reconcile(m, { targetEpoch: 2, target: a(0, 3), partitionEpoch: free, owned: owned(0, 1, 2) });
    expect(step1).toMatchObject({ memberEpoch: 1, state: MemberState.UNREVOKED_PARTITIONS });
    expect(toTopicPartitions(step1.assignedPartitions)).toEqual(owned(0));
    expect(toTopicPartitions(step1.partitionsPendingRevocation)).toEqual(owned(1, 2));

    // Still owns 2: nothing moves.
    expect(reconcile(step1, { targetEpoch: 2, target: a(0, 3), partitionEpoch: free, owned: owned(0, 2) })).toBe(step1);
    // A heartbeat without the owned list (unchanged) counts as still owning them.
    expect(reconcile(step1, { targetEpoch: 2, target: a(0, 3), partitionEpoch: free, owned: null })).toBe(step1);

    const step2 = reconcile(step1, { targetEpoch: 2, target: a(0, 3), partitionEpoch: free, owned: owned(0) });
    expect(step2).toMatchObject({ memberEpoch: 2, previousMemberEpoch: 1, state: MemberState.STABLE });
    expect(toTopicPartitions(step2.assignedPartitions)).toEqual(owned(0, 3));
    expect(step2.partitionsPendingRevocation.size).toBe(0);
  });

  it('a partition another member still holds is unreleased: the member moves on without it and picks it up later', () => {
    const held = new Set([5]);
    const epochOf = (_t: string, p: number) => (held.has(p) ? 1 : -1);
    const m = member({ memberEpoch: 1, assignedPartitions: a(4) });
    const step1 = reconcile(m, { targetEpoch: 2, target: a(4, 5), partitionEpoch: epochOf, owned: owned(4) });
    expect(step1).toMatchObject({ memberEpoch: 2, state: MemberState.UNRELEASED_PARTITIONS });
    expect(toTopicPartitions(step1.assignedPartitions)).toEqual(owned(4));
    const again = reconcile(step1, { targetEpoch: 2, target: a(4, 5), partitionEpoch: epochOf, owned: owned(4) });
    expect(again).toMatchObject({ memberEpoch: 2, state: MemberState.UNRELEASED_PARTITIONS });
    expect(toTopicPartitions(again.assignedPartitions)).toEqual(owned(4));
    held.clear();
    const step2 = reconcile(step1, { targetEpoch: 2, target: a(4, 5), partitionEpoch: epochOf, owned: owned(4) });
    expect(step2).toMatchObject({ memberEpoch: 2, state: MemberState.STABLE });
    expect(toTopicPartitions(step2.assignedPartitions)).toEqual(owned(4, 5));
  });

  it('a member in a state this version does not know is fenced unless it owns nothing', () => {
    const m = member({ memberEpoch: 4, state: MemberState.UNKNOWN, assignedPartitions: a(1) });
    expect(() => reconcile(m, { targetEpoch: 5, target: a(1), partitionEpoch: free, owned: owned(1) }))
      .toThrow(expect.objectContaining({ errorCode: ErrorCode.FENCED_MEMBER_EPOCH }));
    expect(reconcile(m, { targetEpoch: 5, target: a(1), partitionEpoch: free, owned: [] })).toMatchObject({ memberEpoch: 5, state: MemberState.STABLE });
  });
});
