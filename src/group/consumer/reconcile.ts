/**
 * Reconciliation: moving one member from the partitions it owns towards its target assignment,
 * one safe step per heartbeat (Kafka's CurrentAssignmentBuilder).
 *
 * The rule that makes KIP-848 safe without a stop-the-world rebalance: **a partition is never
 * owned by two members at once.** So a member first *revokes* what it must give up (it keeps its
 * epoch, state UNREVOKED_PARTITIONS, and is sent an assignment without those partitions); only
 * when a later heartbeat shows it no longer owns them does it move to the new epoch and get new
 * partitions. A new partition that another member still holds is *unreleased*: the member moves
 * to the new epoch without it (state UNRELEASED_PARTITIONS) and picks it up on a later heartbeat
 * once the other member has let go.
 *
 *     STABLE ──(new target epoch)──▶ must revoke? ──yes──▶ UNREVOKED_PARTITIONS ──(owned ∩ revoking = ∅)──┐
 *        ▲                                │ no                                                              │
 *        │                                ▼                                                              ▼
 *        └──── all target partitions ◀── take the free target partitions, epoch := target ◀────────────────┘
 *              free: STABLE                some still held by others: UNRELEASED_PARTITIONS (retried each heartbeat)
 *
 * Pure: given the member, the target, who owns which partition and what the member reports owning,
 * it returns the next member value. The caller writes it as a record if it changed.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import { addPartition, type Assignment, type TopicPartitions } from './assignment.js';
import { MemberState, type ConsumerGroupMember } from './member.js';

/** The epoch of the member that owns a partition (assigned or pending revocation), or -1 when free. */
export type PartitionEpoch = (topicId: string, partition: number) => number;

export interface ReconcileInput {
  readonly targetEpoch: number;
  readonly target: Assignment;
  readonly partitionEpoch: PartitionEpoch;
  /** What the member says it owns (null: not sent in this heartbeat, i.e. unchanged). */
  readonly owned: readonly TopicPartitions[] | null;
}

export function reconcile(member: ConsumerGroupMember, input: ReconcileInput): ConsumerGroupMember {
  switch (member.state) {
    case MemberState.STABLE:
      // Reconciled to the current target: nothing to do until a newer epoch comes.
      if (member.memberEpoch === input.targetEpoch) return member;
      return nextAssignment(member, member.memberEpoch, input);
    case MemberState.UNREVOKED_PARTITIONS:
      // Waiting for the member to report that it let go of the revoked partitions.
      if (ownsAnyOf(input.owned, member.partitionsPendingRevocation)) return member;
      return nextAssignment(member, member.memberEpoch + 1, input);
    case MemberState.UNRELEASED_PARTITIONS:
      // Maybe the partitions it waits for are free now.
      return nextAssignment(member, member.memberEpoch, input);
    default:
      // A state this version does not know: start the member over, unless it already owns nothing.
      if (input.owned === null || input.owned.length > 0) {
        throw new KafkaError(ErrorCode.FENCED_MEMBER_EPOCH, 'The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.');
      }
      return nextAssignment(member, input.targetEpoch, input);
  }
}

/** True if `owned` (null = unknown, taken as "still owns everything") holds any partition of `a`. */
function ownsAnyOf(owned: readonly TopicPartitions[] | null, a: Assignment): boolean {
  if (owned === null) return true;
  for (const t of owned) {
    const revoking = a.get(t.topicId);
    if (revoking && t.partitions.some((p) => revoking.has(p))) return true;
  }
  return false;
}

function nextAssignment(member: ConsumerGroupMember, memberEpoch: number, input: ReconcileInput): ConsumerGroupMember {
  const { target, targetEpoch, partitionEpoch } = input;
  const assigned = new Map<string, Set<number>>();
  const revoking = new Map<string, Set<number>>();
  const toAssign = new Map<string, Set<number>>();
  let unreleased = false;

  for (const topicId of new Set([...target.keys(), ...member.assignedPartitions.keys()])) {
    const want = target.get(topicId) ?? new Set<number>();
    const have = member.assignedPartitions.get(topicId) ?? new Set<number>();
    for (const p of have) {
      // Kept: owned and still in the target. Revoked: owned and no longer in it.
      if (want.has(p)) addPartition(assigned, topicId, p);
      else addPartition(revoking, topicId, p);
    }
    for (const p of want) {
      if (have.has(p)) continue;
      // New to this member: only once nobody else owns it.
      if (partitionEpoch(topicId, p) !== -1) unreleased = true;
      else addPartition(toAssign, topicId, p);
    }
  }

  const next = (state: ConsumerGroupMember['state'], epoch: number, assignedPartitions: Assignment, pending: Assignment): ConsumerGroupMember => ({
    ...member,
    state,
    previousMemberEpoch: member.memberEpoch,
    memberEpoch: epoch,
    assignedPartitions,
    partitionsPendingRevocation: pending,
  });

  if (revoking.size > 0 && ownsAnyOf(input.owned, revoking)) {
    // Revoke first; the epoch stays until the member confirms.
    return next(MemberState.UNREVOKED_PARTITIONS, memberEpoch, assigned, revoking);
  }
  for (const [topicId, parts] of toAssign) for (const p of parts) addPartition(assigned, topicId, p);
  return next(unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE, targetEpoch, assigned, new Map());
}
