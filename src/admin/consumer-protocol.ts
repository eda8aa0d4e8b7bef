/**
 * The consumer protocol's assignment (Kafka's ConsumerProtocolAssignment.json): the bytes a
 * consumer group leader sends in SyncGroup for each member, opaque to the broker, decoded here only
 * so the inspector can show who consumes which partitions.
 */
import { message } from '../../protocol/schema.js';
import { codecFor } from '../codec/interpret.js';

export const ConsumerProtocolAssignment = message({
  name: 'ConsumerProtocolAssignment', type: 'data', validVersions: '0-3', flexibleVersions: 'none',
  fields: [
    { name: 'assignedPartitions', type: '[]', versions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]int32', versions: '0+' },
    ] },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
  ],
});

/** The topics and partitions an assignment gives, or null when the bytes are not a consumer assignment. */
export function decodeAssignment(bytes: Buffer): { topic: string; partitions: number[] }[] | null {
  if (bytes.length < 2) return null;
  // A newer version than we know still starts with the fields we know (Kafka reads it the same way).
  const version = Math.min(bytes.readInt16BE(0), 3);
  if (version < 0) return null;
  try {
    return codecFor(ConsumerProtocolAssignment, version).decode(bytes, 2).assignedPartitions;
  } catch {
    return null;
  }
}
