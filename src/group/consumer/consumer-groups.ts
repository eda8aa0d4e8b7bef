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
 *
 * A group may also hold **classic members** (JoinGroup/SyncGroup/Heartbeat clients), after a live
 * classic group was upgraded or when one joins a consumer group; and it turns classic again when
 * the last consumer-protocol member leaves (migration.ts, the "Classic members" section below).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, KafkaError, isKafkaError } from '../../../protocol/errors.js';
import type { Clock, ScheduledTask } from '../../clock.js';
import type { TopicInfo } from '../../topics/registry.js';
import type { JoinParams, JoinResult, Protocol, SyncParams, SyncResult } from '../group.js';
import type { CoordinatorRecord } from '../records.js';
import { assignmentEquals, countPartitions, describeAssignment, toTopicPartitions, type Assignment, type TopicPartitions } from './assignment.js';
import type { PartitionAssignor } from './assignors.js';
import { ConsumerGroup, type ConsumerGroupState, type TopicMetadata } from './consumer-group.js';
import {
  currentAssignmentChanged, isReconciledTo, JOIN_GROUP_MEMBER_EPOCH, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  MemberState, newMember, subscribedTopicsChanged, subscriptionChanged, type ConsumerGroupMember,
} from './member.js';
import { assignmentBytes } from './classic-view.js';
import { decodeEmbeddedSubscription, embeddedVersion, MalformedProtocolError, type EmbeddedSubscription } from './embedded-protocol.js';
import {
  CONSUMER_PROTOCOL_TYPE, downgradeAllowed, downgradedGroup, membersFromClassic, upgradeAllowed,
  type ClassicGroupSnapshot, type DowngradedGroup, type MigrationPolicy,
} from './migration.js';
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
  /** group.consumer.migration.policy: whether live groups change protocol (migration.ts). */
  readonly migrationPolicy: MigrationPolicy;
  /** group.max.size: a downgrade never makes a classic group larger than this. */
  readonly classicMaxSize: number;
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
  /** The live classic group of that id (not Dead), if any. */
  classicGroup(groupId: string): ClassicGroupSnapshot | undefined;
  /**
   * Takes the classic group away from the classic coordinator (its offsets stay): its held
   * JoinGroup/SyncGroup requests are answered REBALANCE_IN_PROGRESS and its timers stopped.
   * Returns the records that say so.
   */
  takeClassicGroup(groupId: string): CoordinatorRecord[];
  /** A downgrade: the classic group starts (Stable, then rebalancing); returns the records that store it. */
  installClassicGroup(group: DowngradedGroup): CoordinatorRecord[];
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
  /** Records of the classic coordinator, written after these (a downgrade's classic group). */
  readonly then: CoordinatorRecord[] = [];
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
  /** A classic member's deadline to rejoin (after REBALANCE_IN_PROGRESS) or to sync (after its join). */
  private readonly classicTimers = new Map<string, ScheduledTask>();
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
    for (const t of this.classicTimers.values()) t.cancel();
    this.sessionTimers.clear();
    this.rebalanceTimers.clear();
    this.classicTimers.clear();
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
    let batch: Batch | undefined;
    if (!group) {
      if (!joining) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Group ${groupId} not found.`);
      const classic = this.hooks.classicGroup(groupId);
      if (classic && classic.members.length > 0) this.checkUpgrade(classic);
      // An Empty classic group (offsets only) becomes a consumer group; so does a live one (upgrade).
      if (classic) prelude.push(...this.hooks.takeClassicGroup(groupId));
      this.groups.set(groupId, (group = new ConsumerGroup(groupId)));
      created = true;
      if (classic && classic.members.length > 0) batch = this.upgrade(group, classic);
    }
    try {
      return await this.heartbeatInGroup(group, req, prelude, batch ?? new Batch(group));
    } catch (err) {
      // A refused heartbeat after an upgrade: the conversion itself still happened and is written.
      if (batch && batch.records.length > 0) await this.write(groupId, prelude, batch);
      throw err;
    } finally {
      // A group created by a refused join is not kept (Kafka's timeline reverts it).
      if (created && group.members.size === 0 && group.groupEpoch === 0) this.groups.delete(groupId);
    }
  }

  private async heartbeatInGroup(group: ConsumerGroup, req: HeartbeatRequest, prelude: CoordinatorRecord[], batch: Batch): Promise<HeartbeatResponse> {
    const memberId = req.memberId === '' ? randomMemberId() : req.memberId;
    this.checkCapacity(group, memberId);
    const member = req.instanceId === null
      ? this.dynamicMember(group, memberId, req)
      : this.staticMember(group, memberId, req.instanceId, req, batch);

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
    const reconciled = this.advance(group, member, updated, req.topicPartitions, batch);

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

  /**
   * The three steps every heartbeat (and every classic member's JoinGroup) takes: write the
   * member as updated, bumping the group epoch if what it subscribes to changed; compute a new
   * target assignment if the group epoch moved past it; move the member one reconciliation step.
   * Returns the member as it now stands.
   */
  private advance(
    group: ConsumerGroup, member: ConsumerGroupMember, updated: ConsumerGroupMember, owned: readonly TopicPartitions[] | null, batch: Batch,
  ): ConsumerGroupMember {
    // 1. The member, and the group epoch if its subscription or the subscribed topics changed.
    let bump = false;
    if (subscriptionChanged(member, updated) || !group.members.has(updated.memberId)) {
      batch.emit(this.memberMetadataRecord(group.groupId, updated));
      bump = subscribedTopicsChanged(member, updated);
    }
    bump = this.maybeUpdateSubscriptionMetadata(group, batch) || bump;
    if (bump) {
      batch.emit({ type: 'groupEpoch', groupId: group.groupId, value: { epoch: group.groupEpoch + 1 } });
      this.logger.info({ group: group.groupId, epoch: group.groupEpoch, member: updated.memberId }, 'bumped group epoch');
    }

    // 2. A new target assignment, if the group epoch moved past it.
    if (group.groupEpoch > group.assignmentEpoch) this.updateTargetAssignment(group, batch);

    // 3. One reconciliation step.
    const current = group.members.get(updated.memberId)!;
    let reconciled = current;
    if (!isReconciledTo(current, group.assignmentEpoch)) {
      reconciled = reconcile(current, {
        targetEpoch: group.assignmentEpoch,
        target: group.target(updated.memberId),
        partitionEpoch: (t, p) => group.partitionEpoch(t, p),
        owned,
      });
      if (currentAssignmentChanged(current, reconciled)) {
        batch.emit(this.currentAssignmentRecord(group.groupId, reconciled));
        this.onReconciled(group, reconciled);
      }
    }

    return reconciled;
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
      return this.replaceStaticMember(group, existing, memberId, batch);
    }
    if (!existing) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
    if (existing!.memberId !== memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing!.memberId}.`);
    this.checkEpoch(existing!, req.memberEpoch, req.topicPartitions);
    return existing!;
  }

  /** A static member's new incarnation takes its predecessor's place: its target and its partitions. */
  private replaceStaticMember(group: ConsumerGroup, existing: ConsumerGroupMember, memberId: string, batch: Batch): ConsumerGroupMember {
    const replacement: ConsumerGroupMember = { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
    const target = group.target(existing.memberId);
    this.cancelTimers(group.groupId, existing.memberId);
    this.removeMemberRecords(group.groupId, existing.memberId).forEach((r) => batch.emit(r));
    batch.emit(this.memberMetadataRecord(group.groupId, replacement));
    batch.emit({ type: 'targetAssignmentMember', groupId: group.groupId, memberId, value: { topicPartitions: toTopicPartitions(target) } });
    batch.emit(this.currentAssignmentRecord(group.groupId, replacement));
    this.logger.info({ group: group.groupId, instanceId: existing.instanceId, member: memberId, replaced: existing.memberId }, 'static member rejoined the consumer group');
    return replacement;
  }

  private checkCapacity(group: ConsumerGroup, memberId: string): void {
    if (group.members.size >= this.config.maxSize && !group.members.has(memberId)) {
      fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.config.maxSize} members.`);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Migration between the protocols (migration.ts)

  /** Kafka's validateOnlineUpgrade: otherwise the live classic group stays, and the heartbeat gets 69. */
  private checkUpgrade(classic: ClassicGroupSnapshot): void {
    const refuse = (why: string) => {
      this.logger.info({ group: classic.groupId, reason: why }, 'cannot upgrade the classic group to a consumer group');
      fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${classic.groupId} is not a consumer group.`);
    };
    if (!upgradeAllowed(this.config.migrationPolicy)) refuse('the online upgrade is disabled (group.consumer.migration.policy)');
    if (classic.protocolType !== CONSUMER_PROTOCOL_TYPE) refuse('the group does not use the consumer embedded protocol');
    if (classic.members.length > this.config.maxSize) refuse('the group is larger than group.consumer.max.size');
  }

  /** Kafka's convertToConsumerGroup: the classic members become members of `group` at the classic generation. */
  private upgrade(group: ConsumerGroup, classic: ClassicGroupSnapshot): Batch {
    let members: ConsumerGroupMember[];
    try {
      members = membersFromClassic(classic, (name) => this.topics.get(name)?.id);
    } catch (err) {
      if (!(err instanceof MalformedProtocolError)) throw err;
      fail(ErrorCode.GROUP_ID_NOT_FOUND, `Cannot upgrade the classic group ${classic.groupId} to consumer group because the embedded consumer protocol is malformed.`);
    }
    const batch = new Batch(group);
    const groupId = group.groupId;
    for (const m of members!) batch.emit(this.memberMetadataRecord(groupId, m));
    batch.emit({ type: 'groupEpoch', groupId, value: { epoch: classic.generationId } });
    for (const m of members!) batch.emit({ type: 'targetAssignmentMember', groupId, memberId: m.memberId, value: { topicPartitions: toTopicPartitions(m.assignedPartitions) } });
    batch.emit({ type: 'targetAssignmentEpoch', groupId, value: { assignmentEpoch: classic.generationId } });
    for (const m of members!) {
      batch.emit(this.currentAssignmentRecord(groupId, m));
      this.scheduleSessionTimeout(groupId, m.memberId);
    }
    this.logger.info({ group: groupId, epoch: classic.generationId, members: members!.length }, 'upgraded a classic group to a consumer group');
    return batch;
  }

  /** Kafka's validateOnlineDowngradeWithFencedMember: the last consumer-protocol member leaves others behind. */
  private shouldDowngrade(group: ConsumerGroup, leaving: ConsumerGroupMember): boolean {
    if (leaving.classicMemberMetadata !== null || group.members.size <= 1) return false;
    for (const m of group.members.values()) if (m !== leaving && m.classicMemberMetadata === null) return false;
    return this.downgradeAllowed(group, group.members.size - 1);
  }

  /** The policy allows a downgrade, and a classic group of `size` members is within group.max.size. */
  private downgradeAllowed(group: ConsumerGroup, size: number): boolean {
    if (!downgradeAllowed(this.config.migrationPolicy)) {
      this.logger.info({ group: group.groupId }, 'cannot downgrade the consumer group: the online downgrade is disabled (group.consumer.migration.policy)');
      return false;
    }
    if (size > this.config.classicMaxSize) {
      this.logger.info({ group: group.groupId }, 'cannot downgrade the consumer group: it is larger than group.max.size');
      return false;
    }
    return true;
  }

  /**
   * Kafka's convertToClassicGroup: tombstones for the whole consumer group, then the classic group
   * of everyone but `leavingMemberId` (null: everyone). It rebalances when a member left; not when a
   * classic static member took the place of the last consumer-protocol one (it keeps that one's
   * partitions).
   */
  private downgrade(group: ConsumerGroup, leavingMemberId: string | null, batch: Batch): DowngradedGroup {
    const groupId = group.groupId;
    const classic = downgradedGroup(
      groupId, group.groupEpoch, group.members.values(), leavingMemberId, (id) => group.target(id), (id) => this.topicName(id),
    );
    for (const m of [...group.members.values()]) {
      this.cancelTimers(groupId, m.memberId);
      this.removeMemberRecords(groupId, m.memberId).forEach((r) => batch.emit(r));
    }
    batch.emit({ type: 'targetAssignmentEpoch', groupId, value: null });
    batch.emit({ type: 'partitionMetadata', groupId, value: null });
    batch.emit({ type: 'groupEpoch', groupId, value: null });
    this.groups.delete(groupId);
    batch.then.push(...this.hooks.installClassicGroup(classic));
    this.logger.info({ group: groupId, generation: classic.generationId, members: classic.members.length, left: leavingMemberId }, 'downgraded a consumer group to a classic group');
    return classic;
  }

  // ------------------------------------------------------------------------------------------
  // Classic members: JoinGroup, SyncGroup, Heartbeat and LeaveGroup sent to a consumer group
  // (Kafka's classicGroup*ToConsumerGroup). Such a member is a consumer-group member like any
  // other — the server-side assignor decides its partitions and it reconciles one step per
  // JoinGroup — but it learns of a new assignment the classic way: its Heartbeat answers
  // REBALANCE_IN_PROGRESS, it rejoins, and SyncGroup hands it its partitions. There is no leader.

  async classicJoin(groupId: string, p: JoinParams): Promise<JoinResult> {
    const answer = (errorCode: number, memberId: string): JoinResult => ({
      errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [], skipAssignment: false,
    });
    const group = this.groups.get(groupId);
    if (!group) return answer(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId);
    const unknown = p.memberId === '';
    const memberId = unknown ? randomMemberId() : p.memberId;
    try {
      this.checkCapacity(group, memberId);
      if (!this.supportsClassicProtocols(group, p.protocolType, p.protocols)) {
        fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `Member ${memberId}'s protocols are not supported.`);
      }
      // KIP-394: a dynamic member first gets its id, and joins with it.
      if (unknown && p.requireKnownMemberId && p.groupInstanceId === null) return answer(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      let subscription: EmbeddedSubscription;
      try {
        subscription = decodeEmbeddedSubscription(p.protocols[0]!.metadata);
      } catch (err) {
        if (!(err instanceof MalformedProtocolError)) throw err;
        fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `Member ${memberId}'s subscription is not a consumer protocol subscription.`);
      }
      const batch = new Batch(group);
      const replaced = p.groupInstanceId === null ? undefined : group.staticMember(p.groupInstanceId);
      const member = this.classicJoiningMember(group, memberId, p.groupInstanceId, unknown, batch);
      const updated: ConsumerGroupMember = {
        ...member,
        instanceId: p.groupInstanceId ?? member.instanceId,
        rackId: subscription!.rackId ?? member.rackId,
        rebalanceTimeoutMs: p.rebalanceTimeoutMs,
        subscribedTopicNames: subscription!.topics,
        subscribedTopicRegex: null,
        clientId: p.clientId,
        clientHost: p.clientHost,
        classicMemberMetadata: { sessionTimeoutMs: p.sessionTimeoutMs, supportedProtocols: p.protocols },
      };
      // What it still owns: nothing for an eager client (it revoked before rejoining); a cooperative one says.
      const owned = subscription!.ownedPartitions.flatMap((t) => {
        const id = this.topics.get(t.topic)?.id;
        return id === undefined ? [] : [{ topicId: id, partitions: t.partitions }];
      });
      const reconciled = this.advance(group, member, updated, owned, batch);
      // Kafka's validateOnlineDowngradeWithReplacedMemberId: this classic static member replaced the
      // last consumer-protocol member, so every member is classic now.
      const replacedLastConsumerMember = replaced !== undefined && replaced.memberId !== memberId && replaced.classicMemberMetadata === null &&
        [...group.members.values()].every((m) => m.classicMemberMetadata !== null);
      if (replacedLastConsumerMember && this.downgradeAllowed(group, group.members.size)) {
        const classic = this.downgrade(group, null, batch);
        await this.write(groupId, [], batch);
        return {
          errorCode: ErrorCode.NONE, generationId: classic.generationId, protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: p.protocols[0]!.name, leader: '', memberId, members: [], skipAssignment: false,
        };
      }
      await this.write(groupId, [], batch);
      this.cancelClassicTimer(groupId, memberId, 'join');
      this.scheduleSessionTimeout(groupId, memberId);
      this.scheduleClassicTimer(groupId, memberId, 'sync', p.rebalanceTimeoutMs);
      return {
        errorCode: ErrorCode.NONE,
        generationId: reconciled.memberEpoch,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: p.protocols[0]!.name,
        leader: '',
        memberId,
        members: [],
        skipAssignment: false,
      };
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      return answer(err.errorCode, memberId);
    }
  }

  async classicSync(groupId: string, p: SyncParams): Promise<SyncResult> {
    const answer = (errorCode: number, assignment: Buffer = Buffer.alloc(0)): SyncResult => {
      const ok = errorCode === ErrorCode.NONE;
      return { errorCode, protocolType: ok ? p.protocolType : null, protocolName: ok ? p.protocolName : null, assignment };
    };
    try {
      const group = this.groups.get(groupId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `Group ${groupId} not found.`);
      const member = this.classicMember(group, p.memberId, p.groupInstanceId, p.generationId);
      const protocol = member.classicMemberMetadata!.supportedProtocols[0]!;
      if ((p.protocolType !== null && p.protocolType !== CONSUMER_PROTOCOL_TYPE) || (p.protocolName !== null && p.protocolName !== protocol.name)) {
        fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `The protocol from member ${member.memberId} does not match the one returned in its join response.`);
      }
      this.throwIfRebalanceInProgress(group, member);
      // Whatever this member's last JoinGroup wrote is durable before it hears its partitions.
      await this.hooks.append(groupId, []);
      this.cancelClassicTimer(groupId, member.memberId, 'sync');
      this.scheduleSessionTimeout(groupId, member.memberId);
      return answer(ErrorCode.NONE, assignmentBytes(member.assignedPartitions, (id) => this.topicName(id), embeddedVersion(protocol.metadata)));
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      return answer(err.errorCode);
    }
  }

  classicHeartbeat(groupId: string, memberId: string, instanceId: string | null, generationId: number): number {
    try {
      const group = this.groups.get(groupId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `Group ${groupId} not found.`);
      const member = this.classicMember(group, memberId, instanceId, generationId);
      this.scheduleSessionTimeout(groupId, member.memberId);
      // Rejoin when the group moved on, when partitions must be revoked, or when partitions it waits for are free now.
      const mustRejoin = member.memberEpoch < group.groupEpoch || member.state === MemberState.UNREVOKED_PARTITIONS ||
        (member.state === MemberState.UNRELEASED_PARTITIONS && !this.waitingOnUnreleasedPartition(group, member));
      if (!mustRejoin) return ErrorCode.NONE;
      this.scheduleClassicTimer(groupId, member.memberId, 'join', member.rebalanceTimeoutMs, true);
      return ErrorCode.REBALANCE_IN_PROGRESS;
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      return err.errorCode;
    }
  }

  /** LeaveGroup: only classic members may leave this way; one error code per member. */
  async classicLeave(groupId: string, leaving: readonly { memberId: string; groupInstanceId: string | null }[]): Promise<number[]> {
    const group = this.groups.get(groupId);
    if (!group) return leaving.map(() => ErrorCode.UNKNOWN_MEMBER_ID);
    const batch = new Batch(group);
    const codes = leaving.map((l) => {
      try {
        const member = l.groupInstanceId === null
          ? group.members.get(l.memberId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${l.memberId} is not a member of group ${groupId}.`)
          : group.staticMember(l.groupInstanceId) ?? fail(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${l.groupInstanceId} is unknown.`);
        // An admin may remove a static member by instance id alone.
        if (l.groupInstanceId !== null && l.memberId !== '' && l.memberId !== member.memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${l.memberId} was fenced.`);
        if (member.classicMemberMetadata === null) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${member.memberId} does not use the classic protocol.`);
        this.cancelTimers(groupId, member.memberId);
        this.removeMemberRecords(groupId, member.memberId).forEach((r) => batch.emit(r));
        this.logger.info({ group: groupId, member: member.memberId }, 'classic member left the consumer group');
        return ErrorCode.NONE;
      } catch (err) {
        if (!isKafkaError(err)) throw err;
        return err.errorCode;
      }
    });
    if (batch.records.length > 0) {
      this.maybeUpdateSubscriptionMetadata(group, batch);
      batch.emit({ type: 'groupEpoch', groupId, value: { epoch: group.groupEpoch + 1 } });
      try {
        await this.write(groupId, [], batch);
      } catch (err) {
        if (!isKafkaError(err)) throw err;
        return leaving.map(() => err.errorCode);
      }
    }
    return codes;
  }

  /** Kafka's ConsumerGroup.supportsClassicProtocols: type "consumer", and a protocol every classic member has. */
  private supportsClassicProtocols(group: ConsumerGroup, protocolType: string, protocols: readonly Protocol[]): boolean {
    if (protocolType !== CONSUMER_PROTOCOL_TYPE || protocols.length === 0) return false;
    const classic = [...group.members.values()].filter((m) => m.classicMemberMetadata !== null);
    return protocols.some((p) => classic.every((m) => m.classicMemberMetadata!.supportedProtocols.some((q) => q.name === p.name)));
  }

  /** The member a classic JoinGroup speaks for: new, known, or a static member's new incarnation. */
  private classicJoiningMember(group: ConsumerGroup, memberId: string, instanceId: string | null, unknown: boolean, batch: Batch): ConsumerGroupMember {
    if (instanceId === null) {
      const existing = group.members.get(memberId);
      if (existing && existing.classicMemberMetadata === null) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} does not use the classic protocol.`);
      if (!existing) this.logger.info({ group: group.groupId, member: memberId }, 'member joins the consumer group using the classic protocol');
      return existing ?? newMember(memberId);
    }
    const existing = group.staticMember(instanceId);
    if (!existing) return group.members.get(memberId) ?? newMember(memberId);
    if (existing.memberId === memberId) return existing;
    if (!unknown) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing.memberId}.`);
    return this.replaceStaticMember(group, existing, memberId, batch);
  }

  /** A classic member's SyncGroup or Heartbeat: known, not fenced, classic, at its generation. */
  private classicMember(group: ConsumerGroup, memberId: string, instanceId: string | null, generationId: number): ConsumerGroupMember {
    let member: ConsumerGroupMember | undefined;
    if (instanceId === null) member = group.members.get(memberId);
    else {
      member = group.staticMember(instanceId);
      if (member && member.memberId !== memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${member.memberId}.`);
    }
    if (!member) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
    if (member!.classicMemberMetadata === null) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} does not use the classic protocol.`);
    if (member!.memberEpoch !== generationId) {
      fail(ErrorCode.ILLEGAL_GENERATION, `The request generation id ${generationId} is not equal to the member epoch ${member!.memberEpoch} of member ${memberId}.`);
    }
    return member!;
  }

  /** A SyncGroup after the group moved on must rejoin first (unless it is mid-revocation, rejoined already). */
  private throwIfRebalanceInProgress(group: ConsumerGroup, member: ConsumerGroupMember): void {
    if (group.groupEpoch > member.memberEpoch && member.state !== MemberState.UNREVOKED_PARTITIONS) {
      this.scheduleClassicTimer(group.groupId, member.memberId, 'join', member.rebalanceTimeoutMs, true);
      fail(ErrorCode.REBALANCE_IN_PROGRESS, `A new rebalance is triggered in group ${group.groupId} and member ${member.memberId} should rejoin to catch up.`);
    }
  }

  /** Whether a partition of the member's target is still held by another member. */
  private waitingOnUnreleasedPartition(group: ConsumerGroup, member: ConsumerGroupMember): boolean {
    for (const [topicId, parts] of group.target(member.memberId)) {
      for (const p of parts) {
        if (!member.assignedPartitions.get(topicId)?.has(p) && group.partitionEpoch(topicId, p) !== -1) return true;
      }
    }
    return false;
  }

  private scheduleClassicTimer(groupId: string, memberId: string, phase: 'join' | 'sync', timeoutMs: number, ifAbsent = false): void {
    const key = `${this.timerKey(groupId, memberId)}\u0000${phase}`;
    if (ifAbsent && this.classicTimers.has(key)) return;
    this.classicTimers.get(key)?.cancel();
    this.classicTimers.set(key, this.clock.schedule(timeoutMs, () => {
      this.classicTimers.delete(key);
      this.fenceLater(groupId, memberId, (m) => m !== undefined, phase === 'join'
        ? `the classic member failed to rejoin within its rebalance timeout (${timeoutMs} ms)`
        : `the classic member failed to sync within its rebalance timeout (${timeoutMs} ms)`);
    }));
  }

  private cancelClassicTimer(groupId: string, memberId: string, phase: 'join' | 'sync'): void {
    const key = `${this.timerKey(groupId, memberId)}\u0000${phase}`;
    this.classicTimers.get(key)?.cancel();
    this.classicTimers.delete(key);
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
    if (this.shouldDowngrade(group, member)) {
      this.logger.info({ group: group.groupId, member: member.memberId, reason }, 'the last consumer-protocol member left');
      this.downgrade(group, member.memberId, batch);
      return;
    }
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

  /** A member silent for its session timeout (the group's, or the one a classic member joined with) is removed. */
  private scheduleSessionTimeout(groupId: string, memberId: string): void {
    const key = this.timerKey(groupId, memberId);
    const classic = this.groups.get(groupId)?.members.get(memberId)?.classicMemberMetadata;
    const timeoutMs = classic ? classic.sessionTimeoutMs : this.config.sessionTimeoutMs;
    this.sessionTimers.get(key)?.cancel();
    this.sessionTimers.set(key, this.clock.schedule(timeoutMs, () => {
      this.sessionTimers.delete(key);
      this.fenceLater(groupId, memberId, (m) => m !== undefined, `session timed out after ${timeoutMs} ms`);
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
    for (const phase of ['join', 'sync'] as const) this.cancelClassicTimer(groupId, memberId, phase);
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
    const records = [...prelude, ...batch.records.map(encodeConsumerGroupRecord), ...batch.then];
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
    if ('apiVersion' in via && via.apiVersion < 9 && m.classicMemberMetadata === null) return ErrorCode.UNSUPPORTED_VERSION;
    return this.checkOffsetEpoch(m, memberEpoch);
  }

  /** A classic member commits with its generation (= its member epoch): a wrong one is ILLEGAL_GENERATION. */
  private checkOffsetEpoch(m: ConsumerGroupMember, received: number): number {
    if (received === m.memberEpoch) return ErrorCode.NONE;
    return m.classicMemberMetadata !== null ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** OffsetFetch v9+: without a member id anyone may read; a member must give its current epoch. */
  validateOffsetFetch(groupId: string, memberId: string | null, memberEpoch: number): number {
    const g = this.groups.get(groupId);
    if (!g || (memberId === null && memberEpoch < 0)) return ErrorCode.NONE;
    const m = memberId === null ? undefined : g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    return this.checkOffsetEpoch(m, memberEpoch);
  }

  describe(groupId: string): ConsumerGroupDescription {
    const g = this.groups.get(groupId);
    if (!g) {
      const notFound = this.hooks.classicGroup(groupId) === undefined ? `Group ${groupId} not found.` : `Group ${groupId} is not a consumer group.`;
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
