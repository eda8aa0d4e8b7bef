/**
 * One classic consumer group: its members, generation, chosen protocol and leader, and the
 * rebalance state machine that JoinGroup, SyncGroup, Heartbeat and LeaveGroup drive (Kafka's
 * ClassicGroup plus the classic half of GroupMetadataManager).
 *
 * A rebalance, in one paragraph: something changes membership (a join, a leave, a session
 * timeout), so the group goes to PreparingRebalance and holds every JoinGroup until all known
 * members have rejoined or the rebalance timeout runs out. Then it bumps the generation, picks a
 * protocol every member supports, and answers all JoinGroups at once — the leader's answer lists
 * every member's subscription (CompletingRebalance). The leader computes the assignment and sends
 * it in its SyncGroup; every member's SyncGroup is answered with its share (Stable). Members learn
 * of the next rebalance from a Heartbeat (or OffsetCommit/SyncGroup) answered with 27
 * REBALANCE_IN_PROGRESS.
 *
 * Requests never block the event loop: a JoinGroup or SyncGroup that must wait returns a promise,
 * resolved later by a state transition. Every delay goes through the injected `Clock`.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import type { Clock, ScheduledTask } from '../clock.js';

/**
 * The five states, documented as Kafka's ClassicGroupState.java does.
 *
 * Empty — the group has no members, but may have committed offsets (or has just been created).
 *   action: JoinGroup from a new member → add it and prepare a rebalance (after the initial delay).
 *           OffsetCommit with generation -1 (a "simple" consumer or an admin) → accepted.
 *           Heartbeat / SyncGroup / LeaveGroup → 25 UNKNOWN_MEMBER_ID.
 *           DeleteGroups → allowed.
 *   transition: a member joins → PreparingRebalance;
 *               all offsets expire or the group is deleted → Dead.
 *
 * PreparingRebalance — waiting for every known member to rejoin.
 *   action: JoinGroup → held until all members have rejoined or the rebalance timeout expires.
 *           Heartbeat → 27 REBALANCE_IN_PROGRESS (so members rejoin); their session stays alive.
 *           SyncGroup → 27 REBALANCE_IN_PROGRESS.
 *           OffsetCommit from a current-generation member → accepted (the heartbeat will tell it).
 *   transition: every member has rejoined, or the timeout expired → CompletingRebalance
 *               (members that did not rejoin are removed); nobody left → Empty.
 *
 * CompletingRebalance — JoinGroups answered; waiting for the leader's assignment.
 *   action: SyncGroup from a follower → held until the leader's SyncGroup arrives.
 *           SyncGroup from the leader → assignment stored, every held SyncGroup answered.
 *           Heartbeat → accepted (members are alive while they wait).
 *           JoinGroup with unchanged metadata → answered again with the current generation.
 *           OffsetCommit → 27 REBALANCE_IN_PROGRESS (the member has no assignment yet).
 *   transition: leader's SyncGroup stored → Stable;
 *               a join with new metadata, a leave, a session timeout or a missing SyncGroup
 *               after the rebalance timeout → PreparingRebalance.
 *
 * Stable — every member has its assignment.
 *   action: Heartbeat → accepted.  SyncGroup → answered with the member's current assignment.
 *           JoinGroup from a follower with unchanged metadata → current generation, no rebalance.
 *           JoinGroup from the leader, changed metadata, or a new member → rebalance.
 *           JoinGroup from a restarted static member (instance id known, no member id) → the
 *           current generation and its old assignment, unless the group's protocol would change.
 *           OffsetCommit from a current-generation member → accepted.
 *   transition: a join as above, a leave or a session timeout → PreparingRebalance.
 *
 * Dead — the group was deleted (or expired) and is being removed; nothing is answered from it.
 *   action: every group request → 15 COORDINATOR_NOT_AVAILABLE (the client looks the group up again).
 *   transition: none.
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The state table: for each state, the states it may be entered from. Exported for the docs' diagram test. */
export const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'Stable', 'CompletingRebalance'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

/** A new member that never completes its first join is dropped after this (Kafka's NewMemberJoinTimeoutMs). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export interface Protocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinParams {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly Protocol[];
  /** JoinGroup v4+: a first join gets 79 MEMBER_ID_REQUIRED and an id to rejoin with. */
  readonly requireKnownMemberId: boolean;
  /**
   * JoinGroup v9+ (KIP-814): the client understands `skip_assignment`, so a static leader that
   * rejoins a Stable group can be told it leads without being asked to assign again.
   */
  readonly supportsSkipAssignment: boolean;
}

export interface JoinMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

/** What a JoinGroup is answered with (the JoinGroup response's own fields). */
export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string;
  readonly memberId: string;
  readonly members: readonly JoinMember[];
  readonly skipAssignment: boolean;
}

export interface SyncParams {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly generationId: number;
  /** v5+: checked against the group's when given. */
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Buffer }[];
}

export interface SyncResult {
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export interface LeaveMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface GroupConfig {
  /** group.initial.rebalance.delay.ms: how long a first rebalance waits for more members. */
  readonly initialRebalanceDelayMs: number;
  /** group.max.size */
  readonly maxSize: number;
}

/** What the group needs from its coordinator. */
export interface GroupHooks {
  /**
   * Makes the group's metadata durable (the leader's assignment, or a group that became empty).
   * Members are answered only after it resolves, as Kafka answers SyncGroup after its append.
   */
  persist(group: ClassicGroup): Promise<void>;
  /** Told about every transition, for logs. */
  onTransition?(group: ClassicGroup, from: GroupState, to: GroupState, reason: string): void;
}

const EMPTY = Buffer.alloc(0);

export class Member {
  /** The assignment the leader gave this member in the current generation. */
  assignment: Buffer = EMPTY;
  /** Set while a JoinGroup waits for the rebalance to complete. */
  awaitingJoin?: (r: JoinResult) => void;
  /** Set while a SyncGroup waits for the leader's assignment. */
  awaitingSync?: (r: SyncResult) => void;
  /** True until the member's first join completes. */
  isNew = false;
  sessionTask?: ScheduledTask;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: readonly Protocol[],
  ) {}

  metadataFor(protocolName: string): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY;
  }

  /** Same protocols with the same metadata, in the same order. */
  matches(protocols: readonly Protocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
    );
  }
}

const joinError = (memberId: string, errorCode: number): JoinResult => ({
  errorCode,
  generationId: -1,
  protocolType: null,
  protocolName: null,
  leader: '',
  memberId,
  members: [],
  skipAssignment: false,
});

const syncError = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: EMPTY });

export class ClassicGroup {
  private _state: GroupState = 'Empty';
  /** When the group last changed state (Kafka's currentStateTimestamp; offsets of an Empty group expire from it). */
  stateTimestamp: number;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Topics the members subscribe to, when the protocol type is "consumer" and subscriptions parse. */
  subscribedTopics: Set<string> | null = null;

  readonly members = new Map<string, Member>();
  /** Members told MEMBER_ID_REQUIRED that have not rejoined yet, with their session timers. */
  private readonly pendingMembers = new Map<string, ScheduledTask>();
  private readonly staticMembers = new Map<string, string>();
  private readonly pendingSyncMembers = new Set<string>();
  private numMembersAwaitingJoin = 0;
  /** A new member joined during the initial delay, so the delay may be extended. */
  private newMemberAdded = false;
  private joinTask?: { kind: 'initial' | 'delayed'; task: ScheduledTask };
  private syncTask?: ScheduledTask;

  constructor(
    readonly groupId: string,
    private readonly clock: Clock,
    private readonly config: GroupConfig,
    private readonly hooks: GroupHooks,
  ) {
    this.stateTimestamp = clock.now();
  }

  get state(): GroupState {
    return this._state;
  }

  is(state: GroupState): boolean {
    return this._state === state;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** The longest rebalance timeout of any member: how long PreparingRebalance may last. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  private transitionTo(to: GroupState, reason: string): void {
    const from = this._state;
    if (!VALID_PREVIOUS[to].includes(from)) {
      throw new Error(`group ${this.groupId}: illegal transition ${from} -> ${to}`);
    }
    this._state = to;
    this.stateTimestamp = this.clock.now();
    this.hooks.onTransition?.(this, from, to, reason);
  }

  // ------------------------------------------------------------------------------------------
  // JoinGroup

  join(p: JoinParams): Promise<JoinResult> {
    return new Promise<JoinResult>((resolve) => {
      if (p.memberId === '') this.joinUnknownMember(p, resolve);
      else this.joinKnownMember(p, resolve);
      // Any join may be the last one a held rebalance is waiting for.
      if (this.is('PreparingRebalance')) this.tryCompleteJoin();
    });
  }

  /** group.max.size, counted as Kafka does: awaiting joins while preparing, members otherwise. */
  private acceptJoiningMember(memberId: string): boolean {
    switch (this._state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance': {
        const m = this.members.get(memberId);
        return (m !== undefined && m.awaitingJoin !== undefined) || this.numMembersAwaitingJoin < this.config.maxSize;
      }
      default:
        return this.members.has(memberId) || this.members.size < this.config.maxSize;
    }
  }

  /**
   * Whether a member with these protocols may join: an empty group takes anything non-empty; a
   * non-empty one needs the same protocol type and one protocol every current member supports.
   */
  supportsProtocols(protocolType: string, protocols: readonly Protocol[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    return protocols.some((p) => [...this.members.values()].every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  private joinUnknownMember(p: JoinParams, resolve: (r: JoinResult) => void): void {
    if (this.is('Dead')) return resolve(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!this.supportsProtocols(p.protocolType, p.protocols)) return resolve(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    if (!this.acceptJoiningMember('')) return resolve(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    // Kafka's member id: the client id, a dash, a random uuid (the instance id for static members).
    const newMemberId = `${p.groupInstanceId ?? p.clientId}-${randomUUID()}`;
    if (p.groupInstanceId !== null) return this.joinStaticMember(p, newMemberId, resolve);
    if (p.requireKnownMemberId) {
      // KIP-394: hand out the id first, so a client that times out and retries does not leave
      // orphan members behind. The pending member must rejoin within its session timeout.
      this.pendingMembers.set(
        newMemberId,
        this.clock.schedule(p.sessionTimeoutMs, () => this.expirePendingMember(newMemberId)),
      );
      return resolve(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(p, newMemberId, resolve);
  }

  private joinKnownMember(p: JoinParams, resolve: (r: JoinResult) => void): void {
    if (this.is('Dead')) return resolve(joinError(p.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!this.supportsProtocols(p.protocolType, p.protocols)) {
      return resolve(joinError(p.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (this.pendingMembers.has(p.memberId)) {
      if (!this.acceptJoiningMember(p.memberId)) {
        this.removePendingMember(p.memberId);
        return resolve(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
      }
      this.pendingMembers.get(p.memberId)!.cancel();
      this.pendingMembers.delete(p.memberId);
      return this.addMemberAndRebalance(p, p.memberId, resolve);
    }
    if (this.isStaticMemberFenced(p.groupInstanceId, p.memberId)) {
      return resolve(joinError(p.memberId, ErrorCode.FENCED_INSTANCE_ID));
    }
    const member = this.members.get(p.memberId);
    if (!member || (p.groupInstanceId !== null && !this.staticMembers.has(p.groupInstanceId))) {
      return resolve(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
    if (!this.acceptJoiningMember(p.memberId)) {
      this.removeMemberAndUpdateGroup(member, 'group max size reached');
      return resolve(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    }
    switch (this._state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(member, p, resolve, 'member rejoined');
      case 'CompletingRebalance':
        // The member probably missed its JoinGroup response: answer it again, unless its
        // metadata changed, which needs a new rebalance.
        if (member.matches(p.protocols)) return resolve(this.joinResultFor(member));
        return this.updateMemberAndRebalance(member, p, resolve, 'member metadata changed');
      case 'Stable':
        // The leader rejoins to make the group reassign (e.g. after topic metadata changed).
        if (this.isLeader(member.memberId)) return this.updateMemberAndRebalance(member, p, resolve, 'leader rejoined');
        if (!member.matches(p.protocols)) return this.updateMemberAndRebalance(member, p, resolve, 'member metadata changed');
        return resolve({ ...this.joinResultFor(member), members: [] });
      default:
        // Empty with a "known" member: the client's state is stale; it must start over.
        return resolve(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  /**
   * KIP-345: a static member (group.instance.id) keeps its place across restarts. It joins with no
   * member id, gets a new one, and the old one is fenced. In a Stable group this costs no rebalance
   * as long as the protocol the group would pick stays the same (Kafka checks only that, not the
   * metadata): the member is answered with the current generation and gets its old assignment back
   * from SyncGroup — also when it is the leader, which is told so only when it understands
   * `skip_assignment` (v9+); an older client is named a follower, so it does not assign again.
   */
  private joinStaticMember(p: JoinParams, newMemberId: string, resolve: (r: JoinResult) => void): void {
    const oldMemberId = this.staticMembers.get(p.groupInstanceId!);
    if (oldMemberId === undefined) return this.addMemberAndRebalance(p, newMemberId, resolve);
    const currentLeader = this.leaderId;
    const old = this.members.get(oldMemberId)!;
    const member = this.replaceStaticMember(old, newMemberId);
    this.scheduleSessionExpiration(member, member.sessionTimeoutMs);
    const reason = `static member ${newMemberId} with instance id ${p.groupInstanceId} rejoined`;
    if (!this.is('Stable')) return this.updateMemberAndRebalance(member, p, resolve, reason);
    const previous = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
    this.updateMember(member, p, resolve);
    if (this.selectProtocol() !== this.protocolName) return this.maybePrepareRebalance(`${reason} with a change of protocol`);
    // The new member id is made durable before anyone hears of it.
    this.hooks.persist(this).then(
      () => {
        // A rebalance that started meanwhile has answered the join already.
        if (member.awaitingJoin !== resolve) return;
        this.stopAwaitingJoin(member);
        const leads = p.supportsSkipAssignment && this.isLeader(newMemberId);
        resolve({
          ...this.joinResultFor(member),
          members: leads ? this.joinMembers() : [],
          leader: p.supportsSkipAssignment ? (this.leaderId ?? '') : (currentLeader ?? ''),
          skipAssignment: leads,
        });
      },
      () => {
        if (member.awaitingJoin !== resolve || this.members.get(newMemberId) !== member) return;
        // Not written: the old incarnation keeps the place, as if this join never happened.
        this.stopAwaitingJoin(member);
        Object.assign(member, previous);
        const restored = this.replaceStaticMember(member, oldMemberId);
        this.scheduleSessionExpiration(restored, restored.sessionTimeoutMs);
        resolve({
          ...joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE),
          generationId: this.generationId, protocolType: this.protocolType, protocolName: this.protocolName, leader: currentLeader ?? '',
        });
      },
    );
  }

  /** Gives a static member a new member id; whoever still holds the old id is fenced (82). */
  private replaceStaticMember(old: Member, newMemberId: string): Member {
    old.awaitingJoin?.(joinError(old.memberId, ErrorCode.FENCED_INSTANCE_ID));
    if (old.awaitingJoin) this.numMembersAwaitingJoin--;
    old.awaitingJoin = undefined;
    old.awaitingSync?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    old.awaitingSync = undefined;
    old.sessionTask?.cancel();
    const m = new Member(newMemberId, old.groupInstanceId, old.clientId, old.clientHost, old.rebalanceTimeoutMs,
      old.sessionTimeoutMs, old.protocolType, old.protocols);
    m.assignment = old.assignment;
    // Rebuild the map so the member keeps its position (leader re-election picks the first).
    const entries = [...this.members.entries()].map(([id, v]): [string, Member] => (id === old.memberId ? [newMemberId, m] : [id, v]));
    this.members.clear();
    for (const [id, v] of entries) this.members.set(id, v);
    if (this.leaderId === old.memberId) this.leaderId = newMemberId;
    this.staticMembers.set(old.groupInstanceId!, newMemberId);
    if (this.pendingSyncMembers.delete(old.memberId)) this.pendingSyncMembers.add(newMemberId);
    return m;
  }

  private addMemberAndRebalance(p: JoinParams, memberId: string, resolve: (r: JoinResult) => void): void {
    const m = new Member(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.rebalanceTimeoutMs, p.sessionTimeoutMs,
      p.protocolType, p.protocols);
    m.isNew = true;
    // A join during the first rebalance's initial delay may extend that delay.
    if (this.is('PreparingRebalance') && this.generationId === 0) this.newMemberAdded = true;
    if (this.members.size === 0) this.protocolType = p.protocolType;
    this.members.set(memberId, m);
    if (this.leaderId === null) this.leaderId = memberId;
    if (p.groupInstanceId !== null) this.staticMembers.set(p.groupInstanceId, memberId);
    m.awaitingJoin = resolve;
    this.numMembersAwaitingJoin++;
    // A new member cannot heartbeat yet, so its first join gets a long but finite timeout.
    this.scheduleSessionExpiration(m, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(`member ${memberId} joined`);
  }

  private updateMemberAndRebalance(member: Member, p: JoinParams, resolve: (r: JoinResult) => void, reason: string): void {
    this.updateMember(member, p, resolve);
    this.maybePrepareRebalance(reason);
  }

  /** The member's new protocols and timeouts, and its JoinGroup now waiting for an answer. */
  private updateMember(member: Member, p: JoinParams, resolve: (r: JoinResult) => void): void {
    member.protocols = p.protocols;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    // A second JoinGroup from the same member replaces the first, which its client gave up on.
    if (member.awaitingJoin) member.awaitingJoin(joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    else this.numMembersAwaitingJoin++;
    member.awaitingJoin = resolve;
  }

  private stopAwaitingJoin(member: Member): void {
    if (member.awaitingJoin) this.numMembersAwaitingJoin--;
    member.awaitingJoin = undefined;
  }

  private joinResultFor(member: Member): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: this.isLeader(member.memberId) ? this.joinMembers() : [],
      skipAssignment: false,
    };
  }

  /** Every member's subscription to the chosen protocol: what the leader assigns from. */
  private joinMembers(): JoinMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(this.protocolName!),
    }));
  }

  // ------------------------------------------------------------------------------------------
  // Rebalance

  private maybePrepareRebalance(reason: string): void {
    if (this.is('Stable') || this.is('CompletingRebalance') || this.is('Empty')) this.prepareRebalance(reason);
  }

  private prepareRebalance(reason: string): void {
    // Members waiting in SyncGroup must rejoin instead.
    if (this.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(ErrorCode.REBALANCE_IN_PROGRESS);
    this.syncTask?.cancel();
    this.syncTask = undefined;
    const wasEmpty = this.is('Empty');
    this.transitionTo('PreparingRebalance', reason);
    if (wasEmpty) {
      // The first rebalance waits group.initial.rebalance.delay.ms for more members, and again
      // (up to the rebalance timeout) each time one arrives, so a starting fleet of consumers
      // settles in one rebalance instead of one per member.
      const delay = this.config.initialRebalanceDelayMs;
      this.scheduleInitialDelayedJoin(delay, Math.max(this.rebalanceTimeoutMs - delay, 0));
    } else {
      this.scheduleDelayedJoin();
      this.tryCompleteJoin();
    }
  }

  private scheduleInitialDelayedJoin(delayMs: number, remainingMs: number): void {
    this.joinTask?.task.cancel();
    const task = this.clock.schedule(delayMs, () => {
      this.joinTask = undefined;
      if (this.newMemberAdded && remainingMs > 0) {
        this.newMemberAdded = false;
        const next = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialDelayedJoin(next, Math.max(remainingMs - this.config.initialRebalanceDelayMs, 0));
      } else {
        this.completeJoin();
      }
    });
    this.joinTask = { kind: 'initial', task };
  }

  /** The rebalance timeout: how long PreparingRebalance waits for members to rejoin. */
  private scheduleDelayedJoin(): void {
    this.joinTask?.task.cancel();
    const task = this.clock.schedule(this.rebalanceTimeoutMs, () => {
      this.joinTask = undefined;
      this.completeJoin();
    });
    this.joinTask = { kind: 'delayed', task };
  }

  private hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingMembers.size === 0;
  }

  /** Completes PreparingRebalance early once everyone has rejoined (never during the initial delay). */
  private tryCompleteJoin(): void {
    if (this.is('PreparingRebalance') && this.joinTask?.kind === 'delayed' && this.hasAllMembersJoined()) {
      this.joinTask.task.cancel();
      this.joinTask = undefined;
      this.completeJoin();
    }
  }

  private completeJoin(): void {
    if (!this.is('PreparingRebalance')) return;
    // Dynamic members that did not rejoin in time are gone; static ones keep their place.
    for (const m of [...this.members.values()]) {
      if (!m.awaitingJoin && m.groupInstanceId === null) {
        m.sessionTask?.cancel();
        this.removeMember(m.memberId);
      }
    }
    if (!this.maybeElectNewJoinedLeader() && this.members.size > 0) {
      // Nobody rejoined: wait another rebalance timeout while session timeouts remove the silent.
      this.scheduleDelayedJoin();
      return;
    }
    this.initNextGeneration();
    if (this.is('Empty')) {
      this.hooks.persist(this).catch(() => {});
      return;
    }
    for (const m of this.members.values()) {
      const resolve = m.awaitingJoin;
      m.awaitingJoin = undefined;
      resolve?.(this.joinResultFor(m));
      this.scheduleSessionExpiration(m, m.sessionTimeoutMs);
      m.isNew = false;
      this.pendingSyncMembers.add(m.memberId);
    }
    this.numMembersAwaitingJoin = 0;
    // Members that never send their SyncGroup are removed after the rebalance timeout (Kafka's pending sync).
    const generation = this.generationId;
    this.syncTask = this.clock.schedule(this.rebalanceTimeoutMs, () => this.expirePendingSync(generation));
  }

  /** Keeps the leader if it rejoined, else picks any member that did; false if none did. */
  private maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.members.get(this.leaderId)?.awaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.awaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  private initNextGeneration(): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', `generation ${this.generationId} formed`);
    } else {
      this.protocolName = null;
      this.subscribedTopics = null;
      this.transitionTo('Empty', `generation ${this.generationId} has no members`);
    }
    this.pendingSyncMembers.clear();
  }

  /**
   * Kafka's vote: among protocols every member supports, each member votes for the first in its
   * own preference order; the most votes wins (the earliest candidate on a tie).
   */
  selectProtocol(): string {
    const all = [...this.members.values()];
    const candidates = all[0]!.protocols.map((p) => p.name).filter((n) => all.every((m) => m.protocols.some((p) => p.name === n)));
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of all) {
      const choice = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(choice, votes.get(choice)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /** For protocol type "consumer": the union of the members' subscriptions (ConsumerProtocolSubscription). */
  private computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== 'consumer' || this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const parsed = parseSubscriptionTopics(m.metadataFor(this.protocolName));
      if (parsed === null) return null;
      for (const t of parsed) topics.add(t);
    }
    return topics;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics?.has(topic) ?? false;
  }

  private expirePendingSync(generation: number): void {
    this.syncTask = undefined;
    if (generation !== this.generationId) return;
    if (!(this.is('CompletingRebalance') || this.is('Stable')) || this.pendingSyncMembers.size === 0) return;
    for (const id of [...this.pendingSyncMembers]) {
      const m = this.members.get(id);
      m?.sessionTask?.cancel();
      this.removeMember(id);
    }
    this.prepareRebalance('members did not send SyncGroup in time');
  }

  // ------------------------------------------------------------------------------------------
  // SyncGroup

  sync(p: SyncParams): Promise<SyncResult> {
    return new Promise<SyncResult>((resolve) => {
      if (this.is('Dead')) return resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      if (this.isStaticMemberFenced(p.groupInstanceId, p.memberId)) return resolve(syncError(ErrorCode.FENCED_INSTANCE_ID));
      const member = this.members.get(p.memberId);
      if (!member) return resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      if (p.generationId !== this.generationId) return resolve(syncError(ErrorCode.ILLEGAL_GENERATION));
      if ((p.protocolType !== null && p.protocolType !== this.protocolType) ||
          (p.protocolName !== null && p.protocolName !== this.protocolName)) {
        return resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      }
      switch (this._state) {
        case 'Empty':
          return resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
        case 'PreparingRebalance':
          return resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        case 'CompletingRebalance': {
          member.awaitingSync = resolve;
          this.pendingSyncMembers.delete(member.memberId);
          if (this.isLeader(member.memberId)) this.storeAssignment(p.assignments);
          return;
        }
        case 'Stable':
          this.pendingSyncMembers.delete(member.memberId);
          this.scheduleSessionExpiration(member, member.sessionTimeoutMs);
          return resolve(this.syncResult(member.assignment));
        default:
          return resolve(syncError(ErrorCode.UNKNOWN_SERVER_ERROR));
      }
    });
  }

  private syncResult(assignment: Buffer): SyncResult {
    return { errorCode: ErrorCode.NONE, protocolType: this.protocolType, protocolName: this.protocolName, assignment };
  }

  /** The leader's assignment: stored durably first, then handed to every member. */
  private storeAssignment(assignments: SyncParams['assignments']): void {
    const byMember = new Map<string, Buffer>();
    for (const a of assignments) if (this.members.has(a.memberId)) byMember.set(a.memberId, a.assignment);
    // Members the leader left out get an empty assignment.
    for (const m of this.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY;
    const generation = this.generationId;
    this.hooks.persist(this).then(
      () => {
        // The group may have moved on while the append was in flight.
        if (!this.is('CompletingRebalance') || this.generationId !== generation) return;
        for (const m of this.members.values()) {
          const resolve = m.awaitingSync;
          m.awaitingSync = undefined;
          resolve?.(this.syncResult(m.assignment));
          this.scheduleSessionExpiration(m, m.sessionTimeoutMs);
        }
        this.transitionTo('Stable', 'leader assignment stored');
      },
      () => {
        if (!this.is('CompletingRebalance') || this.generationId !== generation) return;
        this.resetAndPropagateAssignmentError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
        this.maybePrepareRebalance('storing the assignment failed');
      },
    );
  }

  private resetAndPropagateAssignmentError(errorCode: number): void {
    for (const m of this.members.values()) {
      m.assignment = EMPTY;
      const resolve = m.awaitingSync;
      m.awaitingSync = undefined;
      resolve?.(syncError(errorCode));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Heartbeat, LeaveGroup, sessions

  heartbeat(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.isStaticMemberFenced(groupInstanceId, memberId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (this._state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        this.scheduleSessionExpiration(member, member.sessionTimeoutMs);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        this.scheduleSessionExpiration(member, member.sessionTimeoutMs);
        return ErrorCode.NONE;
    }
  }

  /** LeaveGroup for a batch of members (v3+; one member before): one error code per member. */
  leave(leaving: readonly LeaveMember[]): number[] {
    return leaving.map((l) => {
      if (this.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      let memberId = l.memberId;
      if (memberId === '') {
        // A static member may leave by instance id alone (admin removeMembersFromConsumerGroup).
        const id = l.groupInstanceId === null ? undefined : this.staticMembers.get(l.groupInstanceId);
        if (id === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
        memberId = id;
      } else if (this.pendingMembers.has(memberId)) {
        this.removePendingMember(memberId);
        return ErrorCode.NONE;
      } else if (this.isStaticMemberFenced(l.groupInstanceId, memberId)) {
        return ErrorCode.FENCED_INSTANCE_ID;
      }
      const member = this.members.get(memberId);
      if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMemberAndUpdateGroup(member, `member ${memberId} left`);
      return ErrorCode.NONE;
    });
  }

  /** (Re)starts a member's session: it is removed unless it shows signs of life within `timeoutMs`. */
  private scheduleSessionExpiration(member: Member, timeoutMs: number): void {
    member.sessionTask?.cancel();
    member.sessionTask = this.clock.schedule(timeoutMs, () => {
      member.sessionTask = undefined;
      if (this.members.get(member.memberId) !== member) return;
      // A member waiting in JoinGroup or SyncGroup is alive — unless it is new and its first
      // join has taken longer than NEW_MEMBER_JOIN_TIMEOUT_MS.
      if (!member.isNew && (member.awaitingJoin || member.awaitingSync)) {
        this.scheduleSessionExpiration(member, member.sessionTimeoutMs);
        return;
      }
      this.removeMemberAndUpdateGroup(member, `member ${member.memberId} session timed out`);
    });
  }

  private expirePendingMember(memberId: string): void {
    if (this.pendingMembers.has(memberId)) this.removePendingMember(memberId);
  }

  private removePendingMember(memberId: string): void {
    this.pendingMembers.get(memberId)?.cancel();
    this.pendingMembers.delete(memberId);
    // The rebalance may have been waiting only for this member.
    if (this.is('PreparingRebalance')) this.tryCompleteJoin();
  }

  private removeMemberAndUpdateGroup(member: Member, reason: string): void {
    member.awaitingJoin?.(joinError(member.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    member.awaitingSync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    member.sessionTask?.cancel();
    this.removeMember(member.memberId);
    switch (this._state) {
      case 'Stable':
      case 'CompletingRebalance':
        return this.maybePrepareRebalance(reason);
      case 'PreparingRebalance':
        return this.tryCompleteJoin();
      default:
        return;
    }
  }

  private removeMember(memberId: string): void {
    const m = this.members.get(memberId);
    if (!m) return;
    this.members.delete(memberId);
    if (m.awaitingJoin) this.numMembersAwaitingJoin--;
    m.awaitingJoin = undefined;
    m.awaitingSync = undefined;
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === memberId) this.staticMembers.delete(m.groupInstanceId);
    this.pendingSyncMembers.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  /** A static member id that no longer owns its instance id was replaced by a newer instance. */
  isStaticMemberFenced(groupInstanceId: string | null, memberId: string): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  // ------------------------------------------------------------------------------------------
  // Offsets, admin, lifecycle

  /** Who may commit offsets for this group (Kafka's ClassicGroup.validateOffsetCommit): 0 or an error code. */
  validateOffsetCommit(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // Generation -1 on an empty group: a consumer using Kafka only to store offsets, or an admin.
    if (generationId < 0 && this.is('Empty')) return ErrorCode.NONE;
    if (this.isStaticMemberFenced(groupInstanceId, memberId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (!this.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (this.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** A commit counts as a heartbeat while the group is Stable or preparing a rebalance. */
  touchMember(memberId: string): void {
    const m = this.members.get(memberId);
    if (m && (this.is('Stable') || this.is('PreparingRebalance'))) this.scheduleSessionExpiration(m, m.sessionTimeoutMs);
  }

  /**
   * Restores a group read back from the log at start-up: Stable with its members (each given a
   * fresh session), or Empty. Clients carry on heartbeating as if nothing had happened.
   */
  restore(snapshot: {
    protocolType: string;
    generationId: number;
    protocolName: string | null;
    leaderId: string | null;
    stateTimestamp: number;
    members: readonly {
      memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string;
      rebalanceTimeoutMs: number; sessionTimeoutMs: number; subscription: Buffer; assignment: Buffer;
      /** Every protocol the member supports (a downgraded consumer group knows them); else just the group's. */
      protocols?: readonly Protocol[];
    }[];
  }): void {
    this.protocolType = snapshot.protocolType === '' ? null : snapshot.protocolType;
    this.generationId = snapshot.generationId;
    this.protocolName = snapshot.protocolName;
    this.leaderId = snapshot.leaderId;
    this.stateTimestamp = snapshot.stateTimestamp >= 0 ? snapshot.stateTimestamp : this.clock.now();
    for (const s of snapshot.members) {
      const m = new Member(s.memberId, s.groupInstanceId, s.clientId, s.clientHost, s.rebalanceTimeoutMs, s.sessionTimeoutMs,
        snapshot.protocolType, s.protocols ?? [{ name: snapshot.protocolName ?? '', metadata: s.subscription }]);
      m.assignment = s.assignment;
      this.members.set(m.memberId, m);
      if (m.groupInstanceId !== null) this.staticMembers.set(m.groupInstanceId, m.memberId);
      this.scheduleSessionExpiration(m, m.sessionTimeoutMs);
    }
    if (this.members.size > 0) {
      this._state = 'Stable';
      this.subscribedTopics = this.computeSubscribedTopics();
    }
  }

  /** Marks the group deleted; only an Empty group is ever deleted or expired. */
  markDead(reason: string): void {
    this.transitionTo('Dead', reason);
  }

  /**
   * A rebalance now (a consumer group that became classic again: its members must rejoin to get
   * their assignment from a leader of their own).
   */
  rebalance(reason: string): void {
    this.maybePrepareRebalance(reason);
  }

  /** Cancels every timer and answers every held request (broker shutdown). */
  shutdown(): void {
    this.abandon(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }

  /**
   * Stops the group for good: timers cancelled, held JoinGroup/SyncGroup requests answered with
   * `errorCode` — COORDINATOR_NOT_AVAILABLE at shutdown, REBALANCE_IN_PROGRESS when the group
   * turns into a consumer group (its members then rejoin that one).
   */
  abandon(errorCode: number): void {
    this.joinTask?.task.cancel();
    this.syncTask?.cancel();
    for (const t of this.pendingMembers.values()) t.cancel();
    for (const m of this.members.values()) {
      m.sessionTask?.cancel();
      m.awaitingJoin?.(joinError(m.memberId, errorCode));
      m.awaitingSync?.(syncError(errorCode));
      m.awaitingJoin = undefined;
      m.awaitingSync = undefined;
    }
  }
}

/**
 * The topic list of a ConsumerProtocolSubscription (any version: int16 version, then an array of
 * int16-length strings), or null when the bytes are not one.
 */
export function parseSubscriptionTopics(metadata: Buffer): string[] | null {
  try {
    let pos = 2;
    const count = metadata.readInt32BE(pos);
    pos += 4;
    if (count < 0 || count > metadata.length) return null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = metadata.readInt16BE(pos);
      pos += 2;
      if (len < 0 || pos + len > metadata.length) return null;
      topics.push(metadata.toString('utf8', pos, pos + len));
      pos += len;
    }
    return topics;
  } catch {
    return null;
  }
}
