/**
 * The classic group state machine under fake time: every timeout is driven by ManualClock.advance,
 * so a 30-second session timeout costs nothing and the order of events is exact.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { ClassicGroup, type JoinParams, type JoinResult } from '../../src/group/group.js';
import { ManualClock } from '../support/manual-clock.js';

const SESSION = 10_000;
const REBALANCE = 30_000;
const DELAY = 3_000;

/** Lets promise callbacks (persist, then the answers) run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

function setup(opts: { delay?: number; maxSize?: number } = {}) {
  const clock = new ManualClock(1_000_000);
  const persisted: number[] = [];
  const group = new ClassicGroup('g', clock, { initialRebalanceDelayMs: opts.delay ?? DELAY, maxSize: opts.maxSize ?? 100 }, {
    persist: async (g) => void persisted.push(g.generationId),
  });
  return { clock, group, persisted };
}

const protocols = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(`meta-${name}`) }));

function params(memberId: string, over: Partial<JoinParams> = {}): JoinParams {
  return {
    memberId, groupInstanceId: null, clientId: 'client', clientHost: '127.0.0.1', rebalanceTimeoutMs: REBALANCE,
    sessionTimeoutMs: SESSION, protocolType: 'consumer', protocols: protocols('range'), requireKnownMemberId: true, supportsSkipAssignment: true, ...over,
  };
}

/** Tracks a pending promise so tests can assert "not answered yet". */
function track<T>(p: Promise<T>): { value?: T; done: Promise<T> } {
  const t: { value?: T; done: Promise<T> } = { done: p };
  p.then((v) => (t.value = v), () => {}); // a rejection reaches the test through `done`
  return t;
}

/** The v4+ dance: MEMBER_ID_REQUIRED, then the real join (held). */
async function joinNew(group: ClassicGroup, over: Partial<JoinParams> = {}) {
  const first = await group.join(params('', over));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(first.memberId).toMatch(/^client-[0-9a-f-]{36}$/);
  return { memberId: first.memberId, join: track(group.join(params(first.memberId, over))) };
}

async function sync(group: ClassicGroup, memberId: string, generationId: number, assignments: [string, string][] = []) {
  return track(group.sync({
    memberId, groupInstanceId: null, generationId, protocolType: null, protocolName: null,
    assignments: assignments.map(([m, a]) => ({ memberId: m, assignment: Buffer.from(a) })),
  }));
}

describe('ClassicGroup', () => {
  it('first join: MEMBER_ID_REQUIRED, then the initial rebalance delay, then generation 1 with the member as leader', async () => {
    const { clock, group, persisted } = setup();
    expect(group.state).toBe('Empty');
    const a = await joinNew(group);
    await settle();
    expect(group.state).toBe('PreparingRebalance');
    expect(a.join.value).toBeUndefined();
    clock.advance(DELAY - 1);
    await settle();
    expect(a.join.value).toBeUndefined();
    clock.advance(1);
    await settle();
    const r = a.join.value!;
    expect(r).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', protocolType: 'consumer', leader: a.memberId, memberId: a.memberId });
    expect(r.members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(r.members[0]!.metadata.toString()).toBe('meta-range');
    expect(group.state).toBe('CompletingRebalance');

    const s = await sync(group, a.memberId, 1, [[a.memberId, 'assign-a']]);
    await settle();
    expect(s.value).toMatchObject({ errorCode: 0, protocolName: 'range' });
    expect(s.value!.assignment.toString()).toBe('assign-a');
    expect(group.state).toBe('Stable');
    expect(persisted).toEqual([1]);
  });

  it('before v4 a first join is admitted at once under a new member id', async () => {
    const { clock, group } = setup({ delay: 0 });
    const j = track(group.join(params('', { requireKnownMemberId: false })));
    clock.advance(0);
    await settle();
    expect(j.value).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(j.value!.memberId).toMatch(/^client-/);
  });

  it('members joining during the initial delay extend it and land in one generation', async () => {
    const { clock, group } = setup();
    const a = await joinNew(group);
    clock.advance(2_000);
    const b = await joinNew(group);
    clock.advance(2_000); // at 4 s the first delay has expired with a new member: extended to 6 s
    await settle();
    expect(a.join.value).toBeUndefined();
    clock.advance(1_999);
    await settle();
    expect(a.join.value).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(a.join.value!.generationId).toBe(1);
    expect(b.join.value!.generationId).toBe(1);
    expect(a.join.value!.members).toHaveLength(2); // leader sees both
    expect(b.join.value!.members).toHaveLength(0); // follower sees none
    expect(b.join.value!.leader).toBe(a.memberId);
  });

  /** Two members in a Stable group, a the leader. */
  async function stableTwo() {
    const ctx = setup({ delay: 0 });
    const { clock, group } = ctx;
    const a = await joinNew(group);
    const b = await joinNew(group);
    clock.advance(0);
    await settle();
    const gen = a.join.value!.generationId;
    const sb = await sync(group, b.memberId, gen);
    const sa = await sync(group, a.memberId, gen, [[a.memberId, 'A'], [b.memberId, 'B']]);
    await settle();
    expect(sa.value!.assignment.toString()).toBe('A');
    expect(sb.value!.assignment.toString()).toBe('B');
    expect(group.state).toBe('Stable');
    return { ...ctx, a: a.memberId, b: b.memberId, gen };
  }

  it('a follower SyncGroup waits for the leader; a late leader SyncGroup answers both', async () => {
    const { clock, group } = setup({ delay: 0 });
    const a = await joinNew(group);
    const b = await joinNew(group);
    clock.advance(0);
    await settle();
    const sb = await sync(group, b.memberId, 1);
    // The leader takes its time (heartbeating), within the rebalance timeout.
    for (let t = 0; t < 5; t++) {
      clock.advance(SESSION / 2);
      expect(group.heartbeat(a.memberId, null, 1)).toBe(ErrorCode.NONE);
    }
    await settle();
    expect(sb.value).toBeUndefined();
    expect(group.heartbeat(b.memberId, null, 1)).toBe(ErrorCode.NONE); // alive while waiting
    const sa = await sync(group, a.memberId, 1, [[a.memberId, 'A'], [b.memberId, 'B']]);
    await settle();
    expect(sa.value!.assignment.toString()).toBe('A');
    expect(sb.value!.assignment.toString()).toBe('B');
    // SyncGroup in Stable returns the current assignment again.
    const again = await sync(group, b.memberId, 1);
    await settle();
    expect(again.value!.assignment.toString()).toBe('B');
  });

  it('a new member makes the group rebalance; heartbeats answer 27 until everyone rejoined', async () => {
    const { clock, group, a, b, gen } = await stableTwo();
    const c = await joinNew(group);
    await settle();
    expect(group.state).toBe('PreparingRebalance');
    expect(group.heartbeat(a, null, gen)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(group.heartbeat(b, null, gen)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ja = track(group.join(params(a)));
    await settle();
    expect(ja.value).toBeUndefined();
    const jb = track(group.join(params(b)));
    await settle();
    // Everyone rejoined: no need to wait for the rebalance timeout.
    expect(ja.value!.generationId).toBe(gen + 1);
    expect(jb.value!.generationId).toBe(gen + 1);
    expect(c.join.value!.generationId).toBe(gen + 1);
    expect(ja.value!.members).toHaveLength(3);
    expect(clock.now()).toBe(1_000_000);
    // The old generation is gone.
    expect(group.heartbeat(a, null, gen)).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('a member that does not rejoin within the rebalance timeout is dropped', async () => {
    const { clock, group, a, b, gen } = await stableTwo();
    const c = await joinNew(group);
    const ja = track(group.join(params(a)));
    // b keeps heartbeating (hearing 27 each time) but never rejoins.
    for (let t = 0; t < 5; t++) {
      clock.advance(REBALANCE / 6);
      expect(group.heartbeat(b, null, gen)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    await settle();
    expect(ja.value).toBeUndefined();
    clock.advance(REBALANCE / 6);
    await settle();
    expect(ja.value!.generationId).toBe(gen + 1);
    expect(ja.value!.members.map((m) => m.memberId).sort()).toEqual([a, c.memberId].sort());
    expect(group.hasMember(b)).toBe(false);
    expect(group.heartbeat(b, null, gen + 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member whose session times out is removed and the others rebalance', async () => {
    const { clock, group, a, b, gen } = await stableTwo();
    clock.advance(SESSION / 2);
    expect(group.heartbeat(a, null, gen)).toBe(ErrorCode.NONE);
    expect(group.hasMember(b)).toBe(true);
    clock.advance(SESSION / 2);
    // b has been silent for a whole session timeout.
    expect(group.hasMember(b)).toBe(false);
    expect(group.state).toBe('PreparingRebalance');
    expect(group.heartbeat(a, null, gen)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ja = track(group.join(params(a)));
    await settle();
    expect(ja.value).toMatchObject({ errorCode: 0, generationId: gen + 1, leader: a });
  });

  it('the leader leaving hands leadership to a member that rejoins', async () => {
    const { group, a, b, gen } = await stableTwo();
    expect(group.leave([{ memberId: a, groupInstanceId: null }])).toEqual([ErrorCode.NONE]);
    expect(group.state).toBe('PreparingRebalance');
    const jb = track(group.join(params(b)));
    await settle();
    expect(jb.value).toMatchObject({ generationId: gen + 1, leader: b });
    expect(group.leave([{ memberId: 'nobody', groupInstanceId: null }])).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
  });

  it('the last member leaving empties the group and bumps the generation', async () => {
    const { group, a, b, gen, persisted } = await stableTwo();
    group.leave([{ memberId: a, groupInstanceId: null }, { memberId: b, groupInstanceId: null }]);
    expect(group.state).toBe('Empty');
    expect(group.generationId).toBe(gen + 1);
    await settle();
    expect(persisted.at(-1)).toBe(gen + 1);
    expect(group.heartbeat(a, null, gen + 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member that never sends SyncGroup is removed after the rebalance timeout', async () => {
    const { clock, group } = setup({ delay: 0 });
    const a = await joinNew(group);
    const b = await joinNew(group);
    clock.advance(0);
    await settle();
    const sa = await sync(group, a.memberId, 1, [[a.memberId, 'A'], [b.memberId, 'B']]);
    await settle();
    expect(sa.value!.errorCode).toBe(0);
    // b heartbeats but never syncs.
    for (let t = 0; t < 5; t++) {
      clock.advance(REBALANCE / 5);
      group.heartbeat(a.memberId, null, 1);
      group.heartbeat(b.memberId, null, 1);
    }
    expect(group.hasMember(b.memberId)).toBe(false);
    expect(group.heartbeat(a.memberId, null, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('a SyncGroup waiting when a rebalance starts gets 27', async () => {
    const { clock, group } = setup({ delay: 0 });
    const a = await joinNew(group);
    const b = await joinNew(group);
    clock.advance(0);
    await settle();
    const sb = await sync(group, b.memberId, 1);
    await joinNew(group); // a third member arrives before the leader synced
    await settle();
    expect(sb.value!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const late = await sync(group, a.memberId, 1, []);
    await settle();
    expect(late.value!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('errors: inconsistent protocol, wrong generation, unknown member, group max size', async () => {
    const { clock, group, a, gen } = await stableTwo();
    expect((await group.join(params('', { protocols: protocols('roundrobin') }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await group.join(params('', { protocolType: 'connect' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(group.heartbeat(a, null, gen + 5)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(group.heartbeat('stranger', null, gen)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const s = await sync(group, 'stranger', gen);
    await settle();
    expect(s.value!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const p5 = await group.sync({ memberId: a, groupInstanceId: null, generationId: gen, protocolType: 'consumer', protocolName: 'other', assignments: [] });
    expect(p5.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    clock.advance(0);

    const small = setup({ delay: 0, maxSize: 1 });
    const first = await joinNew(small.group);
    small.clock.advance(0);
    await settle();
    expect(first.join.value!.errorCode).toBe(0);
    const second = await small.group.join(params('', { requireKnownMemberId: false }));
    expect(second.errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
  });

  it('protocol selection: the protocol most members prefer among those all support', async () => {
    const { clock, group } = setup({ delay: 0 });
    const a = await joinNew(group, { protocols: protocols('roundrobin', 'range') });
    const b = await joinNew(group, { protocols: protocols('range', 'roundrobin') });
    const c = await joinNew(group, { protocols: protocols('range', 'sticky', 'roundrobin') });
    clock.advance(0);
    await settle();
    for (const m of [a, b, c]) expect(m.join.value!.protocolName).toBe('range');
    expect(a.join.value!.members.find((m) => m.memberId === c.memberId)!.metadata.toString()).toBe('meta-range');
  });

  it('static membership: a restarted instance takes its place back without a rebalance; the old id is fenced', async () => {
    const { clock, group } = setup({ delay: 0 });
    const leader = track(group.join(params('', { groupInstanceId: 'i-1', requireKnownMemberId: true })));
    const follower = track(group.join(params('', { groupInstanceId: 'i-2', requireKnownMemberId: true })));
    clock.advance(0);
    await settle();
    // Static members skip MEMBER_ID_REQUIRED.
    const l = leader.value!;
    const f = follower.value!;
    expect(l.errorCode).toBe(0);
    expect(f.memberId).toMatch(/^i-2-/);
    const sf = await sync(group, f.memberId, 1);
    await sync(group, l.memberId, 1, [[l.memberId, 'L'], [f.memberId, 'F']]);
    await settle();
    expect(sf.value!.assignment.toString()).toBe('F');

    // i-2 restarts: it joins with no member id and its instance id.
    const again = await group.join(params('', { groupInstanceId: 'i-2' }));
    expect(again).toMatchObject({ errorCode: 0, generationId: 1, leader: l.memberId });
    expect(again.memberId).not.toBe(f.memberId);
    expect(group.state).toBe('Stable');
    // The old incarnation is fenced everywhere.
    expect(group.heartbeat(f.memberId, 'i-2', 1)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(group.validateOffsetCommit(f.memberId, 'i-2', 1)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(group.leave([{ memberId: f.memberId, groupInstanceId: 'i-2' }])).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    const s = await group.sync({ memberId: again.memberId, groupInstanceId: 'i-2', generationId: 1, protocolType: null, protocolName: null, assignments: [] });
    expect(s.assignment.toString()).toBe('F');
    // Static members survive a session timeout only as long as they heartbeat; leaving by instance id works.
    expect(group.leave([{ memberId: '', groupInstanceId: 'i-2' }])).toEqual([ErrorCode.NONE]);
    expect(group.state).toBe('PreparingRebalance');
  });

  /** Two static members, i-1 (the leader, assigned "L") and i-2 ("F"), Stable in generation 1. */
  async function stableStatic(persist?: (g: ClassicGroup) => Promise<void>, protos = protocols('range')) {
    const clock = new ManualClock(1_000_000);
    const group = new ClassicGroup('g', clock, { initialRebalanceDelayMs: 0, maxSize: 100 }, { persist: persist ?? (async () => {}) });
    const leader = track(group.join(params('', { groupInstanceId: 'i-1', protocols: protos })));
    const follower = track(group.join(params('', { groupInstanceId: 'i-2', protocols: protos })));
    clock.advance(0);
    await settle();
    const l = leader.value!.memberId;
    const f = follower.value!.memberId;
    expect(leader.value!.leader).toBe(l);
    await sync(group, f, 1);
    await sync(group, l, 1, [[l, 'L'], [f, 'F']]);
    await settle();
    expect(group.state).toBe('Stable');
    return { clock, group, l, f };
  }

  const syncAgain = (group: ClassicGroup, memberId: string, groupInstanceId: string) =>
    group.sync({ memberId, groupInstanceId, generationId: 1, protocolType: null, protocolName: null, assignments: [] });

  it('static membership: the restarted leader keeps the group Stable and is told to skip the assignment (v9)', async () => {
    const { group, l, f } = await stableStatic();
    const again = await group.join(params('', { groupInstanceId: 'i-1', supportsSkipAssignment: true }));
    expect(again).toMatchObject({ errorCode: 0, generationId: 1, skipAssignment: true });
    expect(again.memberId).toMatch(/^i-1-/);
    expect(again.leader).toBe(again.memberId);
    // It still leads, so it hears every member's subscription (to watch their topics) ...
    expect(again.members.map((m) => m.groupInstanceId)).toEqual(['i-1', 'i-2']);
    // ... but nobody rebalanced: the follower carries on, the leader gets its own assignment back.
    expect(group.state).toBe('Stable');
    expect(group.heartbeat(f, 'i-2', 1)).toBe(ErrorCode.NONE);
    expect(group.heartbeat(l, 'i-1', 1)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await syncAgain(group, again.memberId, 'i-1')).assignment.toString()).toBe('L');
    expect((await syncAgain(group, f, 'i-2')).assignment.toString()).toBe('F');
  });

  it('static membership: before v9 the restarted leader is named a follower (the old leader id), so it does not reassign', async () => {
    const { group, l } = await stableStatic();
    const again = await group.join(params('', { groupInstanceId: 'i-1', supportsSkipAssignment: false }));
    expect(again).toMatchObject({ errorCode: 0, generationId: 1, leader: l, members: [], skipAssignment: false });
    expect(again.memberId).not.toBe(l);
    expect(group.state).toBe('Stable');
    expect(group.isLeader(again.memberId)).toBe(true);
    expect((await syncAgain(group, again.memberId, 'i-1')).assignment.toString()).toBe('L');
  });

  it('static membership: new metadata alone keeps the group Stable (stored); a change of the chosen protocol rebalances', async () => {
    const persisted: Buffer[] = [];
    const { group } = await stableStatic(async (g) => {
      persisted.push([...g.members.values()].find((m) => m.groupInstanceId === 'i-1')!.metadataFor('range'));
    }, protocols('range', 'sticky'));
    const meta = [{ name: 'range', metadata: Buffer.from('new') }, { name: 'sticky', metadata: Buffer.from('new') }];
    const same = await group.join(params('', { groupInstanceId: 'i-1', protocols: meta }));
    expect(same).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(group.state).toBe('Stable');
    expect(persisted.at(-1)!.toString()).toBe('new');
    // i-1 now prefers sticky: with the tie going to the first member's preference, the vote changes.
    const changed = track(group.join(params('', { groupInstanceId: 'i-1', protocols: protocols('sticky', 'range') })));
    await settle();
    expect(changed.value).toBeUndefined();
    expect(group.state).toBe('PreparingRebalance');
  });

  it('static membership: when the new member id cannot be stored, the old incarnation keeps its place', async () => {
    let fail = false;
    const { group, l } = await stableStatic(async () => {
      if (fail) throw new Error('disk full');
    });
    fail = true;
    const again = await group.join(params('', { groupInstanceId: 'i-1', supportsSkipAssignment: true }));
    expect(again).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId: '', generationId: 1, leader: l });
    expect(group.heartbeat(l, 'i-1', 1)).toBe(ErrorCode.NONE);
    expect(group.isLeader(l)).toBe(true);
    expect(group.state).toBe('Stable');
  });

  it('offset commit validation follows the state', async () => {
    const { clock, group } = setup({ delay: 0 });
    expect(group.validateOffsetCommit('', null, -1)).toBe(ErrorCode.NONE); // simple commit to an Empty group
    const a = await joinNew(group);
    clock.advance(0);
    await settle();
    expect(group.validateOffsetCommit(a.memberId, null, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(group.validateOffsetCommit('', null, -1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    await sync(group, a.memberId, 1, [[a.memberId, 'A']]);
    await settle();
    expect(group.validateOffsetCommit(a.memberId, null, 1)).toBe(ErrorCode.NONE);
    expect(group.validateOffsetCommit(a.memberId, null, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('a pending member (MEMBER_ID_REQUIRED) that never rejoins expires after its session timeout', async () => {
    const { clock, group, a, b, gen } = await stableTwo();
    const first = await group.join(params(''));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    clock.advance(SESSION / 2);
    expect(group.heartbeat(a, null, gen)).toBe(ErrorCode.NONE); // a pending member causes no rebalance
    group.heartbeat(b, null, gen);
    clock.advance(SESSION / 2);
    const late = await group.join(params(first.memberId));
    expect(late.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a JoinGroup from a known member in CompletingRebalance with the same metadata is answered again', async () => {
    const { clock, group } = setup({ delay: 0 });
    const a = await joinNew(group);
    clock.advance(0);
    await settle();
    const again: JoinResult = await group.join(params(a.memberId));
    expect(again).toMatchObject({ errorCode: 0, generationId: 1, leader: a.memberId });
    expect(group.state).toBe('CompletingRebalance');
    const changed = track(group.join(params(a.memberId, { protocols: protocols('range', 'sticky') })));
    await settle();
    expect(group.state).toBe('CompletingRebalance'); // one member, everyone rejoined: straight to the next generation
    expect(changed.value!.generationId).toBe(2);
  });

  it('shutdown answers held requests and leaves no clock behind', async () => {
    const { clock, group } = setup();
    const a = await joinNew(group);
    group.shutdown();
    await settle();
    expect(a.join.value!.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(clock.size).toBe(0);
  });
});
