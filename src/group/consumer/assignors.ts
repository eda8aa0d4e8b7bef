/**
 * Server-side assignors (KIP-848): the coordinator, not a leader member, decides which member gets
 * which partition. A member may name one (`server_assignor`); otherwise the first of
 * `group.consumer.assignors` is used. Both of Kafka's are here:
 *
 * - `uniform` (Kafka's UniformAssignor): as even a spread as possible, moving as little as
 *   possible. When every member subscribes to the same topics, each member keeps what it has up to
 *   its quota (⌊partitions/members⌋, one more for the first few) and the rest is dealt out to the
 *   members below quota, as Kafka's homogeneous builder does. With different subscriptions, each
 *   partition stays with its owner if that owner still subscribes, otherwise goes to the least
 *   loaded subscriber, and then partitions move from the most to the least loaded subscriber until
 *   no two subscribers of a topic differ by more than one (a simpler sticky balance than Kafka's
 *   heterogeneous builder, with the same guarantees: every partition assigned once, balanced per
 *   topic's subscribers, sticky).
 * - `range` (Kafka's RangeAssignor): for each topic, its subscribers in order (static members by
 *   instance id first, then member ids) get consecutive ranges; the first `partitions % members`
 *   get one extra. Co-partitioned topics thus land together.
 *
 * Assignors are pure functions of the members and the topics' partition counts.
 */
import { ConfigError } from '../../config/parse.js';
import { addPartition, type Assignment } from './assignment.js';

export interface AssignorMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  /** Ids of the existing topics it subscribes to. */
  readonly topics: ReadonlySet<string>;
  /** Its current target assignment, for stickiness. */
  readonly current: Assignment;
}

export interface PartitionAssignor {
  readonly name: string;
  /** The new target assignment of every member (members without partitions map to an empty one). */
  assign(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, Assignment>;
}

type MutableAssignment = Map<string, Set<number>>;

function isHomogeneous(members: readonly AssignorMember[]): boolean {
  const first = members[0]!.topics;
  return members.every((m) => m.topics.size === first.size && [...m.topics].every((t) => first.has(t)));
}

function count(a: MutableAssignment): number {
  let n = 0;
  for (const s of a.values()) n += s.size;
  return n;
}

/** Partitions of `topics`, topic by topic (sorted ids), partition by partition. */
function allPartitions(topics: Iterable<string>, partitionCounts: ReadonlyMap<string, number>): [string, number][] {
  const out: [string, number][] = [];
  for (const t of [...topics].sort()) for (let p = 0; p < (partitionCounts.get(t) ?? 0); p++) out.push([t, p]);
  return out;
}

function uniformHomogeneous(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, Assignment> {
  const topics = members[0]!.topics;
  const partitions = allPartitions(topics, partitionCounts);
  const minQuota = Math.floor(partitions.length / members.length);
  let extras = partitions.length % members.length;
  const owned = (m: AssignorMember) => allPartitions(topics, partitionCounts).filter(([t, p]) => m.current.get(t)?.has(p));
  // Members that already hold the most get the extra slots first, so fewer partitions move.
  const order = [...members].sort((a, b) => owned(b).length - owned(a).length || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const result = new Map<string, MutableAssignment>();
  const kept = new Set<string>();
  const unfilled: [string, number][] = [];
  for (const m of order) {
    const quota = minQuota + (extras-- > 0 ? 1 : 0);
    const mine: MutableAssignment = new Map();
    for (const [t, p] of owned(m).slice(0, quota)) {
      addPartition(mine, t, p);
      kept.add(`${t}:${p}`);
    }
    result.set(m.memberId, mine);
    if (count(mine) < quota) unfilled.push([m.memberId, quota - count(mine)]);
  }
  const free = partitions.filter(([t, p]) => !kept.has(`${t}:${p}`));
  let next = 0;
  for (const [memberId, room] of unfilled) {
    for (let i = 0; i < room && next < free.length; i++, next++) addPartition(result.get(memberId)!, free[next]![0], free[next]![1]);
  }
  return result;
}

function uniformHeterogeneous(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, Assignment> {
  const result = new Map<string, MutableAssignment>(members.map((m) => [m.memberId, new Map()]));
  const load = new Map<string, number>(members.map((m) => [m.memberId, 0]));
  const owner = new Map<string, string>();
  const allTopics = new Set(members.flatMap((m) => [...m.topics]));
  const subscribers = (t: string) => members.filter((m) => m.topics.has(t)).map((m) => m.memberId).sort();
  const give = (memberId: string, t: string, p: number) => {
    addPartition(result.get(memberId)!, t, p);
    load.set(memberId, load.get(memberId)! + 1);
    owner.set(`${t}:${p}`, memberId);
  };
  const partitions = allPartitions(allTopics, partitionCounts);
  // Sticky: a partition stays with a current owner that still subscribes to its topic.
  for (const m of members) {
    for (const [t, p] of partitions) if (m.topics.has(t) && m.current.get(t)?.has(p) && !owner.has(`${t}:${p}`)) give(m.memberId, t, p);
  }
  // The rest to the least loaded subscriber.
  const leastLoaded = (candidates: string[]) => candidates.reduce((a, b) => (load.get(b)! < load.get(a)! ? b : a));
  for (const [t, p] of partitions) if (!owner.has(`${t}:${p}`)) give(leastLoaded(subscribers(t)), t, p);
  // Balance: move a partition from a subscriber with two more than another, until none has.
  for (let moved = true, rounds = 0; moved && rounds < partitions.length; rounds++) {
    moved = false;
    for (const [t, p] of partitions) {
      const from = owner.get(`${t}:${p}`)!;
      const to = leastLoaded(subscribers(t));
      if (load.get(from)! - load.get(to)! > 1) {
        result.get(from)!.get(t)!.delete(p);
        if (result.get(from)!.get(t)!.size === 0) result.get(from)!.delete(t);
        load.set(from, load.get(from)! - 1);
        give(to, t, p);
        moved = true;
      }
    }
  }
  return result;
}

export const uniformAssignor: PartitionAssignor = {
  name: 'uniform',
  assign(members, partitionCounts) {
    if (members.length === 0) return new Map();
    return isHomogeneous(members) ? uniformHomogeneous(members, partitionCounts) : uniformHeterogeneous(members, partitionCounts);
  },
};

/** Static members by instance id first, then the others by member id (Kafka's sortMemberIds). */
function rangeOrder(a: AssignorMember, b: AssignorMember): number {
  if (a.instanceId !== null && b.instanceId !== null) return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
  if (a.instanceId !== null) return -1;
  if (b.instanceId !== null) return 1;
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  assign(members, partitionCounts) {
    const ordered = [...members].sort(rangeOrder);
    const result = new Map<string, MutableAssignment>(ordered.map((m) => [m.memberId, new Map()]));
    const topics = new Set(ordered.flatMap((m) => [...m.topics]));
    for (const t of topics) {
      const subscribers = ordered.filter((m) => m.topics.has(t));
      const partitions = partitionCounts.get(t) ?? 0;
      const minQuota = Math.floor(partitions / subscribers.length);
      let extras = partitions % subscribers.length;
      let start = 0;
      for (const m of subscribers) {
        const end = Math.min(start + minQuota + (extras-- > 0 ? 1 : 0), partitions);
        for (let p = start; p < end; p++) addPartition(result.get(m.memberId)!, t, p);
        start = end;
      }
    }
    return result;
  },
};

const BY_NAME: Record<string, PartitionAssignor> = { uniform: uniformAssignor, range: rangeAssignor };

/** Kafka names assignors by class or by short name; both are accepted in `group.consumer.assignors`. */
export function assignorsFromConfig(names: readonly string[]): PartitionAssignor[] {
  return names.map((n) => {
    const short = n.trim().replace(/^org\.apache\.kafka\.coordinator\.group\.assignor\./, '').replace(/Assignor$/, '').toLowerCase();
    const a = BY_NAME[short];
    if (!a) throw new ConfigError(`group.consumer.assignors: unknown assignor ${n} (Tafka has uniform and range)`);
    return a;
  });
}
