/**
 * Issue "Consumer groups": groups of KafkaJS and librdkafka (kcat -G) consumers share a topic's
 * partitions, rebalance as members come, go or die, commit offsets and resume from them — also
 * after the broker is killed — and the admin APIs agree with what the consumers did.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignerProtocol, type Consumer, type Kafka } from 'kafkajs';
import { kafkajs, resolveTarget, ROOT, startBroker, type BrokerHandle } from './harness.js';

const target = await resolveTarget();

const SESSION_MS = 6000; // group.min.session.timeout.ms
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A KafkaJS consumer that records its latest assignment and the messages it saw. */
interface Tracked {
  consumer: Consumer;
  assignment: number[];
  joins: number;
  seen: { partition: number; offset: number; value: string }[];
}

async function startConsumer(kafka: Kafka, groupId: string, topic: string, opts: { autoCommit?: boolean } = {}): Promise<Tracked> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: SESSION_MS, heartbeatInterval: 300, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 });
  const t: Tracked = { consumer, assignment: [], joins: 0, seen: [] };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    t.assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    t.joins++;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: opts.autoCommit ?? true,
    eachMessage: async ({ partition, message }) => {
      t.seen.push({ partition, offset: Number(message.offset), value: message.value!.toString() });
    },
  });
  return t;
}

/** True when the members' assignments are disjoint, non-empty, and cover partitions 0..n-1. */
function splitsExactly(assignments: number[][], n: number): boolean {
  const all = assignments.flat().sort((a, b) => a - b);
  return assignments.every((a) => a.length > 0) && all.length === n && all.every((p, i) => p === i);
}

async function produce(kafka: Kafka, topic: string, count: number, prefix: string): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}` })) });
  await producer.disconnect();
}

/** A KafkaJS consumer in its own process, so it can be killed without a LeaveGroup. */
function spawnConsumer(broker: BrokerHandle, groupId: string, topic: string): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tafka-consumer-'));
  const script = join(dir, 'consumer.mjs');
  writeFileSync(script, `
import { Kafka, logLevel } from ${JSON.stringify(join(ROOT, 'node_modules', 'kafkajs', 'index.js'))};
const kafka = new Kafka({ clientId: 'doomed', brokers: [${JSON.stringify(broker.bootstrap)}], logLevel: logLevel.NOTHING });
const c = kafka.consumer({ groupId: ${JSON.stringify(groupId)}, sessionTimeout: ${SESSION_MS}, heartbeatInterval: 300, rebalanceTimeout: 10000 });
c.on(c.events.GROUP_JOIN, (e) => console.log('assigned ' + JSON.stringify(e.payload.memberAssignment)));
await c.connect();
await c.subscribe({ topics: [${JSON.stringify(topic)}], fromBeginning: true });
await c.run({ eachMessage: async () => {} });
`);
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('assigned')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`consumer process exited with ${code}`)));
  });
}

describe.skipIf(target.skipReason !== undefined)('consumer groups', () => {
  let broker: BrokerHandle;
  let kafka: Kafka;
  beforeAll(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': '6' } });
    kafka = kafkajs(broker);
  });
  afterAll(async () => broker?.stop());

  it('KafkaJS: 3 consumers split 6 partitions; a leaver\'s partitions move at once, a killed one\'s after the session timeout', async () => {
    const topic = 'kjs-split';
    await produce(kafka, topic, 60, 'm');
    const a = await startConsumer(kafka, 'kjs-split-group', topic);
    const b = await startConsumer(kafka, 'kjs-split-group', topic);
    const doomed = await spawnConsumer(broker, 'kjs-split-group', topic);
    try {
      const admin = kafka.admin();
      await admin.connect();
      // Three members, every partition assigned exactly once.
      await waitFor('3 members sharing 6 partitions', async () => {
        const { groups } = await admin.describeGroups(['kjs-split-group']);
        const g = groups[0]!;
        if (g.state !== 'Stable' || g.members.length !== 3) return false;
        const split = g.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)!.assignment[topic] ?? []);
        // The in-process members' own view agrees with the coordinator's.
        const mine = [a.assignment, b.assignment].map((x) => JSON.stringify(x));
        return splitsExactly(split, 6) && mine.every((x) => split.some((s) => JSON.stringify([...s].sort((p, q) => p - q)) === x));
      });
      await waitFor('all 60 messages consumed', () => a.seen.length + b.seen.length >= 40);

      // kill -9: no LeaveGroup. The group notices after the session timeout, not before.
      const killedAt = Date.now();
      doomed.kill('SIGKILL');
      await waitFor('2 members sharing 6 partitions', () => splitsExactly([a.assignment, b.assignment], 6), 30_000);
      const moved = Date.now() - killedAt;
      expect(moved).toBeGreaterThanOrEqual(SESSION_MS - 1000);

      // A clean leave: the last member gets everything within one rebalance, far below the session timeout.
      const leftAt = Date.now();
      const joinsBefore = a.joins;
      await b.consumer.disconnect();
      await waitFor('1 member with all 6 partitions', () => a.joins > joinsBefore && splitsExactly([a.assignment], 6));
      expect(Date.now() - leftAt).toBeLessThan(SESSION_MS);
      await admin.disconnect();
    } finally {
      doomed.kill('SIGKILL');
      await a.consumer.disconnect();
      await b.consumer.disconnect();
    }
  });

  it.each([
    ['eager (range,roundrobin)', 'range,roundrobin'],
    ['cooperative-sticky', 'cooperative-sticky'],
  ])('kcat -G: 2 librdkafka members split the partitions, %s', async (_, strategy) => {
    const topic = `kcat-${strategy.replace(/[^a-z]/g, '')}`;
    const group = `${topic}-group`;
    await produce(kafka, topic, 30, 'k');
    const members = [0, 1].map(() =>
      spawn('kcat', ['-b', broker.bootstrap, '-G', group, topic, '-q', '-u', '-f', '%p %o\\n',
        '-X', `partition.assignment.strategy=${strategy}`, '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=300',
        '-X', 'auto.offset.reset=earliest'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    // Whole lines only: a chunk may end mid-line.
    const outputs = members.map((m) => {
      const lines: string[] = [];
      let rest = '';
      m.stdout!.on('data', (d: Buffer) => {
        const parts = (rest + d.toString()).split('\n');
        rest = parts.pop()!;
        lines.push(...parts.filter(Boolean));
      });
      return lines;
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const split = await waitFor('2 kcat members sharing 6 partitions', async () => {
        const { groups } = await admin.describeGroups([group]);
        const g = groups[0]!;
        if (g.state !== 'Stable' || g.members.length !== 2) return false;
        const s = g.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)!.assignment[topic] ?? []);
        return splitsExactly(s, 6) && { g, s };
      });
      expect(split.g.protocolType).toBe('consumer');
      expect(split.g.protocol).toBe(strategy.split(',')[0]);
      expect(split.g.members.every((m) => m.clientId === 'rdkafka')).toBe(true);
      // Between them they read every message (-u: kcat writes each line unbuffered).
      await waitFor('all 30 messages', () => new Set(outputs.flat()).size === 30);
    } finally {
      for (const m of members) m.kill('SIGTERM');
      await Promise.all(members.map((m) => new Promise((r) => (m.exitCode !== null ? r(null) : m.once('exit', r)))));
      await admin.disconnect();
    }
    // SIGTERM makes kcat leave the group: it is Empty right away, not after a session timeout.
    const { groups } = await (async () => {
      const ad = kafka.admin();
      await ad.connect();
      try {
        return await ad.describeGroups([group]);
      } finally {
        await ad.disconnect();
      }
    })();
    expect(groups[0]!.state).toBe('Empty');
  });

  it('KafkaJS admin: listGroups, describeGroups, fetchOffsets, setOffsets, resetOffsets, deleteGroups', async () => {
    const topic = 'admin-groups';
    const group = 'admin-group';
    await produce(kafka, topic, 30, 'a');
    const c = await startConsumer(kafka, group, topic);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor('30 messages consumed', () => c.seen.length === 30);
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.offset]));
      // KafkaJS commits what it consumed (auto-commit on batch end).
      await waitFor('commits reach the log end', async () => {
        const [fetched] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        return fetched!.partitions.every((p) => p.offset === ends.get(p.partition));
      });
      const listed = await admin.listGroups();
      expect(listed.groups).toContainEqual({ groupId: group, protocolType: 'consumer' });
      const described = (await admin.describeGroups([group])).groups[0]!;
      expect(described).toMatchObject({ groupId: group, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
      expect(described.members).toHaveLength(1);
      expect(described.members[0]!.clientId).toBe('tafka-it');

      // A group with members can be neither deleted nor have its offsets set.
      await expect(admin.deleteGroups([group])).rejects.toThrow();
      await c.consumer.disconnect();
      expect((await admin.describeGroups([group])).groups[0]!.state).toBe('Empty');

      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '1' }, { partition: 3, offset: '2' }] });
      let [fetched] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const byPartition = new Map(fetched!.partitions.map((p) => [p.partition, p]));
      expect(byPartition.get(0)!.offset).toBe('1');
      expect(byPartition.get(3)!.offset).toBe('2');
      expect(byPartition.get(1)!.offset).toBe(ends.get(1));

      // KafkaJS commits -2 ("earliest") and resolves it when fetching with resolveOffsets.
      await admin.resetOffsets({ groupId: group, topic, earliest: true });
      [fetched] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      expect(fetched!.partitions.every((p) => p.offset === '-2')).toBe(true);
      [fetched] = await admin.fetchOffsets({ groupId: group, topics: [topic], resolveOffsets: true });
      expect(fetched!.partitions.every((p) => p.offset === '0')).toBe(true);

      // A restarted consumer resumes from the reset offsets: it reads everything again.
      const again = await startConsumer(kafka, group, topic);
      await waitFor('30 messages again', () => again.seen.length === 30);
      await again.consumer.disconnect();

      expect(await admin.deleteGroups([group])).toEqual([{ groupId: group, errorCode: 0 }]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(group);
      expect((await admin.describeGroups([group])).groups[0]!.state).toBe('Dead');
      [fetched] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      expect(fetched!.partitions.every((p) => p.offset === '-1')).toBe(true);
    } finally {
      await c.consumer.disconnect();
      await admin.disconnect();
    }
  });

  it('commits survive kill -9 and a restart: a new consumer continues exactly after the last commit', async () => {
    if (!broker.controllable) return;
    const topic = 'resume';
    const group = 'resume-group';
    await produce(kafka, topic, 60, 'first');
    const c = await startConsumer(kafka, group, topic, { autoCommit: false });
    await waitFor('60 messages', () => c.seen.length === 60);
    // Commit half of each partition: the rest counts as unprocessed.
    const counts = new Map<number, number>();
    for (const m of c.seen) counts.set(m.partition, Math.max(counts.get(m.partition) ?? 0, m.offset + 1));
    const committed = new Map([...counts].map(([p, end]) => [p, Math.floor(end / 2)]));
    await c.consumer.commitOffsets([...committed].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })));
    await c.consumer.disconnect();

    await broker.crashAndRestart();
    kafka = kafkajs(broker);

    const d = await startConsumer(kafka, group, topic, { autoCommit: false });
    const expected = 60 - [...committed.values()].reduce((s, o) => s + o, 0);
    await waitFor(`${expected} uncommitted messages`, () => d.seen.length >= expected);
    await sleep(500);
    // Exactly the uncommitted messages: none lost, none of the committed ones repeated.
    expect(d.seen).toHaveLength(expected);
    for (const m of d.seen) expect(m.offset).toBeGreaterThanOrEqual(committed.get(m.partition)!);
    await d.consumer.commitOffsets([...counts].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })));
    await d.consumer.disconnect();

    // And after a clean restart the group, its state and every commit are still there.
    await broker.restart();
    kafka = kafkajs(broker);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [fetched] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      for (const p of fetched!.partitions) expect(Number(p.offset)).toBe(counts.get(p.partition));
      const described = (await admin.describeGroups([group])).groups[0]!;
      expect(described).toMatchObject({ state: 'Empty', protocolType: 'consumer' });
    } finally {
      await admin.disconnect();
    }
  });
});
