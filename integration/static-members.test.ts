/**
 * Issue 10 item 4, static membership (KIP-345): a static member that restarts — here the group's
 * leader, killed with SIGKILL so it sends no LeaveGroup — comes back under its group.instance.id and
 * gets its old partitions without a rebalance; the other member never notices. Two real clients:
 * librdkafka (python3-confluent-kafka, JoinGroup v5: the restarted leader is named a follower) and
 * @platformatic/kafka (JoinGroup v9: it is told it leads, with skip_assignment).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer } from '@platformatic/kafka';
import { kafkajs, resolveTarget, ROOT, startBroker, type BrokerHandle } from './harness.js';

const target = await resolveTarget();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The last event matching `match` (Array.prototype.findLast is newer than the lib this compiles against). */
const lastOf = (events: Record<string, unknown>[], match: (e: Record<string, unknown>) => boolean) => [...events].reverse().find(match);

/** A process that prints one JSON event per line; `events` collects them. */
interface Member {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
}

function spawnMember(command: string, args: string[]): Member {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const events: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { child, events };
}

const scriptDir = mkdtempSync(join(tmpdir(), 'tafka-static-'));

/** librdkafka through python3-confluent-kafka (Debian's, so /usr/bin/python3). */
const PYTHON_CONSUMER = join(scriptDir, 'static_consumer.py');
writeFileSync(PYTHON_CONSUMER, `
import sys, json
from confluent_kafka import Consumer
bootstrap, group, topic, instance = sys.argv[1:5]
def log(kind, parts):
    print(json.dumps({"event": kind, "partitions": sorted(p.partition for p in parts)}), flush=True)
c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "group.instance.id": instance,
              "session.timeout.ms": 20000, "heartbeat.interval.ms": 300})
c.subscribe([topic], on_assign=lambda c, p: log("assign", p), on_revoke=lambda c, p: log("revoke", p))
while True:
    c.poll(0.1)
`);

const librdkafkaMember = (broker: BrokerHandle, group: string, topic: string, instance: string) =>
  spawnMember('/usr/bin/python3', [PYTHON_CONSUMER, broker.bootstrap, group, topic, instance]);

/** @platformatic/kafka in its own process, printing each group:join. */
const PLATFORMATIC_CONSUMER = join(scriptDir, 'static-consumer.mjs');
writeFileSync(PLATFORMATIC_CONSUMER, `
import { Consumer } from ${JSON.stringify(join(ROOT, 'node_modules', '@platformatic', 'kafka', 'dist', 'index.js'))};
const [bootstrap, groupId, topic, groupInstanceId] = process.argv.slice(2);
const consumer = new Consumer({ groupId, groupInstanceId, clientId: groupInstanceId, bootstrapBrokers: [bootstrap], sessionTimeout: 20000, heartbeatInterval: 300 });
consumer.on('consumer:group:join', (e) => console.log(JSON.stringify({ event: 'join', generationId: e.generationId, isLeader: e.isLeader, memberId: e.memberId })));
await consumer.consume({ topics: [topic], mode: 'latest' });
`);

const platformaticMember = (broker: BrokerHandle, group: string, topic: string, instance: string) =>
  spawnMember(process.execPath, [PLATFORMATIC_CONSUMER, broker.bootstrap, group, topic, instance]);

describe.skipIf(target.skipReason !== undefined)('static members (KIP-345)', () => {
  let broker: BrokerHandle;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    broker = await startBroker();
    const admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'static-rdk', numPartitions: 2 }, { topic: 'static-pk', numPartitions: 2 }] });
    await admin.disconnect();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await broker?.stop();
  });

  it('librdkafka (JoinGroup v5): the killed leader restarts into its old partitions; the follower sees no rebalance', async () => {
    const group = 'static-rdk-group';
    const leader = librdkafkaMember(broker, group, 'static-rdk', 'rdk-a');
    children.push(leader.child);
    await waitFor('the leader alone owning both partitions', () => leader.events.some((e) => e.event === 'assign'));
    const follower = librdkafkaMember(broker, group, 'static-rdk', 'rdk-b');
    children.push(follower.child);
    const split = await waitFor('each member owning one partition', () => {
      const mine = lastOf(follower.events, (e) => e.event === 'assign')?.partitions as number[] | undefined;
      const theirs = lastOf(leader.events, (e) => e.event === 'assign')?.partitions as number[] | undefined;
      return mine?.length === 1 && theirs?.length === 1 && { mine, theirs };
    });
    const followerEvents = follower.events.length;

    leader.child.kill('SIGKILL');
    const restarted = librdkafkaMember(broker, group, 'static-rdk', 'rdk-a');
    children.push(restarted.child);
    const back = await waitFor('the restarted leader assigned', () => restarted.events.find((e) => e.event === 'assign'));
    expect(back.partitions).toEqual(split.theirs);
    // Give a rebalance every chance to show up at the follower (heartbeats every 300 ms).
    await sleep(3000);
    expect(follower.events.slice(followerEvents)).toEqual([]);
    expect(restarted.events.filter((e) => e.event === 'assign')).toHaveLength(1);
  });

  it('@platformatic/kafka (JoinGroup v9): the restarted leader keeps leading, in the same generation, while the other member carries on', async () => {
    const group = 'static-pk-group';
    const leader = platformaticMember(broker, group, 'static-pk', 'pk-a');
    children.push(leader.child);
    await waitFor('the first member leading', () => leader.events.some((e) => e.event === 'join' && e.isLeader));
    const other = new Consumer({ groupId: group, groupInstanceId: 'pk-b', clientId: 'pk-b', bootstrapBrokers: [broker.bootstrap], sessionTimeout: 20000, heartbeatInterval: 300 });
    const otherJoins: number[] = [];
    other.on('consumer:group:join', (e: { generationId: number }) => otherJoins.push(e.generationId));
    const stream = await other.consume({ topics: ['static-pk'], mode: 'latest' });
    try {
      const generation = await waitFor('both members in one generation', () => {
        const last = lastOf(leader.events, (e) => e.event === 'join');
        return otherJoins.length > 0 && last?.generationId === otherJoins.at(-1) && otherJoins.at(-1);
      });
      const joinsBefore = otherJoins.length;

      leader.child.kill('SIGKILL');
      const restarted = platformaticMember(broker, group, 'static-pk', 'pk-a');
      children.push(restarted.child);
      const back = await waitFor('the restarted member joined', () => restarted.events.find((e) => e.event === 'join'));
      expect(back).toMatchObject({ generationId: generation, isLeader: true });
      await sleep(3000);
      expect(otherJoins.length).toBe(joinsBefore);
    } finally {
      await stream.close();
      await other.close();
    }
  });
});
