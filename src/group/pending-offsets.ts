/**
 * Offsets a transactional producer committed for a group (TxnOffsetCommit, KIP-98) whose transaction
 * is still open: Kafka keeps them apart from the committed offsets (OffsetMetadataManager's
 * pendingTransactionalOffsets) until the transaction marker arrives — a commit marker makes them
 * committed, an abort drops them. Until then OffsetFetch with require_stable (KIP-447) answers those
 * partitions with 88 UNSTABLE_OFFSET_COMMIT, so a consumer taking over a partition does not start
 * from an offset that may still be rolled back.
 *
 * Tafka has no transactions yet, so nothing adds to this today; the transaction coordinator will
 * call `add` from TxnOffsetCommit and `complete` from WriteTxnMarkers. Generic in the offset value
 * so it needs nothing from the coordinator.
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

  /**
   * The end of `producerId`'s transaction: its offsets are handed back (to be written as committed
   * offsets on commit, ignored on abort) and are pending no more.
   */
  complete(producerId: bigint): { groupId: string; topic: string; partition: number; value: V }[] {
    const out: { groupId: string; topic: string; partition: number; value: V }[] = [];
    for (const [groupId, topics] of this.byProducer.get(producerId) ?? []) {
      for (const [topic, partitions] of topics) {
        for (const [partition, value] of partitions) out.push({ groupId, topic, partition, value });
      }
    }
    this.byProducer.delete(producerId);
    return out;
  }

  /** A deleted topic takes its pending offsets with it (Kafka's onPartitionsDeleted does the same). */
  removeTopic(topic: string): void {
    for (const groups of this.byProducer.values()) {
      for (const topics of groups.values()) topics.delete(topic);
    }
  }
}
