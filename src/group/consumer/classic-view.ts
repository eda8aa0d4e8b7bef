/**
 * A consumer group as the classic DescribeGroups API shows it (Kafka's ConsumerGroup.asDescribedGroup):
 * protocol type "consumer", the default assignor's name as the protocol, and each member's
 * subscription and assignment serialized as the classic consumer protocol's
 * ConsumerProtocolSubscription / ConsumerProtocolAssignment (version 0), so tools that only know
 * DescribeGroups (kafka-consumer-groups.sh of old, KafkaJS's admin) can read a KIP-848 group.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import type { Assignment } from './assignment.js';
import type { ConsumerGroup, ConsumerGroupState } from './consumer-group.js';
import { encodeEmbeddedAssignment, encodeEmbeddedSubscription } from './embedded-protocol.js';

/** DescribeGroups' view of a group (the coordinator's GroupDescription). */
export interface ClassicDescription {
  readonly errorCode: number;
  readonly groupId: string;
  readonly state: ConsumerGroupState;
  readonly protocolType: string;
  readonly protocolData: string;
  readonly members: readonly {
    memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string;
    memberMetadata: Buffer; memberAssignment: Buffer;
  }[];
}

/** Partitions by topic name (topics already deleted are left out), for the embedded protocol. */
export function byTopicName(a: Assignment, nameOf: (topicId: string) => string): Map<string, ReadonlySet<number>> {
  return new Map([...a].map(([id, parts]) => [nameOf(id), parts] as const).filter(([name]) => name !== ''));
}

/** ConsumerProtocolAssignment at `version`, partitions by topic name, null user data. */
export function assignmentBytes(a: Assignment, nameOf: (topicId: string) => string, version = 0): Buffer {
  return encodeEmbeddedAssignment(byTopicName(a, nameOf), version);
}

export function consumerGroupAsClassic(g: ConsumerGroup, nameOf: (topicId: string) => string): ClassicDescription {
  return {
    errorCode: ErrorCode.NONE,
    groupId: g.groupId,
    // The consumer group's own state names; DescribeGroups passes them through as Kafka does.
    state: g.state,
    protocolType: 'consumer',
    protocolData: g.preferredServerAssignor() ?? '',
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: encodeEmbeddedSubscription(m.subscribedTopicNames),
      memberAssignment: assignmentBytes(m.assignedPartitions, nameOf),
    })),
  };
}
