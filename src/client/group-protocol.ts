/**
 * The "consumer" protocol inside a classic group: the subscription each member sends in JoinGroup,
 * the assignment the leader computes (Kafka's RangeAssignor, "range") and hands out in SyncGroup.
 * The broker only stores and forwards these bytes; the clients agree on their meaning.
 */
import { ConsumerProtocolAssignment, ConsumerProtocolSubscription } from '../../protocol/messages/consumer-protocol.js';
import type { MessageOf, MessageSpec } from '../../protocol/schema.js';
import { codecFor } from '../codec/interpret.js';
import { fill } from './body.js';
import type { TopicPartition } from './consumer.js';

export const RANGE = 'range';

/** A data message: int16 version, then the fields at that version. */
function encodeVersioned<M extends MessageSpec>(spec: M, version: number, value: MessageOf<M>): Buffer {
  const v = Buffer.alloc(2);
  v.writeInt16BE(version);
  return Buffer.concat([v, ...codecFor(spec, version).encode(value)]);
}

/** Decodes a data message written at any version; newer versions than we know are read as our newest. */
function decodeVersioned<M extends MessageSpec>(spec: M, bytes: Buffer, newest: number): MessageOf<M> {
  const version = Math.min(bytes.readInt16BE(0), newest);
  return codecFor(spec, version).decode(bytes, 2);
}

export function encodeSubscription(topics: string[]): Buffer {
  return encodeVersioned(ConsumerProtocolSubscription, 0, fill(ConsumerProtocolSubscription, { topics }));
}

export function decodeSubscription(bytes: Buffer): string[] {
  return decodeVersioned(ConsumerProtocolSubscription, bytes, 3).topics;
}

export function encodeAssignment(partitions: readonly TopicPartition[]): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  const assignedPartitions = [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps.sort((a, b) => a - b) }));
  return encodeVersioned(ConsumerProtocolAssignment, 0, fill(ConsumerProtocolAssignment, { assignedPartitions }));
}

/** An empty assignment is sometimes sent as no bytes at all. */
export function decodeAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length < 2) return [];
  const { assignedPartitions } = decodeVersioned(ConsumerProtocolAssignment, bytes, 3);
  return assignedPartitions.flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })));
}

/**
 * Kafka's RangeAssignor: per topic, the members subscribed to it in member-id order each take a
 * contiguous range of partitions; the first `partitions % members` take one extra.
 */
export function rangeAssign(subscriptions: ReadonlyMap<string, string[]>, partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>([...subscriptions.keys()].map((m) => [m, []]));
  const topics = [...new Set([...subscriptions.values()].flat())].sort();
  for (const topic of topics) {
    const members = [...subscriptions].filter(([, ts]) => ts.includes(topic)).map(([m]) => m).sort();
    const count = partitionCounts.get(topic) ?? 0;
    const per = Math.floor(count / members.length);
    const extra = count % members.length;
    members.forEach((m, i) => {
      const start = per * i + Math.min(i, extra);
      const len = per + (i < extra ? 1 : 0);
      for (let p = start; p < start + len; p++) out.get(m)!.push({ topic, partition: p });
    });
  }
  return out;
}
