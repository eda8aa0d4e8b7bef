/**
 * How fast a group settles: 10 consumers on a 100-partition topic, driving the coordinator directly
 * (no sockets), with the group metadata written to a real `__consumer_offsets` log on disk.
 *
 * - cold start: 10 members join an empty group (v4 dance: MEMBER_ID_REQUIRED, then the real join),
 *   the leader range-assigns 100 partitions, all 10 SyncGroups are answered;
 * - rebalance: an 11th member joins a Stable group; the others learn it from their next heartbeat
 *   (every HEARTBEAT_MS), rejoin, and all 11 get their new assignment.
 *
 * group.initial.rebalance.delay.ms is 0, so what is measured is the coordinator's own cost plus, for
 * the rebalance, up to one heartbeat interval.
 *
 *   npx tsc -p tsconfig.build.json && node dist/test/bench/group-bench.js [rounds, default 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { systemClock } from '../../src/clock.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { GroupCoordinator } from '../../src/group/coordinator.js';
import { LogOffsetStore } from '../../src/group/offset-store.js';
import { FileStorage } from '../../src/log/file-storage.js';
import { LogManager } from '../../src/log/log-manager.js';
import { TopicRegistry } from '../../src/topics/registry.js';

const ROUNDS = Number(process.argv[2] ?? 20);
const MEMBERS = 10;
const PARTITIONS = 100;
const HEARTBEAT_MS = 50;
const TOPIC = 'bench';

/** ConsumerProtocolSubscription v0: [TOPIC], no user data. */
function subscription(): Buffer {
  const name = Buffer.from(TOPIC);
  const b = Buffer.alloc(2 + 4 + 2 + name.length + 4);
  let o = b.writeInt16BE(0, 0);
  o = b.writeInt32BE(1, o);
  o = b.writeInt16BE(name.length, o);
  o += name.copy(b, o);
  b.writeInt32BE(-1, o);
  return b;
}

/** ConsumerProtocolAssignment v0 for partitions of TOPIC. */
function assignment(partitions: number[]): Buffer {
  const name = Buffer.from(TOPIC);
  const b = Buffer.alloc(2 + 4 + 2 + name.length + 4 + 4 * partitions.length + 4);
  let o = b.writeInt16BE(0, 0);
  o = b.writeInt32BE(1, o);
  o = b.writeInt16BE(name.length, o);
  o += name.copy(b, o);
  o = b.writeInt32BE(partitions.length, o);
  for (const p of partitions) o = b.writeInt32BE(p, o);
  b.writeInt32BE(-1, o);
  return b;
}

/** The range assignor, as the leader runs it. */
function rangeAssign(memberIds: string[]): { memberId: string; assignment: Buffer }[] {
  const sorted = [...memberIds].sort();
  const per = Math.floor(PARTITIONS / sorted.length);
  const extra = PARTITIONS % sorted.length;
  let next = 0;
  return sorted.map((memberId, i) => {
    const n = per + (i < extra ? 1 : 0);
    const ps = Array.from({ length: n }, (_, k) => next + k);
    next += n;
    return { memberId, assignment: assignment(ps) };
  });
}

class Member {
  memberId = '';
  generation = -1;
  assigned = false;
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly c: GroupCoordinator, private readonly group: string, private readonly onSynced: () => void) {}

  async join(): Promise<void> {
    this.assigned = false;
    for (;;) {
      const r = await this.c.joinGroup(this.group, {
        memberId: this.memberId, groupInstanceId: null, clientId: 'bench', clientHost: '127.0.0.1',
        rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 30_000, protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: subscription() }], requireKnownMemberId: true, supportsSkipAssignment: true,
      });
      this.memberId = r.memberId;
      if (r.errorCode === ErrorCode.MEMBER_ID_REQUIRED) continue;
      if (r.errorCode !== ErrorCode.NONE) throw new Error(`join failed: ${r.errorCode}`);
      this.generation = r.generationId;
      const assignments = r.leader === r.memberId ? rangeAssign(r.members.map((m) => m.memberId)) : [];
      const s = await this.c.syncGroup(this.group, {
        memberId: this.memberId, groupInstanceId: null, generationId: r.generationId, protocolType: 'consumer', protocolName: 'range', assignments,
      });
      if (s.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
      if (s.errorCode !== ErrorCode.NONE) throw new Error(`sync failed: ${s.errorCode}`);
      this.assigned = s.assignment.length > 0;
      this.onSynced();
      this.startHeartbeat();
      return;
    }
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      const e = this.c.heartbeat(this.group, this.memberId, null, this.generation);
      if (e === ErrorCode.REBALANCE_IN_PROGRESS) {
        clearInterval(this.heartbeat);
        void this.join();
      }
    }, HEARTBEAT_MS);
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }
}

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tafka-group-bench-'));
  const logger = pino({ level: 'silent' });
  const storage = await FileStorage.create(dir);
  const logs = await LogManager.open({ storage, logger });
  const store = await LogOffsetStore.open({ config: new BrokerConfig(), logs, registry: await TopicRegistry.open(storage), clock: systemClock, logger });
  const c = new GroupCoordinator({
    clock: systemClock,
    logger,
    store,
    config: {
      initialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 1_800_000, groupMaxSize: 1000,
      offsetsRetentionMs: 7 * 24 * 3600_000, offsetsRetentionCheckIntervalMs: 600_000, offsetMetadataMaxBytes: 4096,
    },
  });
  await c.startup();
  // The coordinator's timers are unref'd (a broker's sockets keep it alive); here nothing else would.
  const keepAlive = setInterval(() => {}, 1000);

  const cold: number[] = [];
  const rebalance: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const group = `bench-${round}`;
    let synced = 0;
    let settled: () => void = () => {};
    const onSynced = () => {
      synced++;
      if (members.every((m) => m.assigned) && synced >= members.length) settled();
    };
    const members: Member[] = Array.from({ length: MEMBERS }, () => new Member(c, group, onSynced));

    let t0 = performance.now();
    await new Promise<void>((resolve) => {
      settled = resolve;
      for (const m of members) void m.join();
    });
    cold.push(performance.now() - t0);

    synced = 0;
    t0 = performance.now();
    const newcomer = new Member(c, group, onSynced);
    members.push(newcomer);
    await new Promise<void>((resolve) => {
      settled = resolve;
      void newcomer.join();
    });
    rebalance.push(performance.now() - t0);
    const d = c.describeGroup(group);
    if (d.state !== 'Stable' || d.members.length !== MEMBERS + 1) throw new Error(`group did not settle: ${d.state}`);
    for (const m of members) m.stop();
  }
  clearInterval(keepAlive);
  await c.close();
  await logs.close();
  rmSync(dir, { recursive: true, force: true });

  const fmt = (xs: number[]) => `median ${percentile(xs, 0.5).toFixed(1)} ms, p90 ${percentile(xs, 0.9).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  console.log(`group settle, ${MEMBERS} members, ${PARTITIONS} partitions, ${ROUNDS} rounds, initial delay 0`);
  console.log(`  cold start (${MEMBERS} joins -> all assigned):        ${fmt(cold)}`);
  console.log(`  rebalance (1 join -> all ${MEMBERS + 1} reassigned; heartbeat ${HEARTBEAT_MS} ms): ${fmt(rebalance)}`);
}

await main();
