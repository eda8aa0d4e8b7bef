/**
 * Issue 15: KIP-848 consumer groups with a real client — librdkafka 2.12 with
 * `group.protocol=consumer` (node-rdkafka, compiled from the registry package by node-gyp), each
 * consumer in its own process (kip848-member.cjs) so a test can SIGKILL one. KafkaJS, which speaks
 * only the classic protocol, produces, administers, and runs a classic group beside them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkajs, resolveTarget, ROOT, startBroker, type BrokerHandle } from './harness.js';

const target = await resolveTarget();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SESSION_TIMEOUT_MS = 6000;

interface Member {
  readonly child: ChildProcess;
  /** Its latest assignment, as "topic-partition". */
  assignment: string[];
  readonly messages: { topic: string; partition: number; offset: number; value: string }[];
  readonly errors: string[];
}

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe.skipIf(target.skipReason !== undefined)('KIP-848 consumer groups (librdkafka group.protocol=consumer)', () => {
  let broker: BrokerHandle;
  const members: Member[] = [];

  function member(group: string, topics: string, instanceId?: string): Member {
    const args = [join(ROOT, 'integration', 'kip848-member.cjs'), broker.bootstrap, group, topics];
    if (instanceId) args.push(instanceId);
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    const m: Member = { child, assignment: [], messages: [], errors: [] };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const e = JSON.parse(line) as { t: string; partitions?: string[]; message?: string; topic: string; partition: number; offset: number; value: string };
      if (e.t === 'assignment') m.assignment = e.partitions!;
      else if (e.t === 'msg') m.messages.push({ topic: e.topic, partition: e.partition, offset: e.offset, value: e.value });
      else if (e.t === 'error') m.errors.push(e.message!);
    });
    members.push(m);
    return m;
  }

  async function close(m: Member): Promise<void> {
    if (m.child.exitCode !== null) return;
    const exited = new Promise((r) => m.child.once('exit', r));
    m.child.stdin!.write('close\n');
    await Promise.race([exited, sleep(10_000)]);
    m.child.kill('SIGKILL');
  }

  const disjointCover = (ms: Member[], expected: string[]) => {
    const all = ms.flatMap((m) => m.assignment);
    return all.length === expected.length && new Set(all).size === all.length && expected.every((p) => all.includes(p));
  };
  const partitionsOf = (topic: string, n: number) => Array.from({ length: n }, (_, i) => `${topic}-${i}`);

  beforeAll(async () => {
    broker = await startBroker({
      overrides: {
        'group.consumer.session.timeout.ms': String(SESSION_TIMEOUT_MS),
        'group.consumer.min.session.timeout.ms': String(SESSION_TIMEOUT_MS),
        'group.consumer.heartbeat.interval.ms': '500',
        'group.consumer.min.heartbeat.interval.ms': '500',
      },
    });
  });
  afterAll(async () => {
    await Promise.all(members.map(close));
    await broker?.stop();
  });

  it('three consumers split a 6-partition topic without overlap; a killed one\'s partitions move after the session timeout', async () => {
    const admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'k848-split', numPartitions: 6 }] });
    await admin.disconnect();
    const ms = [member('k848-g1', 'k848-split'), member('k848-g1', 'k848-split'), member('k848-g1', 'k848-split')];
    const expected = partitionsOf('k848-split', 6);
    await waitFor('3 members sharing 6 partitions', () => disjointCover(ms, expected) && ms.every((m) => m.assignment.length === 2));

    const killedAt = Date.now();
    ms[0]!.child.kill('SIGKILL');
    await waitFor('the survivors taking over', () => disjointCover(ms.slice(1), expected) && ms.slice(1).every((m) => m.assignment.length === 3));
    // Nobody told the broker: it waited for the session to run out.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 1000);
    await Promise.all(ms.map(close));
  });

  it('partitions added with CreatePartitions reach a member', async () => {
    const admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'k848-grow', numPartitions: 2 }] });
    const ms = [member('k848-g2', 'k848-grow'), member('k848-g2', 'k848-grow')];
    await waitFor('2 members with a partition each', () => disjointCover(ms, partitionsOf('k848-grow', 2)));
    await admin.createPartitions({ topicPartitions: [{ topic: 'k848-grow', count: 4 }] });
    await admin.disconnect();
    await waitFor('the new partitions assigned', () => disjointCover(ms, partitionsOf('k848-grow', 4)) && ms.every((m) => m.assignment.length === 2));
    await Promise.all(ms.map(close));
  });

  it('a regex subscription picks up a new matching topic', async () => {
    const admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'k848-rx-one', numPartitions: 1 }, { topic: 'k848-other', numPartitions: 1 }] });
    const m = member('k848-g3', '^k848-rx-.*');
    await waitFor('the matching topic', () => m.assignment.join() === 'k848-rx-one-0');
    await admin.createTopics({ topics: [{ topic: 'k848-rx-two', numPartitions: 2 }] });
    await admin.disconnect();
    await waitFor('the new matching topic', () => m.assignment.join() === 'k848-rx-one-0,k848-rx-two-0,k848-rx-two-1');
    expect(m.assignment.some((p) => p.startsWith('k848-other'))).toBe(false);
    await close(m);
  });

  it('commits (OffsetCommit v9 with member epochs) and a restart resumes exactly after them', async () => {
    const kafka = kafkajs(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'k848-resume', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const send = (from: number, n: number) => producer.send({
      topic: 'k848-resume', messages: Array.from({ length: n }, (_, i) => ({ key: `k${(from + i) % 5}`, value: `v${from + i}` })),
    });
    await send(0, 20);
    const first = member('k848-g4', 'k848-resume');
    await waitFor('20 records', () => first.messages.length >= 20);
    await close(first);
    await send(20, 10);
    const second = member('k848-g4', 'k848-resume');
    await waitFor('10 more records', () => second.messages.length >= 10);
    await sleep(500);
    expect(second.messages.map((m) => m.value).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${20 + i}`).sort());
    expect(first.errors.concat(second.errors).filter((e) => /commit/i.test(e))).toEqual([]);
    await producer.disconnect();
    await close(second);
  });

  it('a live classic KafkaJS group upgrades when a KIP-848 member joins it, and downgrades when that member leaves', async () => {
    const kafka = kafkajs(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'k848-migrate', numPartitions: 4 }] });
    const producer = kafka.producer();
    await producer.connect();
    const send = (from: number, n: number) => producer.send({
      topic: 'k848-migrate', messages: Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })),
    });
    await send(0, 8);

    // Two KafkaJS consumers form a classic group; each remembers the assignment of its last join.
    const group = 'k848-migrate-g';
    const seen = new Set<string>();
    const classic = [0, 1].map(() => {
      const c = { consumer: kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 }), partitions: [] as string[], joins: 0 };
      c.consumer.on(c.consumer.events.GROUP_JOIN, (e) => {
        c.joins++;
        c.partitions = Object.entries(e.payload.memberAssignment).flatMap(([t, ps]) => (ps as number[]).map((p) => `${t}-${p}`)).sort();
      });
      return c;
    });
    for (const c of classic) {
      await c.consumer.connect();
      await c.consumer.subscribe({ topic: 'k848-migrate', fromBeginning: true });
      await c.consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
    }
    const expected = partitionsOf('k848-migrate', 4);
    const covers = (lists: string[][]) => {
      const all = lists.flat();
      return all.length === expected.length && new Set(all).size === all.length && expected.every((p) => all.includes(p));
    };
    await waitFor('the classic group sharing 4 partitions', () => covers(classic.map((c) => c.partitions)) && classic.every((c) => c.partitions.length === 2));
    await waitFor('the first 8 records', () => seen.size >= 8);
    const describe = async () => (await admin.describeGroups([group])).groups[0]!;
    expect((await describe()).members).toHaveLength(2);

    // A KIP-848 member joins the live classic group: the group converts, the KafkaJS members rejoin
    // it (told by their heartbeats), and the broker's assignor splits the topic between all three.
    const modern = member(group, 'k848-migrate');
    await waitFor('three members sharing 4 partitions', () =>
      modern.assignment.length > 0 && covers([modern.assignment, ...classic.map((c) => c.partitions)]));
    const upgraded = await describe();
    expect(upgraded.members).toHaveLength(3);
    expect(upgraded.members.some((m) => m.clientId.startsWith('kip848-'))).toBe(true);
    await send(8, 12);
    await waitFor('all 20 records, read by the three', () => seen.size + new Set(modern.messages.map((m) => m.value)).size >= 20 &&
      Array.from({ length: 20 }, (_, i) => `v${i}`).every((v) => seen.has(v) || modern.messages.some((m) => m.value === v)));
    expect(modern.errors).toEqual([]);

    // It leaves: the group is classic again, and the KafkaJS members take everything back.
    const joinsBefore = classic.map((c) => c.joins);
    await close(modern);
    await waitFor('the classic group alone again', () =>
      classic.every((c, i) => c.joins > joinsBefore[i]!) && covers(classic.map((c) => c.partitions)));
    const downgraded = await describe();
    expect(downgraded.members).toHaveLength(2);
    expect(downgraded.protocol).toBe('RoundRobinAssigner');
    await send(20, 4);
    await waitFor('the records sent after the downgrade', () => ['v20', 'v21', 'v22', 'v23'].every((v) => seen.has(v)));

    await Promise.all(classic.map((c) => c.consumer.disconnect()));
    await producer.disconnect();
    await admin.disconnect();
  });

  it('a classic KafkaJS group and a KIP-848 group consume the same topic side by side', async () => {
    const kafka = kafkajs(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'k848-both', numPartitions: 3 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'k848-both', messages: Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();

    const modern = [member('k848-modern', 'k848-both'), member('k848-modern', 'k848-both')];
    const classic = kafka.consumer({ groupId: 'k848-classic', sessionTimeout: 10_000, heartbeatInterval: 500 });
    const classicSeen: string[] = [];
    await classic.connect();
    await classic.subscribe({ topic: 'k848-both', fromBeginning: true });
    await classic.run({ eachMessage: async ({ message }) => void classicSeen.push(message.value!.toString()) });

    await waitFor('both groups reading everything', () => classicSeen.length >= 12 && modern.flatMap((m) => m.messages).length >= 12);
    expect(new Set(modern.flatMap((m) => m.messages.map((x) => x.value))).size).toBe(12);
    expect(new Set(classicSeen).size).toBe(12);
    await waitFor('the modern group split', () => disjointCover(modern, partitionsOf('k848-both', 3)));

    const listed = await admin.listGroups();
    const types = Object.fromEntries(listed.groups.map((g) => [g.groupId, g.protocolType]));
    expect(types['k848-classic']).toBe('consumer');
    expect(types['k848-modern']).toBe('consumer');
    await classic.disconnect();
    await admin.disconnect();
    await Promise.all(modern.map(close));
  });
});
