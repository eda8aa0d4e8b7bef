/**
 * A member of a KIP-848 consumer group, as the coordinator keeps it (Kafka's ConsumerGroupMember).
 *
 * Two halves, stored as two records (see records.ts):
 * - what the member *asked for*: its subscription (topic names and/or a regex), the server assignor
 *   it prefers, its rebalance timeout, client id and host, instance and rack ids;
 * - where its *reconciliation* stands: its member epoch (and the one before), its state, the
 *   partitions it may use now, and those it must give up first.
 *
 * Members are values: every change makes a new object, so "did anything change?" is a comparison,
 * and a change is always written as a record before anyone hears of it.
 */
import { assignmentEquals, EMPTY_ASSIGNMENT, type Assignment } from './assignment.js';

/** Kafka's MemberState, with its byte values as stored in ConsumerGroupCurrentMemberAssignmentValue. */
export const MemberState = {
  /** Owns exactly its target assignment. */
  STABLE: 0,
  /** Must revoke partitions before it may move to the next epoch. */
  UNREVOKED_PARTITIONS: 1,
  /** At the target epoch, but waiting for partitions other members have not released yet. */
  UNRELEASED_PARTITIONS: 2,
  /** A state written by a newer version: the member is fenced and starts over. */
  UNKNOWN: 127,
} as const;
export type MemberStateValue = (typeof MemberState)[keyof typeof MemberState];

export const MEMBER_STATE_NAMES: Record<number, string> = {
  0: 'STABLE', 1: 'UNREVOKED_PARTITIONS', 2: 'UNRELEASED_PARTITIONS', 127: 'UNKNOWN',
};

export function memberStateOf(value: number): MemberStateValue {
  return value === 0 || value === 1 || value === 2 ? value : MemberState.UNKNOWN;
}

/** Epoch 0 in a heartbeat: join (or rejoin from scratch). */
export const JOIN_GROUP_MEMBER_EPOCH = 0;
/** Epoch -1: leave the group. */
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
/** Epoch -2: a static member leaves for now and will be back under the same instance id. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/** A member that joined with JoinGroup (the classic protocol) into a consumer group. */
export interface ClassicMemberMetadata {
  readonly sessionTimeoutMs: number;
  readonly supportedProtocols: readonly { readonly name: string; readonly metadata: Buffer }[];
}

export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly rebalanceTimeoutMs: number;
  readonly serverAssignor: string | null;
  readonly classicMemberMetadata: ClassicMemberMetadata | null;

  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: MemberStateValue;
  /** Partitions the member may fetch from now. */
  readonly assignedPartitions: Assignment;
  /** Partitions the member still holds but must give up (it is told by being sent a smaller assignment). */
  readonly partitionsPendingRevocation: Assignment;
}

export function newMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: -1,
    serverAssignor: null,
    classicMemberMetadata: null,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.STABLE,
    assignedPartitions: EMPTY_ASSIGNMENT,
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  };
}

/** Whether the subscription half (ConsumerGroupMemberMetadataValue) differs. */
export function subscriptionChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.instanceId !== b.instanceId || a.rackId !== b.rackId || a.clientId !== b.clientId || a.clientHost !== b.clientHost ||
    a.subscribedTopicRegex !== b.subscribedTopicRegex || a.rebalanceTimeoutMs !== b.rebalanceTimeoutMs ||
    a.serverAssignor !== b.serverAssignor || !sameClassicMetadata(a.classicMemberMetadata, b.classicMemberMetadata) ||
    !sameTopics(a.subscribedTopicNames, b.subscribedTopicNames)
  );
}

/** By value: every JoinGroup brings a new object, and a rejoin that changed nothing writes no record. */
function sameClassicMetadata(a: ClassicMemberMetadata | null, b: ClassicMemberMetadata | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.sessionTimeoutMs !== b.sessionTimeoutMs) return false;
  const pa = a.supportedProtocols;
  const pb = b.supportedProtocols;
  return pa.length === pb.length && pa.every((p, i) => p.name === pb[i]!.name && p.metadata.equals(pb[i]!.metadata));
}

/** Whether the topics the member subscribes to (names or regex) differ: that needs a new target assignment. */
export function subscribedTopicsChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return a.subscribedTopicRegex !== b.subscribedTopicRegex || !sameTopics(a.subscribedTopicNames, b.subscribedTopicNames);
}

/** Whether the reconciliation half (ConsumerGroupCurrentMemberAssignmentValue) differs. */
export function currentAssignmentChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberEpoch !== b.memberEpoch || a.previousMemberEpoch !== b.previousMemberEpoch || a.state !== b.state ||
    !assignmentEquals(a.assignedPartitions, b.assignedPartitions) ||
    !assignmentEquals(a.partitionsPendingRevocation, b.partitionsPendingRevocation)
  );
}

/** A member is reconciled to an epoch when it is Stable there (Kafka's isReconciledTo). */
export function isReconciledTo(m: ConsumerGroupMember, targetEpoch: number): boolean {
  return m.state === MemberState.STABLE && m.memberEpoch === targetEpoch;
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sa = [...a].sort();
  const sb = [...b].sort();
  return sa.every((t, i) => t === sb[i]);
}
