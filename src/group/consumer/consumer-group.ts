/**
 * One KIP-848 consumer group's state (Kafka's ConsumerGroup), rebuilt from its records only:
 * `replay` is the one way it changes, at start-up and at run time alike, so the in-memory group
 * is always what the log says.
 *
 * Three epochs tell where a group is:
 * - the **group epoch** goes up whenever the inputs to the assignment change (a member joins,
 *   leaves or changes its subscription; a subscribed topic gains partitions or disappears);
 * - the **assignment epoch** is the group epoch the current target assignment was computed for;
 * - each **member epoch** is the assignment epoch the member has reconciled to.
 *
 * The group's state follows from them (Kafka's ConsumerGroupState):
 *   Empty        no members;
 *   Assigning    group epoch > assignment epoch: a new target assignment is due;
 *   Reconciling  some member is not yet Stable at the assignment epoch;
 *   Stable       every member owns exactly its target;
 *   Dead         deleted.
 */
import { forEachPartition, fromTopicPartitions, type Assignment } from './assignment.js';
import { isReconciledTo, memberStateOf, newMember, type ConsumerGroupMember } from './member.js';
import type { ConsumerGroupRecord } from './records.js';

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

/** What the group knows of a subscribed topic (ConsumerGroupPartitionMetadataValue). */
export interface TopicMetadata {
  readonly id: string;
  readonly name: string;
  readonly numPartitions: number;
}

export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerGroupMember>();
  /** instance id → member id, for static members. */
  readonly staticMembers = new Map<string, string>();
  /** member id → its target partitions at the assignment epoch. */
  readonly targetAssignment = new Map<string, Assignment>();
  /** Subscribed topics by name, as last written (a change bumps the group epoch). */
  subscriptionMetadata = new Map<string, TopicMetadata>();
  /** topic id → partition → epoch of the member that holds it. */
  private readonly partitionEpochs = new Map<string, Map<number, number>>();
  private deleted = false;

  constructor(readonly groupId: string) {}

  get state(): ConsumerGroupState {
    if (this.deleted) return 'Dead';
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (!isReconciledTo(m, this.assignmentEpoch)) return 'Reconciling';
    return 'Stable';
  }

  /** -1 when no member holds the partition (Kafka's currentPartitionEpoch). */
  partitionEpoch(topicId: string, partition: number): number {
    return this.partitionEpochs.get(topicId)?.get(partition) ?? -1;
  }

  staticMember(instanceId: string): ConsumerGroupMember | undefined {
    const id = this.staticMembers.get(instanceId);
    return id === undefined ? undefined : this.members.get(id);
  }

  target(memberId: string): Assignment {
    return this.targetAssignment.get(memberId) ?? new Map();
  }

  /** Whether any member subscribes to the topic (by name or through its resolved regex). */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscriptionMetadata.has(topic);
  }

  /** The most used server assignor among the members (Kafka's computePreferredServerAssignor). */
  preferredServerAssignor(): string | null {
    const counts = new Map<string, number>();
    for (const m of this.members.values()) if (m.serverAssignor !== null) counts.set(m.serverAssignor, (counts.get(m.serverAssignor) ?? 0) + 1);
    let best: string | null = null;
    for (const [name, n] of counts) if (best === null || n > counts.get(best)!) best = name;
    return best;
  }

  // ------------------------------------------------------------------------------------------
  // Replay

  replay(r: ConsumerGroupRecord): void {
    switch (r.type) {
      case 'groupEpoch':
        if (r.value === null) this.deleted = true;
        else {
          this.groupEpoch = r.value.epoch;
          this.deleted = false;
        }
        return;
      case 'partitionMetadata':
        this.subscriptionMetadata = new Map((r.value?.topics ?? []).map((t) =>
          [t.topicName, { id: t.topicId, name: t.topicName, numPartitions: t.numPartitions }]));
        return;
      case 'targetAssignmentEpoch':
        this.assignmentEpoch = r.value?.assignmentEpoch ?? -1;
        return;
      case 'targetAssignmentMember':
        if (r.value === null) this.targetAssignment.delete(r.memberId);
        else this.targetAssignment.set(r.memberId, fromTopicPartitions(r.value.topicPartitions));
        return;
      case 'memberMetadata':
        return this.replayMemberMetadata(r.memberId, r.value);
      case 'currentAssignment':
        return this.replayCurrentAssignment(r.memberId, r.value);
    }
  }

  private replayMemberMetadata(memberId: string, v: Extract<ConsumerGroupRecord, { type: 'memberMetadata' }>['value']): void {
    const old = this.members.get(memberId);
    if (v === null) {
      if (old) this.removeMember(old);
      return;
    }
    const m: ConsumerGroupMember = {
      ...(old ?? newMember(memberId)),
      instanceId: v.instanceId,
      rackId: v.rackId,
      clientId: v.clientId,
      clientHost: v.clientHost,
      subscribedTopicNames: v.subscribedTopicNames,
      subscribedTopicRegex: v.subscribedTopicRegex,
      rebalanceTimeoutMs: v.rebalanceTimeoutMs,
      serverAssignor: v.serverAssignor,
      classicMemberMetadata: v.classicMemberMetadata,
    };
    this.putMember(old, m);
  }

  private replayCurrentAssignment(memberId: string, v: Extract<ConsumerGroupRecord, { type: 'currentAssignment' }>['value']): void {
    const old = this.members.get(memberId) ?? newMember(memberId);
    // A tombstone releases the member's partitions (it is about to be removed, or was fenced).
    const m: ConsumerGroupMember = v === null
      ? { ...old, memberEpoch: -1, previousMemberEpoch: -1, assignedPartitions: new Map(), partitionsPendingRevocation: new Map() }
      : {
          ...old,
          memberEpoch: v.memberEpoch,
          previousMemberEpoch: v.previousMemberEpoch,
          state: memberStateOf(v.state),
          assignedPartitions: fromTopicPartitions(v.assignedPartitions),
          partitionsPendingRevocation: fromTopicPartitions(v.partitionsPendingRevocation),
        };
    this.putMember(this.members.get(memberId), m);
  }

  private putMember(old: ConsumerGroupMember | undefined, m: ConsumerGroupMember): void {
    if (old) this.releasePartitions(old);
    if (old?.instanceId && old.instanceId !== m.instanceId && this.staticMembers.get(old.instanceId) === old.memberId) {
      this.staticMembers.delete(old.instanceId);
    }
    this.members.set(m.memberId, m);
    if (m.instanceId !== null) this.staticMembers.set(m.instanceId, m.memberId);
    this.holdPartitions(m);
  }

  private removeMember(m: ConsumerGroupMember): void {
    this.releasePartitions(m);
    this.members.delete(m.memberId);
    if (m.instanceId !== null && this.staticMembers.get(m.instanceId) === m.memberId) this.staticMembers.delete(m.instanceId);
  }

  private holdPartitions(m: ConsumerGroupMember): void {
    const hold = (topicId: string, p: number) => {
      let parts = this.partitionEpochs.get(topicId);
      if (!parts) this.partitionEpochs.set(topicId, (parts = new Map()));
      parts.set(p, m.memberEpoch);
    };
    forEachPartition(m.assignedPartitions, hold);
    forEachPartition(m.partitionsPendingRevocation, hold);
  }

  private releasePartitions(m: ConsumerGroupMember): void {
    const release = (topicId: string, p: number) => {
      const parts = this.partitionEpochs.get(topicId);
      parts?.delete(p);
      if (parts?.size === 0) this.partitionEpochs.delete(topicId);
    };
    forEachPartition(m.assignedPartitions, release);
    forEachPartition(m.partitionsPendingRevocation, release);
  }
}
