/**
 * The group coordinator: every classic group and every committed offset this broker owns (all of
 * them, on one node), made durable through an `OffsetStore` (Kafka's GroupCoordinator with its
 * GroupMetadataManager and OffsetMetadataManager).
 *
 * Handlers call it with plain values and get Kafka error codes back; the rebalance protocol itself
 * lives in group.ts.
 *
 * Durability: a change is written to the store first and applied to the in-memory state when the
 * write completes, in log order — so the in-memory state is always exactly what a replay would
 * rebuild, and a client hears "committed" only for what is on disk. Snapshots (see offset-store.ts)
 * are taken when no write is in flight, from that same state.
 *
 * Transactions: TxnOffsetCommit offsets are written at once (a transactional batch in the group's
 * partition) but held as pending (pending-offsets.ts) until the transaction's marker lands in that
 * partition: a COMMIT makes them the group's offsets, an ABORT drops them. Markers go through the
 * same ordered write path as every other record of the partition, so they apply in log order; no
 * snapshot of a partition is taken while offsets of its groups are pending, so replay always sees
 * their records before their marker.
 *
 * Loading: until the store is replayed, group requests get 14 COORDINATOR_LOAD_IN_PROGRESS and
 * FindCoordinator gets 15 COORDINATOR_NOT_AVAILABLE — what Kafka sends in each case (KafkaJS
 * retries FindCoordinator only on 15, and the group APIs on 14).
 */
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import type { Clock, ScheduledTask } from '../clock.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { LogManager } from '../log/log-manager.js';
import type { InternalTopicRegistry } from '../topics/internal-logs.js';
import { coordinatorPartitionFor } from '../util/java-hash.js';
import type { GroupObserver } from '../observe/observer.js';
import { ClassicGroup, type GroupState, type JoinParams, type JoinResult, type LeaveMember, type SyncParams, type SyncResult } from './group.js';
import { LogOffsetStore, OFFSETS_TOPIC, type OffsetStore } from './offset-store.js';
import { PendingTransactionalOffsets } from './pending-offsets.js';
import { assignorsFromConfig } from './consumer/assignors.js';
import {
  ConsumerGroups, type ConsumerGroupDescription, type ConsumerGroupsConfig, type HeartbeatRequest, type HeartbeatResponse, type TopicCatalog,
} from './consumer/consumer-groups.js';
import { consumerGroupAsClassic } from './consumer/classic-view.js';
import { embeddedVersion, encodeEmbeddedAssignment } from './consumer/embedded-protocol.js';
import { CONSUMER_PROTOCOL_TYPE, type DowngradedGroup } from './consumer/migration.js';
import type { ConsumerGroupState } from './consumer/consumer-group.js';
import { decodeConsumerGroupRecord, isConsumerGroupKeyVersion } from './consumer/records.js';
import type { TxnTag } from '../coordinator/coordinator-log.js';
import type { TxnMarker } from '../codec/control-record.js';
import {
  decodeRecord,
  groupMetadataKey,
  groupMetadataRecord,
  offsetCommitKey,
  offsetCommitRecord,
  type CoordinatorRecord,
  type GroupMetadataValueData,
} from './records.js';

export interface GroupCoordinatorConfig {
  /** group.initial.rebalance.delay.ms */
  readonly initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms / group.max.session.timeout.ms */
  readonly groupMinSessionTimeoutMs: number;
  readonly groupMaxSessionTimeoutMs: number;
  /** group.max.size */
  readonly groupMaxSize: number;
  /** offsets.retention.minutes, in ms: how long offsets of an empty group are kept. */
  readonly offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  readonly offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes (Kafka default 4096) */
  readonly offsetMetadataMaxBytes: number;
}

/** The coordinator's settings under Kafka's names, read from the broker config. */
export function groupCoordinatorConfig(config: BrokerConfig): GroupCoordinatorConfig {
  return {
    initialRebalanceDelayMs: config.get('group.initial.rebalance.delay.ms'),
    groupMinSessionTimeoutMs: config.get('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: config.get('group.max.session.timeout.ms'),
    groupMaxSize: config.get('group.max.size'),
    offsetsRetentionMs: config.get('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: config.get('offsets.retention.check.interval.ms'),
    offsetMetadataMaxBytes: config.get('offset.metadata.max.bytes'),
  };
}

/** Kafka's defaults, for coordinators built without a broker config (tests). */
export const DEFAULT_CONSUMER_GROUPS_CONFIG: ConsumerGroupsConfig = {
  enabled: true, sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000, maxSize: 2_147_483_647,
  assignors: assignorsFromConfig(['uniform', 'range']), migrationPolicy: 'bidirectional', classicMaxSize: 2_147_483_647,
};

const NO_TOPICS: TopicCatalog = { get: () => undefined, getById: () => undefined, list: () => [] };

export interface OffsetAndMetadata {
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: number;
  /** Set only by OffsetCommit v2-4 with an explicit retention time; -1 otherwise. */
  readonly expireTimestamp: number;
}

export interface OffsetCommitEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  /** OffsetCommit v1's commit_timestamp; absent or -1: the time of the commit. */
  readonly commitTimestamp?: number;
}

export interface OffsetCommitRequest {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly generationId: number;
  /** OffsetCommit v2-4 retention_time_ms; -1 = the broker's offsets.retention.minutes. */
  readonly retentionTimeMs: number;
  /** v9+ answers an unknown group with 69 GROUP_ID_NOT_FOUND rather than 22 ILLEGAL_GENERATION. */
  readonly apiVersion: number;
  readonly entries: readonly OffsetCommitEntry[];
}

/** TxnOffsetCommit: offsets committed inside a producer's transaction. */
export interface TxnOffsetCommitRequest {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** v3+; -1, '' and null from older clients (and KafkaJS), which skip the member checks. */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly generationId: number;
  readonly entries: readonly OffsetCommitEntry[];
}

export interface FetchedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

export interface GroupDescription {
  readonly errorCode: number;
  readonly groupId: string;
  readonly state: GroupState | ConsumerGroupState;
  readonly protocolType: string;
  readonly protocolData: string;
  readonly members: readonly {
    memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string;
    memberMetadata: Buffer; memberAssignment: Buffer;
  }[];
}

export interface GroupListing {
  readonly groupId: string;
  readonly protocolType: string;
  /** A classic group's state, or a consumer group's (Empty, Assigning, Reconciling, Stable). */
  readonly state: string;
  /** "classic" (JoinGroup/SyncGroup) or "consumer" (KIP-848 ConsumerGroupHeartbeat). */
  readonly type: string;
}

export interface GroupCoordinatorOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: GroupCoordinatorConfig;
  readonly store: OffsetStore;
  /** KIP-848 settings; Kafka's defaults when absent. */
  readonly consumer?: ConsumerGroupsConfig;
  /** The topics consumer groups subscribe to (the topic registry); none when absent. */
  readonly topics?: TopicCatalog;
  /** Told about every group state transition (the inspector's rebalance timeline). */
  readonly observer?: GroupObserver;
}

/** Snapshot once at least this many records were written since the last one, and more than are live. */
const SNAPSHOT_MIN_RECORDS = 1000;
const EMPTY = Buffer.alloc(0);

type Offsets = Map<string, Map<number, OffsetAndMetadata>>;

export class GroupCoordinator {
  private state: 'loading' | 'active' | 'closed' = 'loading';
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly offsets = new Map<string, Offsets>();
  /** The last group metadata record written per group (for snapshots; absent = none stored). */
  private readonly groupRecords = new Map<string, CoordinatorRecord>();
  /**
   * Offsets of transactions still open (TxnOffsetCommit written, no marker yet): what makes an
   * offset "unstable" for OffsetFetch's require_stable.
   */
  readonly transactionalOffsets = new PendingTransactionalOffsets<OffsetAndMetadata>();
  /** Each group's latest write still in flight; writes to one log complete in order. */
  private readonly lastWrite = new Map<string, Promise<void>>();
  /**
   * Per partition of the store: writes in flight, records since its last snapshot, a snapshot under
   * way, and whether it holds the only copy of other partitions' groups (then it is never snapshotted).
   */
  private readonly partitions: { inflight: number; recordsSinceSnapshot: number; snapshotting: boolean; holdsOthers: boolean }[];
  private expirationTask?: ScheduledTask;
  /** KIP-848 consumer groups, beside the classic ones; a group id is one or the other. */
  readonly consumer: ConsumerGroups;
  private readonly clock: Clock;
  private readonly logger: Logger;
  readonly config: GroupCoordinatorConfig;
  private readonly store: OffsetStore;
  private readonly observer: GroupObserver | undefined;

  constructor(opts: GroupCoordinatorOptions) {
    this.clock = opts.clock;
    this.logger = opts.logger.child({ component: 'group-coordinator' });
    this.config = opts.config;
    this.store = opts.store;
    this.partitions = Array.from({ length: opts.store.partitionCount }, () => ({
      inflight: 0, recordsSinceSnapshot: 0, snapshotting: false, holdsOthers: false,
    }));
    this.consumer = new ConsumerGroups(opts.consumer ?? DEFAULT_CONSUMER_GROUPS_CONFIG, opts.topics ?? NO_TOPICS, this.clock, this.logger, {
      append: (groupId, records) => this.write(groupId, records, () => {}),
      classicGroup: (groupId) => {
        const g = this.groups.get(groupId);
        if (!g || g.is('Dead')) return undefined;
        return {
          groupId, generationId: g.generationId, protocolType: g.protocolType, protocolName: g.protocolName,
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
            rebalanceTimeoutMs: m.rebalanceTimeoutMs, sessionTimeoutMs: m.sessionTimeoutMs, protocols: m.protocols, assignment: m.assignment,
          })),
        };
      },
      takeClassicGroup: (groupId) => {
        const g = this.groups.get(groupId)!;
        // Members waiting in JoinGroup or SyncGroup rejoin, and find the consumer group.
        g.abandon(ErrorCode.REBALANCE_IN_PROGRESS);
        g.markDead('converted to a consumer group');
        this.groups.delete(groupId);
        const stored = this.groupRecords.delete(groupId);
        return stored ? [{ key: groupMetadataKey(groupId), value: null }] : [];
      },
      installClassicGroup: (downgraded) => this.installDowngradedGroup(downgraded),
    });
    this.observer = opts.observer;
  }

  /**
   * The broker's coordinator: its records in the partitions of `__consumer_offsets` (an internal
   * topic in `registry`, created on first use with offsets.topic.num.partitions partitions), the
   * broker's clock, settings from the broker config. Resolves once the logs have been replayed.
   */
  static async open(opts: {
    config: BrokerConfig;
    logs: LogManager;
    registry: InternalTopicRegistry & TopicCatalog;
    clock: Clock;
    logger: Logger;
    observer?: GroupObserver;
    /** The KIP-848 settings (consumer/config.ts), checked before the broker opened anything. */
    consumer: ConsumerGroupsConfig;
  }): Promise<GroupCoordinator> {
    const coordinator = new GroupCoordinator({
      clock: opts.clock,
      logger: opts.logger,
      config: groupCoordinatorConfig(opts.config),
      consumer: opts.consumer,
      topics: opts.registry,
      store: await LogOffsetStore.open(opts),
      observer: opts.observer,
    });
    await coordinator.startup();
    return coordinator;
  }

  get loading(): boolean {
    return this.state === 'loading';
  }

  /** Replays the store, rebuilding groups and offsets, then starts answering. */
  async startup(): Promise<void> {
    const started = this.clock.now();
    const groupValues = new Map<string, GroupMetadataValueData>();
    /** Groups with records outside their own partition (only a pre-partitioning data dir has them, in 0). */
    const misplaced = new Set<string>();
    const holding = new Set<number>();
    let records = 0;
    await this.store.replay({
      record: (r, partition, producerId) => {
        records++;
        this.partitions[partition]!.recordsSinceSnapshot++;
        if (isConsumerGroupKeyVersion(r.key.readInt16BE(0))) {
          this.consumer.replay(decodeConsumerGroupRecord(r));
          return;
        }
        const d = decodeRecord(r);
        if (this.partitionFor(d.group) !== partition) {
          misplaced.add(d.group);
          holding.add(partition);
        }
        if (d.type === 'offset') {
          const o = d.value && {
            offset: d.value.offset,
            leaderEpoch: d.value.leaderEpoch,
            metadata: d.value.metadata,
            commitTimestamp: Number(d.value.commitTimestamp),
            expireTimestamp: Number(d.value.expireTimestamp),
          };
          if (producerId !== undefined) {
            if (o) this.transactionalOffsets.add(producerId, d.group, d.topic, d.partition, o);
          } else if (o === null) this.removeOffset(d.group, d.topic, d.partition);
          else this.putOffset(d.group, d.topic, d.partition, o);
        } else if (d.value === null) {
          groupValues.delete(d.group);
          this.groupRecords.delete(d.group);
        } else {
          groupValues.set(d.group, d.value);
          this.groupRecords.set(d.group, r);
        }
      },
      marker: (partition, producerId, commit) => this.completeTxnOffsets(partition, producerId, commit),
    });
    for (const [groupId, v] of groupValues) {
      const group = this.newGroup(groupId);
      group.restore({
        protocolType: v.protocolType,
        generationId: v.generation,
        protocolName: v.protocol,
        leaderId: v.leader,
        stateTimestamp: Number(v.currentStateTimestamp),
        members: v.members.map((m) => ({
          memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeout, sessionTimeoutMs: m.sessionTimeout,
          subscription: m.subscription, assignment: m.assignment,
        })),
      });
    }
    // Groups known only by their offsets (simple consumers, admin commits) come back Empty.
    for (const groupId of this.offsets.keys()) if (!this.groups.has(groupId) && !this.consumer.has(groupId)) this.newGroup(groupId);
    this.consumer.onLoaded();
    await this.moveToHomePartitions(misplaced, holding);
    this.state = 'active';
    this.scheduleExpiration();
    this.logger.info({ groups: this.groups.size, records, ms: this.clock.now() - started }, 'group coordinator loaded');
  }

  /**
   * A data directory from before `__consumer_offsets` had several partitions keeps every group in
   * partition 0. Each such group's live records are written to the partition its id hashes to, and
   * only then is partition 0 snapshotted, dropping the old copies — so a crash at any point leaves
   * every record in at least one place, and replay (partition 0 first) sees the newest copy last.
   */
  private async moveToHomePartitions(groups: ReadonlySet<string>, from: ReadonlySet<number>): Promise<void> {
    if (groups.size === 0) return;
    const moved = [...groups].filter((g) => this.groups.has(g));
    try {
      for (const g of moved) {
        const records = this.groupLiveRecords(g);
        await this.store.append(this.partitionFor(g), records);
        this.partitions[this.partitionFor(g)]!.recordsSinceSnapshot += records.length;
      }
      for (const p of from) {
        // Records of open transactions are not in `live`: such a partition keeps everything for now.
        if ([...this.transactionalOffsets.groups()].some((g) => groups.has(g) || this.partitionFor(g) === p)) {
          this.partitions[p]!.holdsOthers = true;
          continue;
        }
        const live = this.liveRecords(p);
        await this.store.snapshot(p, live);
        this.partitions[p]!.recordsSinceSnapshot = live.length;
      }
    } catch (err) {
      // Nothing is lost: the state is in memory and every record still on disk, where it stays (no
      // snapshot may drop it) until the next start tries again.
      for (const p of from) this.partitions[p]!.holdsOthers = true;
      this.logger.warn({ err }, `moving groups to their ${OFFSETS_TOPIC} partitions failed; will retry at the next start`);
      return;
    }
    this.logger.info({ groups: moved.length, partitions: this.store.partitionCount }, `moved groups to their ${OFFSETS_TOPIC} partitions`);
  }

  /** The partition of the store a group's records go to: Kafka's abs(hashCode(groupId)) % partitions. */
  partitionFor(groupId: string): number {
    return coordinatorPartitionFor(groupId, this.store.partitionCount);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.expirationTask?.cancel();
    for (const g of this.groups.values()) g.shutdown();
    this.consumer.shutdown();
    await this.store.close();
  }

  private newGroup(groupId: string): ClassicGroup {
    const group = new ClassicGroup(
      groupId,
      this.clock,
      { initialRebalanceDelayMs: this.config.initialRebalanceDelayMs, maxSize: this.config.groupMaxSize },
      {
        persist: (g) => this.persistGroup(g),
        onTransition: (g, from, to, reason) => {
          this.logger.info({ group: g.groupId, generation: g.generationId, from, to, reason }, 'group state changed');
          this.observer?.transition(g.groupId, g.generationId, from, to, reason, this.clock.now());
        },
      },
    );
    this.groups.set(groupId, group);
    return group;
  }

  /** For handlers that only read (and for tests). */
  group(groupId: string): ClassicGroup | undefined {
    return this.groups.get(groupId);
  }

  // ------------------------------------------------------------------------------------------
  // Writing through the store

  /**
   * Appends a group's records to its partition; `apply` runs when they are written, in log order,
   * before the caller hears back. A failed write leaves the state untouched and rejects.
   */
  private write(groupId: string, records: CoordinatorRecord[], apply: () => void, txn?: TxnTag): Promise<void> {
    if (records.length === 0) {
      apply();
      return Promise.resolve();
    }
    const partition = this.partitionFor(groupId);
    const done = this.applyWhenWritten(partition, this.store.append(partition, records, txn), records.length, apply, { group: groupId });
    this.lastWrite.set(groupId, done);
    const forget = () => {
      if (this.lastWrite.get(groupId) === done) this.lastWrite.delete(groupId);
    };
    done.then(forget, forget);
    return done;
  }

  /**
   * Applies a write to `partition` once it is written. Every write of a partition goes through
   * here, with the same promise depth, so effects apply in log order (a marker after the records it
   * resolves). A failed write leaves the state untouched and rejects.
   */
  private applyWhenWritten(partition: number, written: Promise<void>, records: number, apply: () => void, what: object): Promise<void> {
    const state = this.partitions[partition]!;
    state.inflight++;
    return written.then(
      () => {
        state.inflight--;
        state.recordsSinceSnapshot += records;
        apply();
        this.maybeSnapshot(partition);
      },
      (err: unknown) => {
        state.inflight--;
        this.logger.error({ err, partition, ...what }, 'group coordinator write failed');
        throw err;
      },
    );
  }

  /** A group's records as a snapshot keeps them: its metadata (if stored) and its offsets. */
  private groupLiveRecords(groupId: string): CoordinatorRecord[] {
    const out: CoordinatorRecord[] = [];
    const group = this.groupRecords.get(groupId);
    if (group) out.push(group);
    out.push(...this.consumer.liveRecords(groupId));
    for (const [topic, partitions] of this.offsets.get(groupId) ?? []) {
      for (const [partition, o] of partitions) out.push(this.offsetRecord(groupId, topic, partition, o));
    }
    return out;
  }

  private hasPendingTxnOffsetsIn(partition: number): boolean {
    for (const g of this.transactionalOffsets.groups()) if (this.partitionFor(g) === partition) return true;
    return false;
  }

  /** The live records of the groups that live in `partition`. */
  private liveRecords(partition: number): CoordinatorRecord[] {
    const ids = new Set([...this.groupRecords.keys(), ...this.offsets.keys(), ...[...this.consumer.all()].map((g) => g.groupId)]);
    return [...ids].filter((g) => this.partitionFor(g) === partition).flatMap((g) => this.groupLiveRecords(g));
  }

  private maybeSnapshot(partition: number): void {
    const state = this.partitions[partition]!;
    if (state.inflight > 0 || state.snapshotting || state.holdsOthers || this.state !== 'active') return;
    if (state.recordsSinceSnapshot < SNAPSHOT_MIN_RECORDS) return;
    // Pending transactional offsets are not in `live`: a snapshot would drop their records.
    if (this.hasPendingTxnOffsetsIn(partition)) return;
    const live = this.liveRecords(partition);
    if (state.recordsSinceSnapshot <= live.length) return;
    // No write is in flight to this partition, so `live` is exactly its state; the snapshot goes after it.
    state.snapshotting = true;
    state.inflight++;
    const before = state.recordsSinceSnapshot;
    this.store.snapshot(partition, live).then(
      () => {
        this.logger.info({ partition, records: before, live: live.length }, 'group coordinator log snapshotted');
        state.recordsSinceSnapshot = live.length + (state.recordsSinceSnapshot - before);
      },
      (err: unknown) => this.logger.error({ err, partition }, 'group coordinator snapshot failed'),
    ).finally(() => {
      state.inflight--;
      state.snapshotting = false;
    });
  }

  private offsetRecord(groupId: string, topic: string, partition: number, o: OffsetAndMetadata): CoordinatorRecord {
    return offsetCommitRecord(groupId, topic, partition, {
      offset: o.offset,
      leaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      commitTimestamp: BigInt(o.commitTimestamp),
      expireTimestamp: BigInt(o.expireTimestamp),
    });
  }

  private persistGroup(g: ClassicGroup): Promise<void> {
    const record = this.groupRecordOf(g);
    return this.write(g.groupId, [record], () => this.groupRecords.set(g.groupId, record));
  }

  /** The GroupMetadata record that stores a classic group as it stands. */
  private groupRecordOf(g: ClassicGroup): CoordinatorRecord {
    const protocol = g.protocolName;
    return groupMetadataRecord(g.groupId, {
      protocolType: g.protocolType ?? '',
      generation: g.generationId,
      protocol,
      leader: g.leaderId,
      currentStateTimestamp: BigInt(g.stateTimestamp),
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? EMPTY : m.metadataFor(protocol),
        assignment: m.assignment,
      })),
    });
  }

  /**
   * A consumer group downgraded to classic (consumer/migration.ts): Stable at generation = its
   * group epoch, each member holding its target assignment in its own protocol version; then, when
   * a member left, rebalancing so that the members elect a leader and assign among themselves.
   * Returns the record that stores it, written right after the consumer group's tombstones.
   */
  private installDowngradedGroup(d: DowngradedGroup): CoordinatorRecord[] {
    const g = this.newGroup(d.groupId);
    g.restore({
      protocolType: CONSUMER_PROTOCOL_TYPE, generationId: d.generationId, protocolName: null, stateTimestamp: this.clock.now(),
      // As a classic group names its first member leader; the rebalance keeps it if it rejoins.
      leaderId: d.members[0]?.memberId ?? null,
      members: d.members.map((m) => ({ ...m, subscription: EMPTY, assignment: EMPTY })),
    });
    g.protocolName = g.selectProtocol();
    for (const m of d.members) {
      g.members.get(m.memberId)!.assignment = encodeEmbeddedAssignment(m.assignment, embeddedVersion(g.members.get(m.memberId)!.metadataFor(g.protocolName)));
    }
    const record = this.groupRecordOf(g);
    this.groupRecords.set(g.groupId, record);
    if (d.rebalance) g.rebalance('downgraded from a consumer group to a classic group');
    return [record];
  }

  private putOffset(groupId: string, topic: string, partition: number, o: OffsetAndMetadata): void {
    let topics = this.offsets.get(groupId);
    if (!topics) this.offsets.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, o);
  }

  private removeOffset(groupId: string, topic: string, partition: number): void {
    const topics = this.offsets.get(groupId);
    const partitions = topics?.get(topic);
    if (!partitions) return;
    partitions.delete(partition);
    if (partitions.size === 0) topics!.delete(topic);
    if (topics!.size === 0) this.offsets.delete(groupId);
  }

  // ------------------------------------------------------------------------------------------
  // FindCoordinator

  /** Error code for FindCoordinator: this broker coordinates every group and transactional id. */
  findCoordinatorError(): number {
    return this.state === 'active' ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  /**
   * Gets the coordinator ready to serve a group FindCoordinator names: `__consumer_offsets` is
   * created on first use, as in Kafka (which answers 15 while it creates the topic in the
   * background; Tafka creates it there and then, so the client need not retry).
   */
  prepare(): Promise<void> {
    return this.store.prepare();
  }

  /** Common checks of the group APIs: 14 while loading, 15 after close, 24 for an empty group id. */
  private groupStatus(groupId: string | null): number {
    if (this.state === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (this.state === 'closed') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupId === null || groupId === '') return ErrorCode.INVALID_GROUP_ID;
    return ErrorCode.NONE;
  }

  // ------------------------------------------------------------------------------------------
  // JoinGroup, SyncGroup, Heartbeat, LeaveGroup

  async joinGroup(groupId: string, p: JoinParams): Promise<JoinResult> {
    const error = (errorCode: number): JoinResult => ({
      errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: p.memberId, members: [],
      skipAssignment: false,
    });
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return error(status);
    if (p.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || p.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return error(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    if (this.consumer.has(groupId)) {
      // A live consumer group takes classic members (consumer-groups.ts); an Empty one becomes
      // a classic group (its offsets stay).
      if (this.consumer.group(groupId)!.members.size > 0) return this.consumer.classicJoin(groupId, p);
      const deleted = this.consumer.deleteGroup(groupId);
      try {
        await this.write(groupId, deleted.records, () => {});
      } catch {
        return error(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    }
    let group = this.groups.get(groupId);
    const created = !group;
    if (!group) {
      // Only a member without an id may create a group; a known id means the group is gone.
      if (p.memberId !== '') return error(ErrorCode.UNKNOWN_MEMBER_ID);
      group = this.newGroup(groupId);
    }
    const result = await group.join(p);
    // A group created by a join that was refused is not kept (Kafka drops it too).
    const refused = result.errorCode !== ErrorCode.NONE && result.errorCode !== ErrorCode.MEMBER_ID_REQUIRED;
    if (created && refused && group.is('Empty') && group.members.size === 0) this.groups.delete(groupId);
    return result;
  }

  async syncGroup(groupId: string, p: SyncParams): Promise<SyncResult> {
    const error = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: EMPTY });
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return error(status);
    if (this.consumer.has(groupId)) return this.consumer.classicSync(groupId, p);
    const group = this.groups.get(groupId);
    if (!group) return error(ErrorCode.UNKNOWN_MEMBER_ID);
    return group.sync(p);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return status;
    if (this.consumer.has(groupId)) return this.consumer.classicHeartbeat(groupId, memberId, groupInstanceId, generationId);
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    return group.heartbeat(memberId, groupInstanceId, generationId);
  }

  /** Returns the top-level error and one error per leaving member. */
  async leaveGroup(groupId: string, members: readonly LeaveMember[]): Promise<{ errorCode: number; memberErrors: number[] }> {
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return { errorCode: status, memberErrors: members.map(() => status) };
    if (this.consumer.has(groupId)) return { errorCode: ErrorCode.NONE, memberErrors: await this.consumer.classicLeave(groupId, members) };
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, memberErrors: members.map(() => ErrorCode.UNKNOWN_MEMBER_ID) };
    return { errorCode: ErrorCode.NONE, memberErrors: group.leave(members) };
  }

  // ------------------------------------------------------------------------------------------
  // Offsets

  /**
   * The group an offset commit goes to, or the error for all its entries. An unknown group is
   * created (Empty) to hold the offsets for generation -1 (a consumer that manages its own
   * partitions, or an admin client); otherwise the committer's group is gone: `gone`.
   */
  private commitTarget(groupId: string, generationId: number, gone: number): ClassicGroup | number {
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return status;
    const group = this.groups.get(groupId);
    if (group) return group;
    return generationId >= 0 ? gone : this.newGroup(groupId);
  }

  /** Commits offsets; resolves with one error code per entry once the commit is durable. */
  async commitOffsets(groupId: string, req: OffsetCommitRequest): Promise<number[]> {
    const all = (code: number) => req.entries.map(() => code);
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return all(status);
    if (this.consumer.has(groupId)) {
      const validation = this.consumer.validateOffsetCommit(groupId, req.memberId, req.generationId, { apiVersion: req.apiVersion });
      if (validation !== ErrorCode.NONE) return all(validation);
    } else {
      const group = this.commitTarget(groupId, req.generationId, req.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      if (typeof group === 'number') return all(group);
      const validation = group.validateOffsetCommit(req.memberId, req.groupInstanceId, req.generationId);
      if (validation !== ErrorCode.NONE) return all(validation);
      group.touchMember(req.memberId);
    }

    const now = this.clock.now();
    const expireTimestamp = req.retentionTimeMs >= 0 ? now + req.retentionTimeMs : -1;
    const { codes, records, accepted } = this.offsetRecords(groupId, req.entries, expireTimestamp);
    try {
      await this.write(groupId, records, () => {
        for (const [e, o] of accepted) this.putOffset(groupId, e.topic, e.partition, o);
      });
    } catch {
      return codes.map((c) => (c === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : c));
    }
    return codes;
  }

  /** The records of an offset commit, one error code per entry (12 for metadata over offset.metadata.max.bytes). */
  private offsetRecords(groupId: string, entries: readonly OffsetCommitEntry[], expireTimestamp: number) {
    const now = this.clock.now();
    const codes: number[] = [];
    const records: CoordinatorRecord[] = [];
    const accepted: [OffsetCommitEntry, OffsetAndMetadata][] = [];
    for (const e of entries) {
      const metadata = e.metadata ?? '';
      if (Buffer.byteLength(metadata) > this.config.offsetMetadataMaxBytes) {
        codes.push(ErrorCode.OFFSET_METADATA_TOO_LARGE);
        continue;
      }
      codes.push(ErrorCode.NONE);
      const commitTimestamp = e.commitTimestamp === undefined || e.commitTimestamp === -1 ? now : e.commitTimestamp;
      const o: OffsetAndMetadata = { offset: e.offset, leaderEpoch: e.leaderEpoch, metadata, commitTimestamp, expireTimestamp };
      accepted.push([e, o]);
      records.push(this.offsetRecord(groupId, e.topic, e.partition, o));
    }
    return { codes, records, accepted };
  }

  /** Kafka's validateTransactionalOffsetCommit for a classic group (created Empty for generation -1). */
  private validateTxnCommitToClassicGroup(groupId: string, req: TxnOffsetCommitRequest): number {
    const group = this.commitTarget(groupId, req.generationId, ErrorCode.ILLEGAL_GENERATION);
    if (typeof group === 'number') return group;
    const anonymous = req.generationId < 0 && req.memberId === '' && req.groupInstanceId === null;
    if (!anonymous) return group.validateOffsetCommit(req.memberId, req.groupInstanceId, req.generationId);
    return group.is('Dead') ? ErrorCode.COORDINATOR_NOT_AVAILABLE : group.is('CompletingRebalance') ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /**
   * The same for a KIP-848 group: `generationId` is the member epoch; a stale one is 22
   * ILLEGAL_GENERATION, as Kafka answers a transactional commit (never 113).
   */
  private validateTxnCommitToConsumerGroup(groupId: string, req: TxnOffsetCommitRequest): number {
    const validation = this.consumer.validateOffsetCommit(groupId, req.memberId, req.generationId, { transactional: true });
    return validation === ErrorCode.STALE_MEMBER_EPOCH ? ErrorCode.ILLEGAL_GENERATION : validation;
  }

  /**
   * TxnOffsetCommit: writes the offsets in a transactional batch of the producer to the group's
   * partition and holds them as pending until the transaction's marker (`writeTxnMarker`). Member
   * checks as Kafka's ClassicGroup.validateOffsetCommit for a transactional commit: skipped when the
   * request names no member and no generation (TxnOffsetCommit v0-2, KafkaJS).
   */
  async commitTxnOffsets(groupId: string, req: TxnOffsetCommitRequest): Promise<number[]> {
    const all = (code: number) => req.entries.map(() => code);
    const validation = this.consumer.has(groupId) && this.groupStatus(groupId) === ErrorCode.NONE
      ? this.validateTxnCommitToConsumerGroup(groupId, req)
      : this.validateTxnCommitToClassicGroup(groupId, req);
    if (validation !== ErrorCode.NONE) return all(validation);
    const { codes, records, accepted } = this.offsetRecords(groupId, req.entries, -1);
    const { producerId, producerEpoch } = req;
    try {
      await this.write(groupId, records, () => {
        for (const [e, o] of accepted) this.transactionalOffsets.add(producerId, groupId, e.topic, e.partition, o);
      }, { producerId, producerEpoch });
    } catch (err) {
      // The log refused the producer's epoch: a newer instance of it has fenced this one.
      const fenced = (err as { errorCode?: number }).errorCode === ErrorCode.INVALID_PRODUCER_EPOCH;
      const refused = fenced ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.COORDINATOR_NOT_AVAILABLE;
      return codes.map((c) => (c === ErrorCode.NONE ? refused : c));
    }
    return codes;
  }

  /**
   * WriteTxnMarkers into a `__consumer_offsets` partition (the transaction coordinator's marker path
   * for the partitions AddOffsetsToTxn added): once the marker is written, its producer's pending
   * offsets of the groups in that partition are applied or dropped. Resolves with a Kafka error
   * code, 0 when written.
   */
  async writeTxnMarker(partition: number, marker: TxnMarker): Promise<number> {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.store.partitionCount) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (this.state !== 'active') return ErrorCode.NOT_COORDINATOR;
    const written = this.store.appendMarker(partition, marker);
    const apply = () => this.completeTxnOffsets(partition, marker.producerId, marker.commit);
    try {
      await this.applyWhenWritten(partition, written, 1, apply, { producerId: marker.producerId });
    } catch (err) {
      return (err as { errorCode?: number }).errorCode ?? ErrorCode.KAFKA_STORAGE_ERROR;
    }
    return ErrorCode.NONE;
  }

  /**
   * A transaction marker for `producerId` is in `partition`: COMMIT makes its pending offsets of the
   * groups there the committed ones, ABORT drops them (Kafka's GroupCoordinator.onTransactionCompleted).
   */
  private completeTxnOffsets(partition: number, producerId: bigint, commit: boolean): void {
    const offsets = this.transactionalOffsets.complete(producerId, (g) => this.partitionFor(g) === partition);
    if (commit) for (const { groupId, topic, partition: p, value } of offsets) this.putOffset(groupId, topic, p, value);
    if (offsets.length > 0) this.logger.debug({ producerId, commit, partition, offsets: offsets.length }, 'transactional offsets completed');
  }

  /**
   * Committed offsets of a group: for the given partitions (-1 where nothing is committed), or
   * all of them when `topics` is null. An unknown group simply has no offsets. With
   * `requireStable`, a partition an open transaction holds an offset for is answered 88
   * UNSTABLE_OFFSET_COMMIT instead (callers first wait for `pendingCommitsWritten`).
   */
  fetchOffsets(
    groupId: string,
    topics: readonly { name: string; partitions: readonly number[] }[] | null,
    requireStable = false,
    member: { memberId: string | null; memberEpoch: number } = { memberId: null, memberEpoch: -1 },
  ): { errorCode: number; offsets: FetchedOffset[] } {
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return { errorCode: status, offsets: [] };
    // OffsetFetch v9+: a consumer group's member reads with its current epoch.
    const memberError = this.consumer.validateOffsetFetch(groupId, member.memberId, member.memberEpoch);
    if (memberError !== ErrorCode.NONE) return { errorCode: memberError, offsets: [] };
    const committed = this.offsets.get(groupId);
    const out: FetchedOffset[] = [];
    const none = { offset: -1n, leaderEpoch: -1, metadata: '' };
    const entry = (topic: string, partition: number): FetchedOffset => {
      if (requireStable && this.hasPendingTransactionalOffsets(groupId, topic, partition)) {
        return { topic, partition, ...none, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
      }
      const o = committed?.get(topic)?.get(partition);
      return o
        ? { topic, partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE }
        : { topic, partition, ...none, errorCode: ErrorCode.NONE };
    };
    if (topics === null) {
      for (const [topic, partitions] of committed ?? []) for (const p of partitions.keys()) out.push(entry(topic, p));
    } else {
      for (const t of topics) for (const p of t.partitions) out.push(entry(t.name, p));
    }
    return { errorCode: ErrorCode.NONE, offsets: out };
  }

  /**
   * Kafka's onPartitionsDeleted: when a topic is deleted, every group's committed offsets for it are
   * removed (tombstones), and so are offsets pending in open transactions.
   */
  async onTopicDeleted(topic: string): Promise<void> {
    this.transactionalOffsets.removeTopic(topic);
    const writes: Promise<void>[] = [];
    let tombstones = 0;
    for (const [groupId, topics] of this.offsets) {
      const doomed = [...(topics.get(topic)?.keys() ?? [])];
      if (doomed.length === 0) continue;
      tombstones += doomed.length;
      const records = doomed.map((p) => ({ key: offsetCommitKey(groupId, topic, p), value: null }));
      writes.push(this.write(groupId, records, () => {
        for (const p of doomed) this.removeOffset(groupId, topic, p);
      }));
    }
    await Promise.all(writes);
    if (tombstones > 0) this.logger.info({ topic, tombstones }, 'removed the committed offsets of a deleted topic');
  }

  /** Whether an open transaction holds an offset for this partition of the group (KIP-447). */
  hasPendingTransactionalOffsets(groupId: string, topic: string, partition: number): boolean {
    return this.transactionalOffsets.has(groupId, topic, partition);
  }

  /**
   * Resolves once every write for the group that is in flight now is written. Kafka serves
   * require_stable as a write operation, queued behind the group's pending writes, so a fetch
   * never misses a commit that is being written; this is the same wait.
   */
  async pendingCommitsWritten(groupId: string): Promise<void> {
    await this.lastWrite.get(groupId)?.catch(() => {});
  }

  /** OffsetDelete: removes a group's offsets for topics the group is not subscribed to. */
  async deleteOffsets(
    groupId: string,
    topics: readonly { name: string; partitions: readonly number[] }[],
  ): Promise<{ errorCode: number; results: { topic: string; partition: number; errorCode: number }[] }> {
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return { errorCode: status, results: [] };
    const consumerGroup = this.consumer.group(groupId);
    const group = consumerGroup
      ? { is: (s: GroupState) => s === 'Empty' && consumerGroup.state === 'Empty', protocolType: 'consumer', isSubscribedToTopic: (t: string) => consumerGroup.isSubscribedToTopic(t) }
      : this.groups.get(groupId);
    if (!group || group.is('Dead')) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, results: [] };
    // A group with members using another protocol than "consumer" cannot tell what it consumes.
    if (!group.is('Empty') && group.protocolType !== 'consumer') return { errorCode: ErrorCode.NON_EMPTY_GROUP, results: [] };
    const results: { topic: string; partition: number; errorCode: number }[] = [];
    const records: CoordinatorRecord[] = [];
    const doomed: [string, number][] = [];
    for (const t of topics) {
      const subscribed = !group.is('Empty') && group.isSubscribedToTopic(t.name);
      for (const p of t.partitions) {
        if (subscribed) {
          results.push({ topic: t.name, partition: p, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC });
          continue;
        }
        results.push({ topic: t.name, partition: p, errorCode: ErrorCode.NONE });
        if (this.offsets.get(groupId)?.get(t.name)?.has(p)) {
          records.push({ key: offsetCommitKey(groupId, t.name, p), value: null });
          doomed.push([t.name, p]);
        }
      }
    }
    await this.write(groupId, records, () => {
      for (const [topic, p] of doomed) this.removeOffset(groupId, topic, p);
    });
    return { errorCode: ErrorCode.NONE, results };
  }

  // ------------------------------------------------------------------------------------------
  // Admin: DescribeGroups, ListGroups, DeleteGroups

  describeGroup(groupId: string): GroupDescription {
    const none = (errorCode: number, state: GroupState = 'Dead'): GroupDescription => ({
      errorCode, groupId, state, protocolType: '', protocolData: '', members: [],
    });
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return none(status);
    const consumerGroup = this.consumer.group(groupId);
    if (consumerGroup) return consumerGroupAsClassic(consumerGroup, (id) => this.consumer.topicName(id));
    const g = this.groups.get(groupId);
    if (!g) return none(ErrorCode.GROUP_ID_NOT_FOUND);
    // Subscriptions and assignments are shown only when Stable, as in Kafka.
    const stable = g.is('Stable');
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(g.protocolName!) : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  /** Groups, optionally only those in the given states (case-insensitive) and of the given types. */
  listGroups(statesFilter: readonly string[], typesFilter: readonly string[]): { errorCode: number; groups: GroupListing[] } {
    if (this.state === 'loading') return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(typesFilter.map((s) => s.toLowerCase()));
    const groups: GroupListing[] = [];
    for (const g of this.groups.values()) {
      if (g.is('Dead')) continue;
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('classic')) continue;
      groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state, type: 'classic' });
    }
    for (const g of this.consumer.all()) {
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('consumer')) continue;
      groups.push({ groupId: g.groupId, protocolType: 'consumer', state: g.state, type: 'consumer' });
    }
    return { errorCode: ErrorCode.NONE, groups };
  }

  /** Deletes empty groups with their offsets; one error code per group. */
  async deleteGroups(groupIds: readonly string[]): Promise<number[]> {
    return Promise.all(groupIds.map((id) => this.deleteGroup(id)));
  }

  private async deleteGroup(groupId: string): Promise<number> {
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) return status;
    if (this.consumer.has(groupId)) return this.deleteConsumerGroup(groupId, 'deleted');
    const g = this.groups.get(groupId);
    if (!g || g.is('Dead')) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (!g.is('Empty')) return ErrorCode.NON_EMPTY_GROUP;
    try {
      await this.removeGroup(g, 'deleted');
    } catch {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return ErrorCode.NONE;
  }

  /** An Empty consumer group's tombstones, and its offsets'. */
  private async deleteConsumerGroup(groupId: string, reason: string): Promise<number> {
    const { errorCode, records } = this.consumer.deleteGroup(groupId);
    if (errorCode !== ErrorCode.NONE) return errorCode;
    for (const [topic, partitions] of this.offsets.get(groupId) ?? []) {
      for (const p of partitions.keys()) records.unshift({ key: offsetCommitKey(groupId, topic, p), value: null });
    }
    try {
      await this.write(groupId, records, () => this.offsets.delete(groupId));
    } catch {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    this.logger.info({ group: groupId, reason }, 'consumer group removed');
    return ErrorCode.NONE;
  }

  /** Tombstones for the group's offsets and metadata; the group is Dead from now on. */
  private removeGroup(g: ClassicGroup, reason: string): Promise<void> {
    const records: CoordinatorRecord[] = [];
    for (const [topic, partitions] of this.offsets.get(g.groupId) ?? []) {
      for (const p of partitions.keys()) records.push({ key: offsetCommitKey(g.groupId, topic, p), value: null });
    }
    if (this.groupRecords.has(g.groupId)) records.push({ key: groupMetadataKey(g.groupId), value: null });
    g.markDead(reason);
    this.groups.delete(g.groupId);
    return this.write(g.groupId, records, () => {
      this.offsets.delete(g.groupId);
      this.groupRecords.delete(g.groupId);
    });
  }

  // ------------------------------------------------------------------------------------------
  // KIP-848 consumer groups (src/group/consumer/)

  async consumerGroupHeartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    const status = this.groupStatus(req.groupId);
    if (status !== ErrorCode.NONE) {
      return { errorCode: status, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
    return this.consumer.heartbeat(req);
  }

  consumerGroupDescribe(groupId: string): ConsumerGroupDescription {
    const status = this.groupStatus(groupId);
    if (status !== ErrorCode.NONE) {
      return { errorCode: status, errorMessage: null, groupId, state: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
    }
    return this.consumer.describe(groupId);
  }

  /**
   * Consumer groups keep no state timestamp: an offset expires `offsets.retention.minutes` after its
   * commit once the group is Empty or no longer subscribes to its topic; an Empty consumer group
   * without offsets is deleted (Kafka's OffsetMetadataManager and cleanupGroupMetadata).
   */
  private expireConsumerGroupOffsets(now: number, retention: number, writes: Promise<unknown>[]): number {
    let expired = 0;
    for (const g of [...this.consumer.all()]) {
      const committed = this.offsets.get(g.groupId);
      const empty = g.state === 'Empty';
      const doomed: [string, number][] = [];
      for (const [topic, partitions] of committed ?? []) {
        if (!empty && g.isSubscribedToTopic(topic)) continue;
        for (const [p, o] of partitions) {
          if (o.expireTimestamp >= 0 ? now >= o.expireTimestamp : now - o.commitTimestamp >= retention) doomed.push([topic, p]);
        }
      }
      expired += doomed.length;
      if (empty && (committed === undefined || doomed.length === countOffsets(committed))) {
        writes.push(this.deleteConsumerGroup(g.groupId, 'empty consumer group without committed offsets'));
      } else if (doomed.length > 0) {
        writes.push(this.write(g.groupId, doomed.map(([t, p]) => ({ key: offsetCommitKey(g.groupId, t, p), value: null })), () => {
          for (const [topic, p] of doomed) this.removeOffset(g.groupId, topic, p);
        }));
      }
    }
    return expired;
  }

  // ------------------------------------------------------------------------------------------
  // Offset expiration (offsets.retention.minutes)

  private scheduleExpiration(): void {
    this.expirationTask = this.clock.schedule(this.config.offsetsRetentionCheckIntervalMs, () => {
      this.expireOffsets().catch((err) => this.logger.error({ err }, 'offset expiration failed'));
      if (this.state === 'active') this.scheduleExpiration();
    });
  }

  /**
   * Kafka's rules (KIP-211): offsets of an Empty consumer group expire `offsets.retention.minutes`
   * after the group became empty; offsets of a group without a protocol (simple consumers) that
   * long after their commit; in a Stable consumer group, offsets of topics no member subscribes to
   * expire after their commit. An explicit v2-4 retention time wins. A group left Empty with no
   * offsets is deleted.
   */
  async expireOffsets(): Promise<number> {
    if (this.state !== 'active') return 0;
    const now = this.clock.now();
    const retention = this.config.offsetsRetentionMs;
    const writes: Promise<void>[] = [];
    let expired = 0;
    for (const g of [...this.groups.values()]) {
      // Kafka keeps a group's offsets while a transaction of it is undecided.
      if (this.transactionalOffsets.hasGroup(g.groupId)) continue;
      const committed = this.offsets.get(g.groupId);
      let base: ((o: OffsetAndMetadata, topic: string) => number | null) | null = null;
      if (g.is('Empty')) base = g.protocolType !== null ? () => g.stateTimestamp : (o) => o.commitTimestamp;
      else if (g.is('Stable') && g.protocolType === 'consumer' && g.subscribedTopics !== null) {
        base = (o, topic) => (g.isSubscribedToTopic(topic) ? null : o.commitTimestamp);
      }
      const records: CoordinatorRecord[] = [];
      const doomed: [string, number][] = [];
      if (base !== null && committed) {
        for (const [topic, partitions] of committed) {
          for (const [p, o] of partitions) {
            const from = base(o, topic);
            if (from === null) continue;
            const due = o.expireTimestamp >= 0 ? now >= o.expireTimestamp : now - from >= retention;
            if (due) {
              records.push({ key: offsetCommitKey(g.groupId, topic, p), value: null });
              doomed.push([topic, p]);
            }
          }
        }
      }
      expired += doomed.length;
      const leftEmpty = g.is('Empty') && (committed === undefined || doomed.length === countOffsets(committed));
      if (leftEmpty) {
        // Kafka removes an empty group once it has no offsets left, whether they expired or it never had any.
        writes.push(this.removeGroup(g, committed === undefined ? 'empty group without committed offsets' : 'all committed offsets expired'));
      } else if (records.length > 0) {
        writes.push(this.write(g.groupId, records, () => {
          for (const [topic, p] of doomed) this.removeOffset(g.groupId, topic, p);
        }));
      }
    }
    expired += this.expireConsumerGroupOffsets(now, retention, writes);
    await Promise.all(writes);
    if (expired > 0) this.logger.info({ expired }, 'expired committed offsets');
    return expired;
  }
}

function countOffsets(o: Offsets): number {
  let n = 0;
  for (const p of o.values()) n += p.size;
  return n;
}
