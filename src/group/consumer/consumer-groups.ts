/**
 * KIP-848 consumer groups: ConsumerGroupHeartbeat and everything it drives (Kafka's
 * GroupMetadataManager, consumer half).
 *
 * There is no join phase, no leader and no barrier. Each member heartbeats on its own, and each
 * heartbeat does three things in order:
 *
 *   1. **Member.** The member is created or updated from the request (fields left null mean
 *      "unchanged"). If what it subscribes to changed — or a subscribed topic gained partitions,
 *      was deleted, or a new topic matches its regex — the **group epoch** goes up.
 *   2. **Target assignment.** If the group epoch is ahead of the assignment epoch, the group's
 *      assignor computes a new target for *every* member, and the assignment epoch catches up.
 *   3. **Reconciliation.** The member moves one safe step from what it owns towards its target
 *      (reconcile.ts: revoke first, then take free partitions), and hears its new assignment.
 *
 * Every change is a record (records.ts), applied to the group at once (`ConsumerGroup.replay`, the
 * same code that rebuilds groups at start-up) and appended to `__consumer_offsets`; the member is
 * answered once the records are written.
 *
 * Timers, through the injected clock: a member silent for `group.consumer.session.timeout.ms` is
 * fenced (removed, group epoch bumped); a member that keeps partitions it was asked to revoke past
 * its rebalance timeout is fenced too.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, KafkaError, isKafkaError } from '../../../protocol/errors.js';
import type { Clock, ScheduledTask } from '../../clock.js';
import type { TopicInfo } from '../../topics/registry.js';
import type { CoordinatorRecord } from '../records.js';
import { assignmentEquals, countPartitions, describeAssignment, toTopicPartitions, type Assignment, type TopicPartitions } from './assignment.js';
import type { PartitionAssignor } from './assignors.js';
import { ConsumerGroup, type ConsumerGroupState, type TopicMetadata } from './consumer-group.js';
import {
  currentAssignmentChanged, isReconciledTo, JOIN_GROUP_MEMBER_EPOCH, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  MemberState, newMember, subscribedTopicsChanged, subscriptionChanged, type ConsumerGroupMember,
} from './member.js';
import { reconcile } from './reconcile.js';
import { encodeConsumerGroupRecord, type ConsumerGroupRecord } from './records.js';
import { compileTopicRegex, RegexSyntaxError, type TopicRegex } from './topic-regex.js';

export interface ConsumerGroupsConfig {
  /** group.coordinator.rebalance.protocols includes "consumer". */
  readonly enabled: boolean;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxSize: number;
  /** group.consumer.assignors; the first is the default. */
  readonly assignors: readonly PartitionAssignor[];
}

/** The topics the coordinator sees (the topic registry). */
export interface TopicCatalog {
  get(name: string): TopicInfo | undefined;
  getById(id: string): TopicInfo | undefined;
  list(): TopicInfo[];
}

/** What ConsumerGroups needs from the coordinator that owns it. */
export interface ConsumerGroupsHooks {
  /** Appends a group's records to its `__consumer_offsets` partition; resolves once written. */
  append(groupId: string, records: CoordinatorRecord[]): Promise<void>;
  /** Whether a classic group of that id exists, and whether it is Empty. */
  classicGroup(groupId: string): 'none' | 'empty' | 'active';
  /** Drops an Empty classic group (its offsets stay); returns the records that say so. */
  removeEmptyClassicGroup(groupId: string): CoordinatorRecord[];
}

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly rebalanceTimeoutMs: number;
  readonly subscribedTopicNames: readonly string[] | null;
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  readonly topicPartitions: readonly TopicPartitions[] | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly apiVersion: number;
}

export interface HeartbeatResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly memberId: string | null;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  readonly assignment: { topicId: string; partitions: number[] }[] | null;
}

export interface DescribedMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly memberEpoch: number;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly assignment: Assignment;
  readonly targetAssignment: Assignment;
  /** 0 classic, 1 consumer (ConsumerGroupDescribe v1's MemberType). */
  readonly memberType: number;
}

export interface ConsumerGroupDescription {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly groupId: string;
  readonly state: ConsumerGroupState | '';
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly assignorName: string;
  readonly members: readonly DescribedMember[];
}

const fail = (code: number, message: string): never => {
  throw new KafkaError(code, message);
};

/** Kafka's Uuid.randomUuid().toString(): 16 random bytes, URL-safe base64 without padding. */
function randomMemberId(): string {
  return randomBytes(16).toString('base64url');
}

function sameMetadata(a: ReadonlyMap<string, TopicMetadata>, b: ReadonlyMap<string, TopicMetadata>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, t] of a) {
    const o = b.get(name);
    if (!o || o.id !== t.id || o.numPartitions !== t.numPartitions) return false;
  }
  return true;
}

/** The records of one request: each is applied to the group as it is made, and written together. */
class Batch {
  readonly records: ConsumerGroupRecord[] = [];
  constructor(private readonly group: ConsumerGroup) {}

  emit(r: ConsumerGroupRecord): void {
    this.group.replay(r);
    this.records.push(r);
  }
}

export class ConsumerGroups {
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly sessionTimers = new Map<string, ScheduledTask>();
  private readonly rebalanceTimers = new Map<string, ScheduledTask>();
  private readonly regexes = new Map<string, TopicRegex>();
  private readonly logger: Logger;

  constructor(
    private readonly config: ConsumerGroupsConfig,
    private readonly topics: TopicCatalog,
    private readonly clock: Clock,
    logger: Logger,
    private readonly hooks: ConsumerGroupsHooks,
  ) {
    this.logger = logger.child({ component: 'consumer-groups' });
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  group(groupId: string): ConsumerGroup | undefined {
    return this.groups.get(groupId);
  }

  all(): IterableIterator<ConsumerGroup> {
    return this.groups.values();
  }

  /** A topic's name by id ("" once it is gone), for describing assignments. */
  topicName(topicId: string): string {
    return this.topics.getById(topicId)?.name ?? '';
  }

  // ------------------------------------------------------------------------------------------
  // Load and shutdown

  /** Start-up replay of one record. */
  replay(r: ConsumerGroupRecord): void {
    let group = this.groups.get(r.groupId);
    if (!group) this.groups.set(r.groupId, (group = new ConsumerGroup(r.groupId)));
    group.replay(r);
    if (group.state === 'Dead') this.groups.delete(r.groupId);
  }

  /** After replay: every member gets a fresh session (and revocation deadline), as in Kafka. */
  onLoaded(): void {
    for (const g of this.groups.values()) {
      for (const m of g.members.values()) {
        this.scheduleSessionTimeout(g.groupId, m.memberId);
        if (m.state === MemberState.UNREVOKED_PARTITIONS) this.scheduleRebalanceTimeout(g.groupId, m);
      }
    }
  }

  shutdown(): void {
    for (const t of this.sessionTimers.values()) t.cancel();
    for (const t of this.rebalanceTimers.values()) t.cancel();
    this.sessionTimers.clear();
    this.rebalanceTimers.clear();
  }

  /** The live records of a group, for a snapshot of its partition. */
  liveRecords(groupId: string): CoordinatorRecord[] {
    const g = this.groups.get(groupId);
    if (!g) return [];
    const out: ConsumerGroupRecord[] = [{ type: 'groupEpoch', groupId, value: { epoch: g.groupEpoch } }];
    out.push({ type: 'partitionMetadata', groupId, value: this.partitionMetadataValue(g.subscriptionMetadata) });
    for (const m of g.members.values()) out.push(this.memberMetadataRecord(groupId, m));
    for (const [memberId, a] of g.targetAssignment) out.push({ type: 'targetAssignmentMember', groupId, memberId, value: { topicPartitions: toTopicPartitions(a) } });
    out.push({ type: 'targetAssignmentEpoch', groupId, value: { assignmentEpoch: g.assignmentEpoch } });
    for (const m of g.members.values()) out.push(this.currentAssignmentRecord(groupId, m));
    return out.map(encodeConsumerGroupRecord);
  }

  // ------------------------------------------------------------------------------------------
  // ConsumerGroupHeartbeat

  async heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    try {
      if (!this.config.enabled) fail(ErrorCode.UNSUPPORTED_VERSION, 'The consumer rebalance protocol is not enabled (group.coordinator.rebalance.protocols).');
      this.validate(req);
      if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return await this.leave(req);
      return await this.joinOrHeartbeat(req);
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      return { errorCode: err.errorCode, errorMessage: err.message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
  }

  /** Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid. */
  private validate(req: HeartbeatRequest): void {
    if (req.groupId === '') fail(ErrorCode.INVALID_GROUP_ID, 'GroupId can\'t be empty.');
    if (req.instanceId === '') fail(ErrorCode.INVALID_REQUEST, 'InstanceId can\'t be empty.');
    if (req.rackId === '') fail(ErrorCode.INVALID_REQUEST, 'RackId can\'t be empty.');
    // v1 (KIP-1082): the client makes up its member id, so it is never empty; v0 may leave it to us on a join.
    const joining = req.memberEpoch === JOIN_GROUP_MEMBER_EPOCH;
    if (req.memberId === '' && (req.apiVersion >= 1 || !joining)) fail(ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.');
    if (joining) {
      if (req.rebalanceTimeoutMs === -1) fail(ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.');
      if (req.topicPartitions === null || req.topicPartitions.length > 0) fail(ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.');
      const names = req.subscribedTopicNames !== null && req.subscribedTopicNames.length > 0;
      const regex = req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== '';
      if (!names && !regex) fail(ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
    } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      if (req.instanceId === null) fail(ErrorCode.INVALID_REQUEST, 'InstanceId can\'t be null.');
    } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      fail(ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.');
    }
    if (req.subscribedTopicRegex) this.regex(req.subscribedTopicRegex);
    if (req.serverAssignor !== null && !this.config.assignors.some((a) => a.name === req.serverAssignor)) {
      fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${this.config.assignors.map((a) => a.name).join(', ')}.`);
    }
  }

  /** The compiled regex (cached); 128 INVALID_REGULAR_EXPRESSION where RE2 would refuse it. */
  private regex(source: string): TopicRegex {
    let r = this.regexes.get(source);
    if (!r) {
      try {
        r = compileTopicRegex(source);
      } catch (err) {
        if (err instanceof RegexSyntaxError) fail(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${source}\` is not a valid regular expression: ${err.message}.`);
        throw err;
      }
      this.regexes.set(source, r);
    }
    return r;
  }

  private async joinOrHeartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    const { groupId } = req;
    const joining = req.memberEpoch === JOIN_GROUP_MEMBER_EPOCH;
    const prelude: CoordinatorRecord[] = [];
    let group = this.groups.get(groupId);
    let created = false;
    if (!group) {
      if (!joining) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Group ${groupId} not found.`);
      const classic = this.hooks.classicGroup(groupId);
      if (classic === 'active') fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
      // An Empty classic group (offsets only) becomes a consumer group; its offsets stay.
      if (classic === 'empty') prelude.push(...this.hooks.removeEmptyClassicGroup(groupId));
      this.groups.set(groupId, (group = new ConsumerGroup(groupId)));
      created = true;
    }
    try {
      return await this.heartbeatInGroup(group, req, prelude);
    } finally {
      // A group created by a refused join is not kept (Kafka's timeline reverts it).
      if (created && group.members.size === 0 && group.groupEpoch === 0) this.groups.delete(groupId);
    }
  }

  private async heartbeatInGroup(group: ConsumerGroup, req: HeartbeatRequest, prelude: CoordinatorRecord[]): Promise<HeartbeatResponse> {
    const memberId = req.memberId === '' ? randomMemberId() : req.memberId;
    if (group.members.size >= this.config.maxSize && !group.members.has(memberId)) {
      fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.config.maxSize} members.`);
    }
    const batch = new Batch(group);
    const member = req.instanceId === null
      ? this.dynamicMember(group, memberId, req)
      : this.staticMember(group, memberId, req.instanceId, req, batch);

    // 1. The member, and the group epoch if its subscription or the subscribed topics changed.
    const regex = req.subscribedTopicRegex === null ? member.subscribedTopicRegex : req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
    const updated: ConsumerGroupMember = {
      ...member,
      instanceId: req.instanceId ?? member.instanceId,
      rackId: req.rackId ?? member.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
      serverAssignor: req.serverAssignor ?? member.serverAssignor,
      subscribedTopicNames: req.subscribedTopicNames ?? member.subscribedTopicNames,
      subscribedTopicRegex: regex,
      clientId: req.clientId,
      clientHost: req.clientHost,
      classicMemberMetadata: null,
    };
    let bump = false;
    if (subscriptionChanged(member, updated) || !group.members.has(memberId)) {
      batch.emit(this.memberMetadataRecord(group.groupId, updated));
      bump = subscribedTopicsChanged(member, updated);
    }
    bump = this.maybeUpdateSubscriptionMetadata(group, batch) || bump;
    if (bump) {
      batch.emit({ type: 'groupEpoch', groupId: group.groupId, value: { epoch: group.groupEpoch + 1 } });
      this.logger.info({ group: group.groupId, epoch: group.groupEpoch, member: memberId }, 'bumped group epoch');
    }

    // 2. A new target assignment, if the group epoch moved past it.
    if (group.groupEpoch > group.assignmentEpoch) this.updateTargetAssignment(group, batch);

    // 3. One reconciliation step.
    const current = group.members.get(memberId)!;
    let reconciled = current;
    if (!isReconciledTo(current, group.assignmentEpoch)) {
      reconciled = reconcile(current, {
        targetEpoch: group.assignmentEpoch,
        target: group.target(memberId),
        partitionEpoch: (t, p) => group.partitionEpoch(t, p),
        owned: req.topicPartitions,
      });
      if (currentAssignmentChanged(current, reconciled)) {
        batch.emit(this.currentAssignmentRecord(group.groupId, reconciled));
        this.onReconciled(group, reconciled);
      }
    }

    this.scheduleSessionTimeout(group.groupId, memberId);
    await this.write(group.groupId, prelude, batch);

    // The assignment is sent on a full request (a join, or every field set after an error) or when it changed.
    const full = req.memberEpoch === JOIN_GROUP_MEMBER_EPOCH ||
      (req.rebalanceTimeoutMs !== -1 && req.subscribedTopicNames !== null && req.topicPartitions !== null);
    const changed = !assignmentEquals(member.assignedPartitions, reconciled.assignedPartitions);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: reconciled.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      assignment: full || changed ? toTopicPartitions(reconciled.assignedPartitions) : null,
    };
  }

  /** Kafka's throwIfConsumerGroupMemberEpochIsInvalid: a member must heartbeat with its own epoch. */
  private checkEpoch(member: ConsumerGroupMember, received: number, owned: readonly TopicPartitions[] | null): void {
    if (received > member.memberEpoch) {
      fail(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
    }
    if (received < member.memberEpoch) {
      // The previous epoch is accepted when the member owns no more than it is assigned: the
      // response that moved it to the new epoch may have been lost.
      const subset = owned !== null && owned.every((t) => t.partitions.every((p) => member.assignedPartitions.get(t.topicId)?.has(p)));
      if (received !== member.previousMemberEpoch || !subset) {
        fail(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
      }
    }
  }

  private dynamicMember(group: ConsumerGroup, memberId: string, req: HeartbeatRequest): ConsumerGroupMember {
    const existing = group.members.get(memberId);
    if (!existing) {
      if (req.memberEpoch !== JOIN_GROUP_MEMBER_EPOCH) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
      this.logger.info({ group: group.groupId, member: memberId }, 'member joins the consumer group using the consumer protocol');
      return newMember(memberId);
    }
    this.checkEpoch(existing, req.memberEpoch, req.topicPartitions);
    return existing;
  }

  /**
   * KIP-345 with KIP-848: a static member that left with epoch -2 may come back under a new member
   * id and take over its predecessor's place — its target and its partitions — with no rebalance.
   * While the old member still holds the instance id, a newcomer gets 111 UNRELEASED_INSTANCE_ID.
   */
  private staticMember(group: ConsumerGroup, memberId: string, instanceId: string, req: HeartbeatRequest, batch: Batch): ConsumerGroupMember {
    const existing = group.staticMember(instanceId);
    if (req.memberEpoch === JOIN_GROUP_MEMBER_EPOCH) {
      if (!existing) return group.members.get(memberId) ?? newMember(memberId);
      if (existing.memberId === memberId) {
        this.checkEpoch(existing, req.memberEpoch, req.topicPartitions);
        return existing;
      }
      if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        fail(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`);
      }
      const replacement: ConsumerGroupMember = { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
      const target = group.target(existing.memberId);
      this.cancelTimers(group.groupId, existing.memberId);
      this.removeMemberRecords(group.groupId, existing.memberId).forEach((r) => batch.emit(r));
      batch.emit(this.memberMetadataRecord(group.groupId, replacement));
      batch.emit({ type: 'targetAssignmentMember', groupId: group.groupId, memberId, value: { topicPartitions: toTopicPartitions(target) } });
      batch.emit(this.currentAssignmentRecord(group.groupId, replacement));
      this.logger.info({ group: group.groupId, instanceId, member: memberId, replaced: existing.memberId }, 'static member rejoined the consumer group');
      return replacement;
    }
    if (!existing) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
    if (existing!.memberId !== memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing!.memberId}.`);
    this.checkEpoch(existing!, req.memberEpoch, req.topicPartitions);
    return existing!;
  }

  // ------------------------------------------------------------------------------------------
  // Leaving

  private async leave(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    const group = this.groups.get(req.groupId) ?? fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} not found.`);
    const ok = (memberEpoch: number): HeartbeatResponse => ({
      errorCode: ErrorCode.NONE, errorMessage: null, memberId: req.memberId, memberEpoch, heartbeatIntervalMs: 0, assignment: null,
    });
    const batch = new Batch(group);
    if (req.instanceId === null) {
      const member = group.members.get(req.memberId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
      this.fenceMember(group, member, batch, 'left the group');
      await this.write(group.groupId, [], batch);
      return ok(req.memberEpoch);
    }
    const member = group.staticMember(req.instanceId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`);
    if (member.memberId !== req.memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${member.memberId}.`);
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // Gone for now: its partitions stay reserved until it is back or its session expires.
      const away = { ...member, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, partitionsPendingRevocation: new Map() };
      batch.emit(this.currentAssignmentRecord(group.groupId, away));
      this.logger.info({ group: group.groupId, member: member.memberId, instanceId: req.instanceId }, 'static member temporarily left the consumer group');
      await this.write(group.groupId, [], batch);
      return ok(LEAVE_GROUP_STATIC_MEMBER_EPOCH);
    }
    this.fenceMember(group, member, batch, 'left the group');
    await this.write(group.groupId, [], batch);
    return ok(req.memberEpoch);
  }

  /** Removes a member (left, session expired, revocation too slow); the group epoch goes up. */
  private fenceMember(group: ConsumerGroup, member: ConsumerGroupMember, batch: Batch, reason: string): void {
    this.cancelTimers(group.groupId, member.memberId);
    this.removeMemberRecords(group.groupId, member.memberId).forEach((r) => batch.emit(r));
    this.maybeUpdateSubscriptionMetadata(group, batch);
    batch.emit({ type: 'groupEpoch', groupId: group.groupId, value: { epoch: group.groupEpoch + 1 } });
    this.logger.info({ group: group.groupId, member: member.memberId, epoch: group.groupEpoch, reason }, 'member removed from the consumer group');
  }

  private removeMemberRecords(groupId: string, memberId: string): ConsumerGroupRecord[] {
    return [
      { type: 'currentAssignment', groupId, memberId, value: null },
      { type: 'targetAssignmentMember', groupId, memberId, value: null },
      { type: 'memberMetadata', groupId, memberId, value: null },
    ];
  }

  // ------------------------------------------------------------------------------------------
  // Subscriptions and target assignment

  /** The ids of the existing topics a member subscribes to, by name or by regex. */
  private memberTopics(m: ConsumerGroupMember): TopicInfo[] {
    const out = new Map<string, TopicInfo>();
    for (const name of m.subscribedTopicNames) {
      const t = this.topics.get(name);
      if (t) out.set(t.name, t);
    }
    if (m.subscribedTopicRegex) {
      const re = this.regex(m.subscribedTopicRegex);
      // Like the Java consumer's pattern subscriptions, never internal topics.
      for (const t of this.topics.list()) if (!t.internal && re.matches(t.name)) out.set(t.name, t);
    }
    return [...out.values()];
  }

  /**
   * Recomputes the subscribed topics' metadata from the topic registry; when it differs from what
   * the group has (a subscription changed, a topic gained partitions, was deleted or appeared for
   * a regex), writes it and returns true: the target assignment must be recomputed.
   */
  private maybeUpdateSubscriptionMetadata(group: ConsumerGroup, batch: Batch): boolean {
    const metadata = new Map<string, TopicMetadata>();
    for (const m of group.members.values()) {
      for (const t of this.memberTopics(m)) metadata.set(t.name, { id: t.id, name: t.name, numPartitions: t.partitions });
    }
    if (sameMetadata(metadata, group.subscriptionMetadata)) return false;
    batch.emit({ type: 'partitionMetadata', groupId: group.groupId, value: this.partitionMetadataValue(metadata) });
    return true;
  }

  private partitionMetadataValue(metadata: ReadonlyMap<string, TopicMetadata>) {
    return {
      topics: [...metadata.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((t) => ({
        topicId: t.id, topicName: t.name, numPartitions: t.numPartitions, partitionMetadata: [],
      })),
    };
  }

  private updateTargetAssignment(group: ConsumerGroup, batch: Batch): void {
    const name = group.preferredServerAssignor() ?? this.config.assignors[0]!.name;
    const assignor = this.config.assignors.find((a) => a.name === name) ?? this.config.assignors[0]!;
    const counts = new Map([...group.subscriptionMetadata.values()].map((t) => [t.id, t.numPartitions]));
    const members = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      topics: new Set(this.memberTopics(m).map((t) => t.id).filter((id) => counts.has(id))),
      current: group.target(m.memberId),
    }));
    const result = assignor.assign(members, counts);
    for (const m of members) {
      const next = result.get(m.memberId) ?? new Map();
      if (!group.targetAssignment.has(m.memberId) || !assignmentEquals(next, m.current)) {
        batch.emit({ type: 'targetAssignmentMember', groupId: group.groupId, memberId: m.memberId, value: { topicPartitions: toTopicPartitions(next) } });
      }
    }
    batch.emit({ type: 'targetAssignmentEpoch', groupId: group.groupId, value: { assignmentEpoch: group.groupEpoch } });
    const nameOf = (id: string) => this.topics.getById(id)?.name ?? id;
    this.logger.info({
      group: group.groupId, epoch: group.groupEpoch, assignor: assignor.name,
      assignment: Object.fromEntries(members.map((m) => [m.memberId, describeAssignment(group.target(m.memberId), nameOf)])),
    }, 'computed a new target assignment');
  }

  // ------------------------------------------------------------------------------------------
  // Timers

  private timerKey(groupId: string, memberId: string): string {
    return `${groupId}\u0000${memberId}`;
  }

  private scheduleSessionTimeout(groupId: string, memberId: string): void {
    const key = this.timerKey(groupId, memberId);
    this.sessionTimers.get(key)?.cancel();
    this.sessionTimers.set(key, this.clock.schedule(this.config.sessionTimeoutMs, () => {
      this.sessionTimers.delete(key);
      this.fenceLater(groupId, memberId, (m) => m !== undefined, `session timed out after ${this.config.sessionTimeoutMs} ms`);
    }));
  }

  /** A member asked to revoke must do so within its rebalance timeout, or it is fenced. */
  private scheduleRebalanceTimeout(groupId: string, member: ConsumerGroupMember): void {
    const key = this.timerKey(groupId, member.memberId);
    this.rebalanceTimers.get(key)?.cancel();
    const epoch = member.memberEpoch;
    this.rebalanceTimers.set(key, this.clock.schedule(member.rebalanceTimeoutMs, () => {
      this.rebalanceTimers.delete(key);
      this.fenceLater(groupId, member.memberId, (m) => m?.memberEpoch === epoch,
        `failed to transition from epoch ${epoch} within ${member.rebalanceTimeoutMs} ms`);
    }));
  }

  private onReconciled(group: ConsumerGroup, m: ConsumerGroupMember): void {
    if (m.state === MemberState.UNREVOKED_PARTITIONS) this.scheduleRebalanceTimeout(group.groupId, m);
    else {
      this.rebalanceTimers.get(this.timerKey(group.groupId, m.memberId))?.cancel();
      this.rebalanceTimers.delete(this.timerKey(group.groupId, m.memberId));
    }
  }

  private fenceLater(groupId: string, memberId: string, still: (m: ConsumerGroupMember | undefined) => boolean, reason: string): void {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member || !still(member)) return;
    const batch = new Batch(group);
    this.fenceMember(group, member, batch, reason);
    this.write(groupId, [], batch).catch((err) => this.logger.error({ err, group: groupId }, 'fencing a member failed'));
  }

  private cancelTimers(groupId: string, memberId: string): void {
    const key = this.timerKey(groupId, memberId);
    this.sessionTimers.get(key)?.cancel();
    this.sessionTimers.delete(key);
    this.rebalanceTimers.get(key)?.cancel();
    this.rebalanceTimers.delete(key);
  }

  // ------------------------------------------------------------------------------------------
  // Records

  private memberMetadataRecord(groupId: string, m: ConsumerGroupMember): ConsumerGroupRecord {
    return {
      type: 'memberMetadata', groupId, memberId: m.memberId,
      value: {
        instanceId: m.instanceId, rackId: m.rackId, clientId: m.clientId, clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames], subscribedTopicRegex: m.subscribedTopicRegex,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs, serverAssignor: m.serverAssignor,
        classicMemberMetadata: m.classicMemberMetadata === null ? null : {
          sessionTimeoutMs: m.classicMemberMetadata.sessionTimeoutMs,
          supportedProtocols: m.classicMemberMetadata.supportedProtocols.map((p) => ({ name: p.name, metadata: p.metadata })),
        },
      },
    };
  }

  private currentAssignmentRecord(groupId: string, m: ConsumerGroupMember): ConsumerGroupRecord {
    return {
      type: 'currentAssignment', groupId, memberId: m.memberId,
      value: {
        memberEpoch: m.memberEpoch, previousMemberEpoch: m.previousMemberEpoch, state: m.state,
        assignedPartitions: toTopicPartitions(m.assignedPartitions),
        partitionsPendingRevocation: toTopicPartitions(m.partitionsPendingRevocation),
      },
    };
  }

  /** Writes the request's records (already applied); a failed write is answered 15 so the client retries. */
  private async write(groupId: string, prelude: CoordinatorRecord[], batch: Batch): Promise<void> {
    const records = [...prelude, ...batch.records.map(encodeConsumerGroupRecord)];
    if (records.length === 0) return;
    try {
      await this.hooks.append(groupId, records);
    } catch {
      fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator could not write the group\'s records.');
    }
  }

  // ------------------------------------------------------------------------------------------
  // Offsets, describe, delete

  /**
   * Kafka's ConsumerGroup.validateOffsetCommit: an admin or a standalone consumer (epoch -1) may
   * commit only to an empty group; a member must give its current epoch (else 113
   * STALE_MEMBER_EPOCH) and, unless the commit is transactional (TxnOffsetCommit), use OffsetCommit v9+.
   */
  validateOffsetCommit(groupId: string, memberId: string, memberEpoch: number, via: { apiVersion: number } | { transactional: true }): number {
    const g = this.groups.get(groupId);
    if (!g) return ErrorCode.NONE;
    if (memberEpoch < 0 && g.members.size === 0) return ErrorCode.NONE;
    const m = g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if ('apiVersion' in via && via.apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION;
    return memberEpoch === m.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** OffsetFetch v9+: without a member id anyone may read; a member must give its current epoch. */
  validateOffsetFetch(groupId: string, memberId: string | null, memberEpoch: number): number {
    const g = this.groups.get(groupId);
    if (!g || (memberId === null && memberEpoch < 0)) return ErrorCode.NONE;
    const m = memberId === null ? undefined : g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === m.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  describe(groupId: string): ConsumerGroupDescription {
    const g = this.groups.get(groupId);
    if (!g) {
      const notFound = this.hooks.classicGroup(groupId) === 'none' ? `Group ${groupId} not found.` : `Group ${groupId} is not a consumer group.`;
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: notFound, groupId, state: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      state: g.state,
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignorName: g.preferredServerAssignor() ?? this.config.assignors[0]!.name,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId, instanceId: m.instanceId, rackId: m.rackId, memberEpoch: m.memberEpoch,
        clientId: m.clientId, clientHost: m.clientHost, subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex, assignment: m.assignedPartitions, targetAssignment: g.target(m.memberId),
        memberType: m.classicMemberMetadata === null ? 1 : 0,
      })),
    };
  }

  /** DeleteGroups: only an Empty group; returns the tombstones to write, or an error code. */
  deleteGroup(groupId: string): { errorCode: number; records: CoordinatorRecord[] } {
    const g = this.groups.get(groupId);
    if (!g) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, records: [] };
    if (g.state !== 'Empty') return { errorCode: ErrorCode.NON_EMPTY_GROUP, records: [] };
    const tombstones: ConsumerGroupRecord[] = [
      { type: 'targetAssignmentEpoch', groupId, value: null },
      { type: 'partitionMetadata', groupId, value: null },
      { type: 'groupEpoch', groupId, value: null },
    ];
    this.groups.delete(groupId);
    this.logger.info({ group: groupId }, 'consumer group deleted');
    return { errorCode: ErrorCode.NONE, records: tombstones.map(encodeConsumerGroupRecord) };
  }

  /** Partitions of each member, for logs and tests. */
  summary(groupId: string): Record<string, number> {
    const g = this.groups.get(groupId);
    return Object.fromEntries([...(g?.members.values() ?? [])].map((m) => [m.memberId, countPartitions(m.assignedPartitions)]));
  }
}
