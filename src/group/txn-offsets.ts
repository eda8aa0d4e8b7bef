/**
 * Transactional offset commits waiting for their transaction to end (Kafka's
 * pendingTransactionalOffsetCommits): TxnOffsetCommit writes them to the group's log in a
 * transactional batch at once, but they count only once the transaction's COMMIT marker lands in
 * that log, and vanish with an ABORT. Until then OffsetFetch does not return them, and a fetch with
 * require_stable is answered 88 UNSTABLE_OFFSET_COMMIT for their partitions.
 *
 * Kept per producer id, as the marker names only the producer.
 */
type ByPartition<T> = Map<string, Map<number, T>>;

export class PendingTxnOffsets<T> {
  /** producer id → group → topic → partition → offset. */
  private readonly byProducer = new Map<bigint, Map<string, ByPartition<T>>>();

  get size(): number {
    return this.byProducer.size;
  }

  add(producerId: bigint, groupId: string, topic: string, partition: number, offset: T): void {
    let groups = this.byProducer.get(producerId);
    if (!groups) this.byProducer.set(producerId, (groups = new Map()));
    let topics = groups.get(groupId);
    if (!topics) groups.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, offset);
  }

  /** Removes the producer's pending offsets and returns them, to apply (COMMIT) or drop (ABORT). */
  take(producerId: bigint): { groupId: string; topic: string; partition: number; offset: T }[] {
    const groups = this.byProducer.get(producerId);
    this.byProducer.delete(producerId);
    const out: { groupId: string; topic: string; partition: number; offset: T }[] = [];
    for (const [groupId, topics] of groups ?? []) {
      for (const [topic, partitions] of topics) for (const [partition, offset] of partitions) out.push({ groupId, topic, partition, offset });
    }
    return out;
  }

  /** Whether a transaction has a pending offset for the group's partition. */
  has(groupId: string, topic: string, partition: number): boolean {
    for (const groups of this.byProducer.values()) if (groups.get(groupId)?.get(topic)?.has(partition)) return true;
    return false;
  }

  hasGroup(groupId: string): boolean {
    for (const groups of this.byProducer.values()) if (groups.has(groupId)) return true;
    return false;
  }
}
