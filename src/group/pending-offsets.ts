/**
 * Offsets a transactional producer committed for a group (TxnOffsetCommit, KIP-98) whose transaction
 * is still open: Kafka keeps them apart from the committed offsets (OffsetMetadataManager's
 * pendingTransactionalOffsets) until the transaction marker arrives — a commit marker makes them
 * committed, an abort drops them. Until then OffsetFetch with require_stable (KIP-447) answers those
 * partitions with 88 UNSTABLE_OFFSET_COMMIT, so a consumer taking over a partition does not start
 * from an offset that may still be rolled back.
 *
 * The group coordinator calls `add` once a TxnOffsetCommit's transactional batch is written to the
 * group's `__consumer_offsets` partition, and `complete` once a marker of that producer is written
 * to the same partition (or met there on replay). Kept per producer id, as a marker names only the
 * producer. Generic in the offset value so it needs nothing from the coordinator.
 */

/** group → topic → partition → offset */
type GroupOffsets<V> = Map<string, Map<string, Map<number, V>>>;

export class PendingTransactionalOffsets<V> {
  private readonly byProducer = new Map<bigint, GroupOffsets<V>>();

  /** A TxnOffsetCommit from `producerId`: replaces what its transaction had for the partition. */
  add(producerId: bigint, groupId: string, topic: string, partition: number, value: V): void {
    let groups = this.byProducer.get(producerId);
    if (!groups) this.byProducer.set(producerId, (groups = new Map()));
    let topics = groups.get(groupId);
    if (!topics) groups.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  }

  /** Whether any open transaction holds an offset for the partition (Kafka's hasPendingTransactionalOffsets). */
  has(groupId: string, topic: string, partition: number): boolean {
    for (const groups of this.byProducer.values()) {
      if (groups.get(groupId)?.get(topic)?.has(partition)) return true;
    }
    return false;
  }

  /** Whether any open transaction holds an offset of the group (its offsets then do not expire). */
  hasGroup(groupId: string): boolean {
    for (const groups of this.byProducer.values()) if (groups.has(groupId)) return true;
    return false;
  }

  /** Every group some open transaction holds offsets of. */
  *groups(): IterableIterator<string> {
    for (const groups of this.byProducer.values()) yield* groups.keys();
  }

  /**
   * The end of `producerId`'s transaction: its offsets are handed back (to be written as committed
   * offsets on commit, ignored on abort) and are pending no more. With `include`, only those of the
   * groups it accepts (a marker resolves the groups of the `__consumer_offsets` partition it is in).
   */
  complete(producerId: bigint, include: (groupId: string) => boolean = () => true): { groupId: string; topic: string; partition: number; value: V }[] {
    const out: { groupId: string; topic: string; partition: number; value: V }[] = [];
    const groups = this.byProducer.get(producerId);
    for (const [groupId, topics] of groups ?? []) {
      if (!include(groupId)) continue;
      for (const [topic, partitions] of topics) {
        for (const [partition, value] of partitions) out.push({ groupId, topic, partition, value });
      }
      groups!.delete(groupId);
    }
    if (groups?.size === 0) this.byProducer.delete(producerId);
    return out;
  }

  /** A deleted topic takes its pending offsets with it (Kafka's onPartitionsDeleted does the same). */
  removeTopic(topic: string): void {
    for (const groups of this.byProducer.values()) {
      for (const topics of groups.values()) topics.delete(topic);
    }
  }
}
