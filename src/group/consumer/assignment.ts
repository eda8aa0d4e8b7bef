/**
 * Partitions as KIP-848 names them: by topic id, not name, so that a topic deleted and re-created
 * under the same name is never mistaken for the old one. An `Assignment` maps a topic id to a set
 * of partition indexes; the helpers below are the set algebra reconciliation needs.
 */

export type Assignment = ReadonlyMap<string, ReadonlySet<number>>;

export const EMPTY_ASSIGNMENT: Assignment = new Map();

/** The wire shape (ConsumerGroupHeartbeat's TopicPartitions, the records' TopicPartitions). */
export interface TopicPartitions {
  readonly topicId: string;
  readonly partitions: readonly number[];
}

export function fromTopicPartitions(list: readonly TopicPartitions[]): Assignment {
  const out = new Map<string, Set<number>>();
  for (const t of list) {
    if (t.partitions.length === 0) continue;
    let set = out.get(t.topicId);
    if (!set) out.set(t.topicId, (set = new Set()));
    for (const p of t.partitions) set.add(p);
  }
  return out;
}

/** Sorted by topic id and partition, so records and responses are deterministic. */
export function toTopicPartitions(a: Assignment): { topicId: string; partitions: number[] }[] {
  return [...a.keys()].sort().map((topicId) => ({ topicId, partitions: [...a.get(topicId)!].sort((x, y) => x - y) }));
}

export function countPartitions(a: Assignment): number {
  let n = 0;
  for (const s of a.values()) n += s.size;
  return n;
}

export function assignmentEquals(a: Assignment, b: Assignment): boolean {
  if (countPartitions(a) !== countPartitions(b)) return false;
  for (const [topic, parts] of a) {
    const other = b.get(topic);
    if (!other) return parts.size === 0;
    for (const p of parts) if (!other.has(p)) return false;
  }
  return true;
}

export function hasPartition(a: Assignment, topicId: string, partition: number): boolean {
  return a.get(topicId)?.has(partition) ?? false;
}

/** Calls `visit` for every (topic id, partition) of the assignment. */
export function forEachPartition(a: Assignment, visit: (topicId: string, partition: number) => void): void {
  for (const [topicId, parts] of a) for (const p of parts) visit(topicId, p);
}

/** A mutable copy, for building a new assignment from an old one. */
export function copyAssignment(a: Assignment): Map<string, Set<number>> {
  return new Map([...a].map(([t, s]) => [t, new Set(s)]));
}

export function addPartition(a: Map<string, Set<number>>, topicId: string, partition: number): void {
  let set = a.get(topicId);
  if (!set) a.set(topicId, (set = new Set()));
  set.add(partition);
}

/** Readable form for logs: `topicId-0,1,2; topicId-3`. */
export function describeAssignment(a: Assignment, nameOf: (topicId: string) => string = (id) => id): string {
  return toTopicPartitions(a).map((t) => `${nameOf(t.topicId)}-${t.partitions.join(',')}`).join('; ');
}
