/**
 * The consumer protocol embedded in classic groups, as the coordinator reads and writes it when a
 * group holds both kinds of member (KIP-848's online migration): a classic member's JoinGroup
 * metadata is a ConsumerProtocolSubscription, and what it gets back in SyncGroup is a
 * ConsumerProtocolAssignment. Both are data messages prefixed by an int16 version; the broker
 * answers an assignment in the version of the member's subscription, as Kafka does.
 */
import { ConsumerProtocolAssignment, ConsumerProtocolSubscription } from '../../../protocol/messages/consumer-protocol.js';
import type { MessageOf, MessageSpec } from '../../../protocol/schema.js';
import { codecFor } from '../../codec/interpret.js';

const NEWEST_VERSION = 3;

export interface EmbeddedSubscription {
  readonly version: number;
  readonly topics: string[];
  /** Partitions the member says it still owns (v1+, cooperative clients); empty before v1. */
  readonly ownedPartitions: { topic: string; partitions: number[] }[];
  readonly rackId: string | null;
}

export class MalformedProtocolError extends Error {}

/**
 * A versioned data message. A newer version than we know is read as our newest (its fields are a
 * superset). Bytes too short for their version are read at the newest version they fit, as
 * Kafka's ConsumerProtocol tolerates clients that stamp a version without its added fields.
 */
function decodeVersioned<M extends MessageSpec>(spec: M, bytes: Buffer): { version: number; value: MessageOf<M> } {
  if (bytes.length < 2 || bytes.readInt16BE(0) < 0) throw new MalformedProtocolError(`malformed ${spec.name}: no version`);
  const version = bytes.readInt16BE(0);
  let last: unknown;
  for (let v = Math.min(version, NEWEST_VERSION); v >= 0; v--) {
    try {
      return { version, value: codecFor(spec, v).decode(bytes, 2) };
    } catch (err) {
      last = err;
    }
  }
  throw new MalformedProtocolError(`malformed ${spec.name}: ${(last as Error).message}`);
}

export function decodeEmbeddedSubscription(bytes: Buffer): EmbeddedSubscription {
  const { version, value } = decodeVersioned(ConsumerProtocolSubscription, bytes);
  return { version, topics: value.topics, ownedPartitions: value.ownedPartitions ?? [], rackId: value.rackId ?? null };
}

/** Partitions by topic name; an empty buffer (an assignment never handed out) is no partitions. */
export function decodeEmbeddedAssignment(bytes: Buffer): { topic: string; partitions: number[] }[] {
  if (bytes.length === 0) return [];
  return decodeVersioned(ConsumerProtocolAssignment, bytes).value.assignedPartitions;
}

/** Only the int16 version of a subscription (0 when unreadable). */
export function embeddedVersion(subscription: Buffer): number {
  return subscription.length >= 2 ? Math.max(0, Math.min(subscription.readInt16BE(0), NEWEST_VERSION)) : 0;
}

function encodeVersioned<M extends MessageSpec>(spec: M, version: number, value: MessageOf<M>): Buffer {
  const header = Buffer.alloc(2);
  header.writeInt16BE(version);
  return Buffer.concat([header, ...codecFor(spec, version).encode(value)]);
}

export function encodeEmbeddedSubscription(topics: readonly string[]): Buffer {
  return encodeVersioned(ConsumerProtocolSubscription, 0, { topics: [...topics], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
}

/** An assignment at `version` (every version has the same fields), topics and partitions sorted. */
export function encodeEmbeddedAssignment(byTopic: ReadonlyMap<string, Iterable<number>>, version = 0): Buffer {
  const assignedPartitions = [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topic, ps]) => ({ topic, partitions: [...ps].sort((a, b) => a - b) }));
  return encodeVersioned(ConsumerProtocolAssignment, version, { assignedPartitions, userData: null });
}
