/**
 * One member of a classic consumer group: JoinGroup (the broker may ask for a second join with the
 * member id it assigns, KIP-394), SyncGroup (the leader brings the assignment), Heartbeat on its
 * own connection, OffsetCommit / OffsetFetch, and LeaveGroup on the way out.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { Heartbeat } from '../../protocol/messages/12-heartbeat.js';
import { JoinGroup } from '../../protocol/messages/11-join-group.js';
import { LeaveGroup } from '../../protocol/messages/13-leave-group.js';
import { OffsetCommit } from '../../protocol/messages/08-offset-commit.js';
import { OffsetFetch } from '../../protocol/messages/09-offset-fetch.js';
import { SyncGroup } from '../../protocol/messages/14-sync-group.js';
import type { ScheduledTask } from '../clock.js';
import { check, KafkaResponseError, type KafkaClient } from './client.js';
import { tpKey, type TopicPartition } from './consumer.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, RANGE, rangeAssign } from './group-protocol.js';

export interface GroupMemberOptions {
  readonly groupId: string;
  readonly topics: string[];
  /** Kafka's consumer default is 45 s; a CLI that may be killed wants its partitions back sooner. */
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
}

/** Errors after which the member must join again. */
const REJOIN = new Set<number>([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.FENCED_INSTANCE_ID]);
/** Errors after which the coordinator must be looked up again. */
const FIND_COORDINATOR = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

export class GroupMember {
  private memberId = '';
  private generationId = -1;
  private coordinator = -1;
  private heartbeat: ScheduledTask | undefined;
  /** Set when the group is rebalancing (seen by a heartbeat or commit): join again. */
  rejoinNeeded = true;

  constructor(
    private readonly client: KafkaClient,
    private readonly opts: GroupMemberOptions,
  ) {}

  get sessionTimeoutMs(): number {
    return this.opts.sessionTimeoutMs ?? 10_000;
  }

  /** Joins (or re-joins) the group and returns this member's partitions. */
  async join(): Promise<TopicPartition[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.joinOnce();
      } catch (err) {
        const code = (err as KafkaResponseError).errorCode;
        if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
        if (!(REJOIN.has(code) || FIND_COORDINATOR.has(code) || code === ErrorCode.MEMBER_ID_REQUIRED) || attempt >= 20) throw err;
        if (FIND_COORDINATOR.has(code)) this.coordinator = -1;
      }
    }
  }

  private async joinOnce(): Promise<TopicPartition[]> {
    this.stopHeartbeat();
    if (this.coordinator < 0) this.coordinator = await this.client.coordinator(this.opts.groupId);
    const rebalanceTimeoutMs = this.opts.rebalanceTimeoutMs ?? 60_000;
    const join = await this.client.send(
      JoinGroup,
      {
        groupId: this.opts.groupId,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs,
        memberId: this.memberId,
        protocolType: 'consumer',
        protocols: [{ name: RANGE, metadata: encodeSubscription(this.opts.topics) }],
      },
      // JoinGroup waits for the other members: up to the rebalance timeout.
      { target: this.coordinator, lane: 'join', timeoutMs: rebalanceTimeoutMs + 5000 },
    );
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) this.memberId = join.memberId;
    check(join.errorCode, `JoinGroup ${this.opts.groupId}`);
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    const assignments = join.leader === join.memberId ? await this.assign(join.members) : [];
    const sync = await this.client.send(
      SyncGroup,
      { groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId, protocolType: 'consumer', protocolName: RANGE, assignments },
      { target: this.coordinator, lane: 'join', timeoutMs: rebalanceTimeoutMs + 5000 },
    );
    check(sync.errorCode, `SyncGroup ${this.opts.groupId}`);
    this.rejoinNeeded = false;
    this.startHeartbeat();
    return decodeAssignment(sync.assignment);
  }

  /** The leader's job: the range assignment over every member's subscription. */
  private async assign(members: { memberId: string; metadata: Buffer }[]): Promise<{ memberId: string; assignment: Buffer }[]> {
    const subscriptions = new Map(members.map((m) => [m.memberId, decodeSubscription(m.metadata)]));
    const topics = [...new Set([...subscriptions.values()].flat())];
    const md = await this.client.metadata(topics);
    const counts = new Map(md.topics.filter((t) => t.errorCode === 0).map((t) => [t.name, t.partitions.length]));
    return [...rangeAssign(subscriptions, counts)].map(([memberId, tps]) => ({ memberId, assignment: encodeAssignment(tps) }));
  }

  private startHeartbeat(): void {
    const every = Math.max(100, Math.floor(this.sessionTimeoutMs / 3));
    const generation = this.generationId;
    const beat = async () => {
      const r = await this.client.send(
        Heartbeat,
        { groupId: this.opts.groupId, generationId: generation, memberId: this.memberId },
        { target: this.coordinator, lane: 'heartbeat' },
      );
      if (REJOIN.has(r.errorCode) || FIND_COORDINATOR.has(r.errorCode)) this.rejoinNeeded = true;
    };
    this.heartbeat = this.client.every(every, () => void beat().catch(() => (this.rejoinNeeded = true)));
  }

  private stopHeartbeat(): void {
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
  }

  /** Commits the next offsets to read. A rebalance in progress marks the member for a re-join instead. */
  async commit(offsets: Iterable<{ tp: TopicPartition; offset: bigint }>): Promise<void> {
    const list = [...offsets];
    if (list.length === 0 || this.generationId < 0) return;
    const topics = [...new Set(list.map((o) => o.tp.topic))].map((name) => ({
      name,
      partitions: list.filter((o) => o.tp.topic === name).map((o) => ({ partitionIndex: o.tp.partition, committedOffset: o.offset, committedMetadata: '' })),
    }));
    const r = await this.client.send(
      OffsetCommit,
      { groupId: this.opts.groupId, generationIdOrMemberEpoch: this.generationId, memberId: this.memberId, topics },
      { target: this.coordinator },
    );
    for (const t of r.topics) {
      for (const p of t.partitions) {
        if (REJOIN.has(p.errorCode)) this.rejoinNeeded = true;
        else check(p.errorCode, `OffsetCommit ${t.name}-${p.partitionIndex}`);
      }
    }
  }

  /** The group's committed offsets for `partitions`, by tpKey (absent: nothing committed). */
  async committed(partitions: readonly TopicPartition[]): Promise<Map<string, bigint>> {
    if (this.coordinator < 0) this.coordinator = await this.client.coordinator(this.opts.groupId);
    return fetchCommitted(this.client, this.opts.groupId, partitions, this.coordinator);
  }

  /** Leaves the group, so its partitions move to the other members at once (not after the session timeout). */
  async leave(): Promise<void> {
    this.stopHeartbeat();
    if (!this.memberId || this.coordinator < 0) return;
    await this.client.send(LeaveGroup, { groupId: this.opts.groupId, members: [{ memberId: this.memberId }] }, { target: this.coordinator }).catch(() => {});
  }
}

/** OffsetFetch for one group (partitions: null for every committed partition). */
export async function fetchCommitted(
  client: KafkaClient,
  groupId: string,
  partitions: readonly TopicPartition[] | null,
  coordinator?: number,
): Promise<Map<string, bigint>> {
  const target = coordinator ?? (await client.coordinator(groupId));
  const topics =
    partitions === null
      ? null
      : [...new Set(partitions.map((tp) => tp.topic))].map((name) => ({
          name,
          partitionIndexes: partitions.filter((tp) => tp.topic === name).map((tp) => tp.partition),
        }));
  const r = await client.send(OffsetFetch, { groups: [{ groupId, topics }] }, { target });
  const g = r.groups[0]!;
  check(g.errorCode, `OffsetFetch ${groupId}`);
  const out = new Map<string, bigint>();
  for (const t of g.topics) {
    for (const p of t.partitions) {
      check(p.errorCode, `OffsetFetch ${groupId} ${t.name}-${p.partitionIndex}`);
      if (p.committedOffset >= 0n) out.set(tpKey(t.name, p.partitionIndex), p.committedOffset);
    }
  }
  return out;
}
