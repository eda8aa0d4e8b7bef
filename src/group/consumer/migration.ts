/**
 * Online migration between the two group protocols (KIP-848's upgrade and downgrade paths, Kafka's
 * ConsumerGroup.fromClassicGroup and ClassicGroup.fromConsumerGroup), as pure conversions.
 *
 * **Upgrade.** A live classic group whose members speak the embedded consumer protocol gets a
 * ConsumerGroupHeartbeat from a new-protocol member. It becomes a consumer group at once, without
 * stopping anyone: the classic generation becomes the group epoch and the assignment epoch, and
 * each classic member becomes a consumer-group member at that epoch, Stable, owning what the
 * classic leader last assigned it (which is also its target). From there the joining member bumps
 * the epoch like any other, the server-side assignor takes over, and the classic members keep
 * speaking JoinGroup/SyncGroup/Heartbeat to the consumer group (consumer-groups.ts serves them).
 *
 * **Downgrade.** When the last new-protocol member leaves a group whose other members all use the
 * classic protocol, it becomes a classic group again, at generation = group epoch, every member
 * Stable with its target assignment, and a rebalance starts so that a leader of their own assigns.
 */
import type { JoinParams } from '../group.js';
import { fromTopicPartitions, type Assignment } from './assignment.js';
import { byTopicName } from './classic-view.js';
import { decodeEmbeddedAssignment, decodeEmbeddedSubscription } from './embedded-protocol.js';
import { MemberState, newMember, type ConsumerGroupMember } from './member.js';

/** group.consumer.migration.policy */
export type MigrationPolicy = 'disabled' | 'downgrade' | 'upgrade' | 'bidirectional';

export const upgradeAllowed = (p: MigrationPolicy): boolean => p === 'upgrade' || p === 'bidirectional';
export const downgradeAllowed = (p: MigrationPolicy): boolean => p === 'downgrade' || p === 'bidirectional';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** A classic member as both conversions carry it: what its JoinGroup said that stays with it. */
export type ClassicMember = Pick<JoinParams, 'memberId' | 'groupInstanceId' | 'clientId' | 'clientHost' | 'rebalanceTimeoutMs' | 'sessionTimeoutMs' | 'protocols'>;

/** A live classic group as the coordinator hands it over for an upgrade. */
export interface ClassicGroupSnapshot {
  readonly groupId: string;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  /** Each with what the classic leader assigned it in this generation (ConsumerProtocolAssignment). */
  readonly members: readonly (ClassicMember & { readonly assignment: Buffer })[];
}

/** What a downgrade hands to the classic coordinator: members with their targets by topic name. */
export interface DowngradedGroup {
  readonly groupId: string;
  readonly generationId: number;
  readonly members: readonly (ClassicMember & { readonly assignment: ReadonlyMap<string, ReadonlySet<number>> })[];
  /** Whether the members must rebalance (a member left), or carry on with these assignments. */
  readonly rebalance: boolean;
}

/** Kafka's ConsumerGroup.fromClassicGroup: the members of the new consumer group, one per classic member. */
export function membersFromClassic(g: ClassicGroupSnapshot, topicIdOf: (name: string) => string | undefined): ConsumerGroupMember[] {
  return g.members.map((c) => {
    // Members of a formed generation all carry metadata for the chosen protocol; malformed bytes throw.
    const metadata = c.protocols.find((p) => p.name === g.protocolName)?.metadata ?? c.protocols[0]?.metadata ?? Buffer.alloc(0);
    const subscription = decodeEmbeddedSubscription(metadata);
    const assigned = fromTopicPartitions(decodeEmbeddedAssignment(c.assignment).flatMap((t) => {
      const topicId = topicIdOf(t.topic);
      return topicId === undefined ? [] : [{ topicId, partitions: t.partitions }];
    }));
    return {
      ...newMember(c.memberId),
      instanceId: c.groupInstanceId,
      rackId: subscription.rackId,
      clientId: c.clientId,
      clientHost: c.clientHost,
      subscribedTopicNames: subscription.topics,
      rebalanceTimeoutMs: c.rebalanceTimeoutMs,
      classicMemberMetadata: { sessionTimeoutMs: c.sessionTimeoutMs, supportedProtocols: c.protocols },
      memberEpoch: g.generationId,
      previousMemberEpoch: g.generationId,
      state: MemberState.STABLE,
      assignedPartitions: assigned,
    };
  });
}

/**
 * Kafka's ClassicGroup.fromConsumerGroup: every member but the leaving one (all classic), each
 * with its target assignment, at generation = group epoch. Without a leaving member (a classic
 * static member replaced the last consumer-protocol one) nobody needs to rebalance.
 */
export function downgradedGroup(
  groupId: string,
  groupEpoch: number,
  members: Iterable<ConsumerGroupMember>,
  leavingMemberId: string | null,
  targetOf: (memberId: string) => Assignment,
  nameOf: (topicId: string) => string,
): DowngradedGroup {
  const remaining = [...members].filter((m) => m.memberId !== leavingMemberId && m.classicMemberMetadata !== null);
  return {
    groupId,
    generationId: groupEpoch,
    rebalance: leavingMemberId !== null,
    members: remaining.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.classicMemberMetadata!.sessionTimeoutMs,
      protocols: m.classicMemberMetadata!.supportedProtocols,
      assignment: byTopicName(targetOf(m.memberId), nameOf),
    })),
  };
}
