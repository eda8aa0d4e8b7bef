/**
 * A consumer group as the classic DescribeGroups API shows it (Kafka's ConsumerGroup.asDescribedGroup):
 * protocol type "consumer", the default assignor's name as the protocol, and each member's
 * subscription and assignment serialized as the classic consumer protocol's
 * ConsumerProtocolSubscription / ConsumerProtocolAssignment (version 0), so tools that only know
 * DescribeGroups (kafka-consumer-groups.sh of old, KafkaJS's admin) can read a KIP-848 group.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { toTopicPartitions, type Assignment } from './assignment.js';
import type { ConsumerGroup, ConsumerGroupState } from './consumer-group.js';

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

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

const VERSION_0 = Buffer.alloc(2);
const NO_USER_DATA = int32(-1);

/** ConsumerProtocolSubscription v0: topics, null user data. */
export function subscriptionBytes(topics: readonly string[]): Buffer {
  return Buffer.concat([VERSION_0, int32(topics.length), ...topics.map(str), NO_USER_DATA]);
}

/** ConsumerProtocolAssignment v0: partitions by topic name, null user data. */
export function assignmentBytes(a: Assignment, nameOf: (topicId: string) => string): Buffer {
  const topics = toTopicPartitions(a).map((t) => ({ name: nameOf(t.topicId), partitions: t.partitions })).filter((t) => t.name !== '');
  return Buffer.concat([
    VERSION_0, int32(topics.length),
    ...topics.map((t) => Buffer.concat([str(t.name), int32(t.partitions.length), ...t.partitions.map(int32)])),
    NO_USER_DATA,
  ]);
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
      memberMetadata: subscriptionBytes(m.subscribedTopicNames),
      memberAssignment: assignmentBytes(m.assignedPartitions, nameOf),
    })),
  };
}
