/**
 * The records a KIP-848 consumer group is stored as in `__consumer_offsets`, in Kafka 4's formats
 * (group-coordinator/src/main/resources/common/message/ConsumerGroup*.json). As for the classic
 * records (../records.ts), the key's int16 version says what a record is:
 *
 *   3 ConsumerGroupMetadata             the group epoch
 *   4 ConsumerGroupPartitionMetadata    the subscribed topics' ids and partition counts
 *   5 ConsumerGroupMemberMetadata       one member's subscription, client id, rebalance timeout, ...
 *   6 ConsumerGroupTargetAssignmentMetadata  the epoch of the target assignment
 *   7 ConsumerGroupTargetAssignmentMember    one member's target partitions
 *   8 ConsumerGroupCurrentMemberAssignment   one member's epoch, state, owned and revoking partitions
 *
 * A group is thus many small records, each replaced on its own: a heartbeat that moves one member
 * one step writes one record, not the whole group. A null value deletes the key (a member that
 * left is three tombstones: 8, 7, 5; a deleted group also tombstones 6, 4, 3).
 *
 * Values are flexible version 0 (compact strings, tagged fields), prefixed with their int16 version.
 */
import { codecFor } from '../../codec/interpret.js';
import { Reader } from '../../codec/reader.js';
import { message, type MessageOf } from '../../../protocol/schema.js';

const TOPIC_PARTITIONS = [
  { name: 'topicId', type: 'uuid', versions: '0+' },
  { name: 'partitions', type: '[]int32', versions: '0+' },
] as const;

export const ConsumerGroupMetadataKey = message({
  name: 'ConsumerGroupMetadataKey', type: 'data', validVersions: '3', flexibleVersions: 'none',
  fields: [{ name: 'groupId', type: 'string', versions: '3' }],
});
export const ConsumerGroupMetadataValue = message({
  name: 'ConsumerGroupMetadataValue', type: 'data', validVersions: '0', flexibleVersions: '0+',
  fields: [{ name: 'epoch', type: 'int32', versions: '0+' }],
});

export const ConsumerGroupPartitionMetadataKey = message({
  name: 'ConsumerGroupPartitionMetadataKey', type: 'data', validVersions: '4', flexibleVersions: 'none',
  fields: [{ name: 'groupId', type: 'string', versions: '4' }],
});
export const ConsumerGroupPartitionMetadataValue = message({
  name: 'ConsumerGroupPartitionMetadataValue', type: 'data', validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'topics', type: '[]', versions: '0+', fields: [
      { name: 'topicId', type: 'uuid', versions: '0+' },
      { name: 'topicName', type: 'string', versions: '0+' },
      { name: 'numPartitions', type: 'int32', versions: '0+' },
      { name: 'partitionMetadata', type: '[]', versions: '0+', fields: [
        { name: 'partition', type: 'int32', versions: '0+' },
        { name: 'racks', type: '[]string', versions: '0+' },
      ] },
    ] },
  ],
});

export const ConsumerGroupMemberMetadataKey = message({
  name: 'ConsumerGroupMemberMetadataKey', type: 'data', validVersions: '5', flexibleVersions: 'none',
  fields: [
    { name: 'groupId', type: 'string', versions: '5' },
    { name: 'memberId', type: 'string', versions: '5' },
  ],
});
export const ConsumerGroupMemberMetadataValue = message({
  name: 'ConsumerGroupMemberMetadataValue', type: 'data', validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'instanceId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'clientId', type: 'string', versions: '0+' },
    { name: 'clientHost', type: 'string', versions: '0+' },
    { name: 'subscribedTopicNames', type: '[]string', versions: '0+' },
    { name: 'subscribedTopicRegex', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '0+', default: -1 },
    { name: 'serverAssignor', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'classicMemberMetadata', type: '{}', versions: '0+', nullableVersions: '0+', default: null, taggedVersions: '0+', tag: 0, fields: [
      { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
      { name: 'supportedProtocols', type: '[]', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'metadata', type: 'bytes', versions: '0+' },
      ] },
    ] },
  ],
});

export const ConsumerGroupTargetAssignmentMetadataKey = message({
  name: 'ConsumerGroupTargetAssignmentMetadataKey', type: 'data', validVersions: '6', flexibleVersions: 'none',
  fields: [{ name: 'groupId', type: 'string', versions: '6' }],
});
export const ConsumerGroupTargetAssignmentMetadataValue = message({
  name: 'ConsumerGroupTargetAssignmentMetadataValue', type: 'data', validVersions: '0', flexibleVersions: '0+',
  fields: [{ name: 'assignmentEpoch', type: 'int32', versions: '0+' }],
});

export const ConsumerGroupTargetAssignmentMemberKey = message({
  name: 'ConsumerGroupTargetAssignmentMemberKey', type: 'data', validVersions: '7', flexibleVersions: 'none',
  fields: [
    { name: 'groupId', type: 'string', versions: '7' },
    { name: 'memberId', type: 'string', versions: '7' },
  ],
});
export const ConsumerGroupTargetAssignmentMemberValue = message({
  name: 'ConsumerGroupTargetAssignmentMemberValue', type: 'data', validVersions: '0', flexibleVersions: '0+',
  fields: [{ name: 'topicPartitions', type: '[]', versions: '0+', fields: TOPIC_PARTITIONS }],
});

export const ConsumerGroupCurrentMemberAssignmentKey = message({
  name: 'ConsumerGroupCurrentMemberAssignmentKey', type: 'data', validVersions: '8', flexibleVersions: 'none',
  fields: [
    { name: 'groupId', type: 'string', versions: '8' },
    { name: 'memberId', type: 'string', versions: '8' },
  ],
});
export const ConsumerGroupCurrentMemberAssignmentValue = message({
  name: 'ConsumerGroupCurrentMemberAssignmentValue', type: 'data', validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'memberEpoch', type: 'int32', versions: '0+' },
    { name: 'previousMemberEpoch', type: 'int32', versions: '0+' },
    { name: 'state', type: 'int8', versions: '0+' },
    { name: 'assignedPartitions', type: '[]', versions: '0+', fields: TOPIC_PARTITIONS },
    { name: 'partitionsPendingRevocation', type: '[]', versions: '0+', fields: TOPIC_PARTITIONS },
  ],
});

export type ConsumerGroupMemberMetadataData = MessageOf<typeof ConsumerGroupMemberMetadataValue>;
export type ConsumerGroupPartitionMetadataData = MessageOf<typeof ConsumerGroupPartitionMetadataValue>;
export type ConsumerGroupCurrentMemberAssignmentData = MessageOf<typeof ConsumerGroupCurrentMemberAssignmentValue>;
export type ConsumerGroupTargetAssignmentMemberData = MessageOf<typeof ConsumerGroupTargetAssignmentMemberValue>;

/** A consumer-group record, typed: what the group's state is replayed from. `value: null` = tombstone. */
export type ConsumerGroupRecord =
  | { type: 'groupEpoch'; groupId: string; value: { epoch: number } | null }
  | { type: 'partitionMetadata'; groupId: string; value: ConsumerGroupPartitionMetadataData | null }
  | { type: 'memberMetadata'; groupId: string; memberId: string; value: ConsumerGroupMemberMetadataData | null }
  | { type: 'targetAssignmentEpoch'; groupId: string; value: { assignmentEpoch: number } | null }
  | { type: 'targetAssignmentMember'; groupId: string; memberId: string; value: ConsumerGroupTargetAssignmentMemberData | null }
  | { type: 'currentAssignment'; groupId: string; memberId: string; value: ConsumerGroupCurrentMemberAssignmentData | null };

/** Each record type's key version, key schema and value schema. */
const TYPES = {
  groupEpoch: { version: 3, key: ConsumerGroupMetadataKey, value: ConsumerGroupMetadataValue },
  partitionMetadata: { version: 4, key: ConsumerGroupPartitionMetadataKey, value: ConsumerGroupPartitionMetadataValue },
  memberMetadata: { version: 5, key: ConsumerGroupMemberMetadataKey, value: ConsumerGroupMemberMetadataValue },
  targetAssignmentEpoch: { version: 6, key: ConsumerGroupTargetAssignmentMetadataKey, value: ConsumerGroupTargetAssignmentMetadataValue },
  targetAssignmentMember: { version: 7, key: ConsumerGroupTargetAssignmentMemberKey, value: ConsumerGroupTargetAssignmentMemberValue },
  currentAssignment: { version: 8, key: ConsumerGroupCurrentMemberAssignmentKey, value: ConsumerGroupCurrentMemberAssignmentValue },
} as const;

const BY_KEY_VERSION = new Map<number, ConsumerGroupRecord['type']>(Object.entries(TYPES).map(([type, t]) => [t.version, type as ConsumerGroupRecord['type']]));

/** Key versions 3-8 are consumer-group records. */
export function isConsumerGroupKeyVersion(version: number): boolean {
  return BY_KEY_VERSION.has(version);
}

function versioned(version: number, body: Buffer[]): Buffer {
  const v = Buffer.alloc(2);
  v.writeInt16BE(version);
  return Buffer.concat([v, ...body]);
}

/** The record's bytes, as stored. */
export function encodeConsumerGroupRecord(r: ConsumerGroupRecord): { key: Buffer; value: Buffer | null } {
  const t = TYPES[r.type];
  const keyData = 'memberId' in r ? { groupId: r.groupId, memberId: r.memberId } : { groupId: r.groupId };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the key/value schema pair is chosen by r.type
  const key = versioned(t.version, (codecFor(t.key, t.version) as any).encode(keyData));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  const value = r.value === null ? null : versioned(0, (codecFor(t.value, 0) as any).encode(r.value));
  return { key, value };
}

/** Decodes a record whose key version is 3-8; throws on anything else. */
export function decodeConsumerGroupRecord(r: { key: Buffer; value: Buffer | null }): ConsumerGroupRecord {
  const version = r.key.readInt16BE(0);
  const type = BY_KEY_VERSION.get(version);
  if (!type) throw new Error(`not a consumer group record: key version ${version}`);
  const t = TYPES[type];
  const key = codecFor(t.key, t.version).read(new Reader(r.key, 2, r.key.length)) as { groupId: string; memberId?: string };
  const value = r.value === null ? null : codecFor(t.value, r.value.readInt16BE(0)).read(new Reader(r.value, 2, r.value.length));
  return { type, groupId: key.groupId, ...(key.memberId !== undefined ? { memberId: key.memberId } : {}), value } as ConsumerGroupRecord;
}
