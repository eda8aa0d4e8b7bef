/**
 * Decoding a consumer protocol assignment: the bytes a consumer group leader sends in SyncGroup for
 * each member, opaque to the broker, decoded here only so the inspector can show who consumes which
 * partitions.
 */
import { ConsumerProtocolAssignment } from '../../protocol/messages/consumer-protocol.js';
import { codecFor } from '../codec/interpret.js';

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
