/**
 * The `tafka` CLI's client subcommands, each checked against the broker the suite targets (Tafka,
 * KAFKA_BOOTSTRAP, or Apache Kafka) and cross-checked with a real client: what `tafka` creates,
 * KafkaJS or kcat sees, and the other way round.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkajs, kcat, resolveTarget, ROOT, runCommand, startBroker, type BrokerHandle, type KcatResult } from './harness.js';

const target = await resolveTarget();
const BIN = join(ROOT, 'bin', 'tafka.js');
/** Names unique to this run, so a shared KAFKA_BOOTSTRAP broker never sees leftovers. */
const run = `${process.pid}-${Date.now().toString(36)}`;
const name = (base: string) => `cli-${base}-${run}`;

type Result = KcatResult;

function tafka(args: string[], opts: { input?: string; brokers?: string; timeoutMs?: number } = {}): Promise<Result> {
  return runCommand(process.execPath, [BIN, ...args, ...(opts.brokers === '' ? [] : ['--brokers', opts.brokers!])], opts);
}

// Each test runs several CLI processes (a Node start-up each): generous on a loaded machine.
describe.skipIf(target.skipReason !== undefined)('tafka CLI', { timeout: 120_000 }, () => {
  let broker: BrokerHandle;
  /** Runs tafka against the test's broker and expects success. */
  const ok = async (args: string[], input?: string) => {
    const r = await tafka(args, { input, brokers: broker.bootstrap });
    expect(r.status, `tafka ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => broker?.stop());

  it('topic create / list / describe / delete, seen by kcat and KafkaJS', async () => {
    const t = name('topics');
    expect(await ok(['topic', 'create', t, '-p', '3', '-c', 'retention.ms=3600000'])).toBe(`Created topic ${t}.\n`);
    const again = await tafka(['topic', 'create', t, '-p', '3'], { brokers: broker.bootstrap });
    expect([again.status, again.stderr]).toEqual([1, `tafka: create topic ${t}: TOPIC_ALREADY_EXISTS (Topic '${t}' already exists.)\n`]);
    expect(await ok(['topic', 'create', t, '--if-not-exists'])).toBe(`Topic ${t} already exists.\n`);
    expect(kcat(broker, ['-L', '-t', t]).stdout).toContain(`topic "${t}" with 3 partitions`);

    expect(await ok(['topic', 'list'])).toMatch(new RegExp(`^${t}\\s+3\\s+1$`, 'm'));
    const listed = JSON.parse(await ok(['topic', 'list', '--json'])) as { name: string; partitions: number }[];
    expect(listed.find((x) => x.name === t)).toEqual({ name: t, partitions: 3, replicas: 1, internal: false });

    const described = await ok(['topic', 'describe', t]);
    expect(described).toMatch(new RegExp(`^Topic: ${t}\\tTopicId: [\\w-]+\\tPartitionCount: 3\\tReplicationFactor: 1\\tConfigs: .*retention.ms=3600000`));
    expect(described.split('\n').filter((l) => l.startsWith(`\tTopic: ${t}\tPartition:`))).toHaveLength(3);

    expect(await ok(['topic', 'delete', t])).toBe(`Deleted topic ${t}.\n`);
    const admin = kafkajs(broker).admin();
    await admin.connect();
    try {
      await expect.poll(async () => (await admin.listTopics()).includes(t)).toBe(false);
    } finally {
      await admin.disconnect();
    }
    const missing = await tafka(['topic', 'describe', t], { brokers: broker.bootstrap });
    expect([missing.status, missing.stderr]).toEqual([1, `tafka: topic ${t}: UNKNOWN_TOPIC_OR_PARTITION\n`]);
  });

  it('topic alter-config and add-partitions, as KafkaJS describes them', async () => {
    const t = name('alter');
    await ok(['topic', 'create', t, '-p', '1']);
    expect(await ok(['topic', 'alter-config', t, '--set', 'retention.ms=1000', '--set', 'cleanup.policy=compact'])).toBe(
      `Completed updating config for topic ${t}.\n`,
    );
    await ok(['topic', 'alter-config', t, '--delete', 'cleanup.policy']);
    expect(await ok(['topic', 'add-partitions', t, '-n', '2'])).toBe(`Topic ${t} now has 3 partitions.\n`);
    const admin = kafkajs(broker).admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ resources: [{ type: 2, name: t, configNames: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: false });
      const byName = Object.fromEntries(resources[0].configEntries.map((c) => [c.configName, [c.configValue, c.isDefault]]));
      expect(byName).toEqual({ 'retention.ms': ['1000', false], 'cleanup.policy': ['delete', true] });
      const md = await admin.fetchTopicMetadata({ topics: [t] });
      expect(md.topics[0].partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
    const bad = await tafka(['topic', 'alter-config', t, '--set', 'retention.ms=soon'], { brokers: broker.bootstrap });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^tafka: alter configs of .*: INVALID_CONFIG/);
  });

  it('produce (keys, headers, partition, every codec, acks) is what kcat reads back', async () => {
    const t = name('produce');
    await ok(['topic', 'create', t, '-p', '2']);
    await ok(['produce', t, '-K', ':', '-H', 'src=cli', '-p', '1'], 'k1:v1\nk2:v2\nno key\n');
    for (const codec of ['gzip', 'snappy', 'lz4']) await ok(['produce', t, '-p', '0', '-z', codec, '--acks', '1'], `${codec} line\n`);
    await ok(['produce', t, '-p', '0', '--acks', '0'], 'fire and forget\n');
    const read = (p: number, n: number) => kcat(broker, ['-C', '-t', t, '-p', String(p), '-c', String(n), '-e', '-f', '%k|%s|%h\\n']);
    await expect.poll(() => read(0, 4).stdout.split('\n').length, { timeout: 10_000 }).toBe(5);
    expect(read(1, 3).stdout).toBe('k1|v1|src=cli\nk2|v2|src=cli\n|no key|src=cli\n');
    expect(read(0, 4).stdout).toBe('|gzip line|\n|snappy line|\n|lz4 line|\n|fire and forget|\n');
    const json = await ok(['produce', t, '-p', '1', '--json'], 'x\n');
    expect(JSON.parse(json)).toEqual({ topic: t, partition: 1, offset: 3, count: 1 });
  });

  it('consume: from beginning, end, offset, -N and time, with kcat\'s format, a count, exit at end', async () => {
    const t = name('consume');
    await ok(['topic', 'create', t, '-p', '1']);
    const before = Date.now();
    kcat(broker, ['-P', '-t', t, '-K', ':'], 'a:1\nb:2\nc:3\nd:4\n');
    const lines = (out: string) => out.trimEnd().split('\n');
    expect(lines(await ok(['consume', t, '-e']))).toEqual(['1', '2', '3', '4']);
    expect(lines(await ok(['consume', t, '-o', '2', '-e', '-f', '%o %k=%s\\n']))).toEqual(['2 c=3', '3 d=4']);
    expect(lines(await ok(['consume', t, '-o', '-1', '-e']))).toEqual(['4']);
    expect(lines(await ok(['consume', t, '-o', `@${before - 60_000}`, '-n', '2']))).toEqual(['1', '2']);
    expect(await ok(['consume', t, '-o', 'end', '-e'])).toBe('');
    const json = JSON.parse(lines(await ok(['consume', t, '-n', '1', '--json']))[0]!);
    expect(json).toMatchObject({ topic: t, partition: 0, offset: 0, key: 'a', value: '1', timestampType: 'CreateTime', headers: {} });
    // A record produced after the consumer started arrives (it long-polls, not exits). When the
    // consumer has found the end is not visible from outside, so records keep coming until one lands.
    let done = false;
    const waiting = tafka(['consume', t, '-o', 'end', '-n', '1'], { brokers: broker.bootstrap }).finally(() => (done = true));
    while (!done) {
      kcat(broker, ['-P', '-t', t], 'late\n');
      await new Promise((r) => setTimeout(r, 500));
    }
    expect((await waiting).stdout).toBe('late\n');
  });

  it('consume --group reads every partition, commits, and the next member resumes there', async () => {
    const t = name('group');
    const g = name('g');
    await ok(['topic', 'create', t, '-p', '2']);
    kcat(broker, ['-P', '-t', t, '-p', '0'], 'p0-a\np0-b\n');
    kcat(broker, ['-P', '-t', t, '-p', '1'], 'p1-a\n');
    expect((await ok(['consume', t, '-g', g, '-e', '-f', '%p:%s\\n'])).trimEnd().split('\n').sort()).toEqual(['0:p0-a', '0:p0-b', '1:p1-a']);
    // The group committed where it stopped: the next member starts there.
    kcat(broker, ['-P', '-t', t, '-p', '1'], 'p1-b\n');
    expect(await ok(['consume', t, '-g', g, '-e', '-f', '%p:%s\\n'])).toBe('1:p1-b\n');
    const admin = kafkajs(broker).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId: g, topics: [t] });
      expect(offsets[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([[0, '2'], [1, '2']]);
    } finally {
      await admin.disconnect();
    }
  });

  it('group list / describe show a KafkaJS consumer\'s group, members and lag', async () => {
    const t = name('lag');
    const g = name('described');
    await ok(['topic', 'create', t, '-p', '2']);
    kcat(broker, ['-P', '-t', t, '-p', '0'], 'a\nb\nc\n');
    const consumer = kafkajs(broker).consumer({ groupId: g, sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [t], fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommit: false, eachMessage: async () => void seen++ });
    try {
      await expect.poll(() => seen, { timeout: 30_000 }).toBe(3);
      await consumer.commitOffsets([{ topic: t, partition: 0, offset: '1' }]);
      const list = await ok(['group', 'list']);
      expect(list).toMatch(new RegExp(`^${g}\\s+Stable\\s+consumer`, 'm'));
      const described = await ok(['group', 'describe', g]);
      expect(described).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID/);
      expect(described).toMatch(new RegExp(`^${g}\\s+${t}\\s+0\\s+1\\s+3\\s+2\\s+\\S+\\s+\\S+\\s+tafka-it$`, 'm'));
      expect(described).toMatch(new RegExp(`^${g}\\s+${t}\\s+1\\s+-\\s+0\\s+-\\s+\\S+`, 'm'));
      const json = JSON.parse(await ok(['group', 'describe', g, '--json']))[0];
      expect(json).toMatchObject({ group: g, state: 'Stable', members: 1 });
      const busy = await tafka(['group', 'reset-offsets', g, '--topic', t, '--to-earliest', '--execute'], { brokers: broker.bootstrap });
      expect([busy.status, busy.stderr]).toEqual([1, `tafka: Assignments can only be reset if the group '${g}' is inactive, but the current state is Stable.\n`]);
    } finally {
      await consumer.disconnect();
    }
  });

  it('group reset-offsets: dry-run changes nothing; --execute moves what KafkaJS then reads; delete', async () => {
    const t = name('reset');
    const g = name('resettable');
    await ok(['topic', 'create', t, '-p', '2']);
    kcat(broker, ['-P', '-t', t, '-p', '0'], '0\n1\n2\n3\n4\n');
    await ok(['consume', t, '-g', g, '-e']);
    const committed = async () => {
      const admin = kafkajs(broker).admin();
      await admin.connect();
      try {
        return (await admin.fetchOffsets({ groupId: g, topics: [t] }))[0].partitions.map((p) => [p.partition, p.offset]).sort();
      } finally {
        await admin.disconnect();
      }
    };
    expect(await committed()).toEqual([[0, '5'], [1, '0']]);
    const dry = await ok(['group', 'reset-offsets', g, '--topic', `${t}:0`, '--to-offset', '2']);
    expect(dry).toContain('WARN: No action will be performed as the --execute option is missing.');
    expect(dry).toMatch(new RegExp(`^${g}\\s+${t}\\s+0\\s+2$`, 'm'));
    expect(await committed()).toEqual([[0, '5'], [1, '0']]);
    await ok(['group', 'reset-offsets', g, '--topic', t, '--shift-by', '-2', '--execute']);
    expect(await committed()).toEqual([[0, '3'], [1, '0']]);
    await ok(['group', 'reset-offsets', g, '--all-topics', '--to-earliest', '--execute']);
    expect(await committed()).toEqual([[0, '0'], [1, '0']]);
    await ok(['group', 'reset-offsets', g, '--topic', t, '--to-datetime', new Date(Date.now() + 3600_000).toISOString(), '--execute']);
    expect(await committed()).toEqual([[0, '5'], [1, '0']]);
    await ok(['group', 'reset-offsets', g, '--topic', `${t}:0`, '--to-earliest', '--execute']);
    expect(await ok(['consume', t, '-g', g, '-n', '1'])).toBe('0\n');
    expect(await ok(['group', 'delete', g])).toBe(`Deletion of requested consumer groups ('${g}') was successful.\n`);
    expect(await ok(['group', 'list'])).not.toContain(g);
  });

  it('cluster info names the cluster and the brokers KafkaJS sees', async () => {
    const admin = kafkajs(broker).admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    const text = await ok(['cluster', 'info']);
    expect(text).toContain(`CLUSTER\n=======\n${cluster.clusterId}\n`);
    expect(text).toMatch(new RegExp(`^${cluster.controller}\\*\\s+${cluster.brokers[0].host}\\s+${cluster.brokers[0].port}`, 'm'));
    const json = JSON.parse(await ok(['cluster', 'info', '--json']));
    expect(json).toMatchObject({ clusterId: cluster.clusterId, controllerId: cluster.controller });
    expect(json.brokers.map((b: { id: number }) => b.id).sort()).toEqual(cluster.brokers.map((b) => b.nodeId).sort());
  });

  it('a broker that is not there: one line, exit 1', async () => {
    const r = await tafka(['topic', 'list'], { brokers: '127.0.0.1:1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tafka: cannot reach any broker: 127.0.0.1:1: connection refused (is a broker running there?)\n');
  });

  it.runIf(target.kind === 'tafka')('dump-log | head: the closed pipe ends it quietly', async () => {
    const t = name('dump');
    await ok(['topic', 'create', t, '-p', '1']);
    await ok(['produce', t], Array.from({ length: 5000 }, (_, i) => `record ${i}`).join('\n') + '\n');
    const dir = join(broker.dataDir!, `${t}-0`);
    const segment = join(dir, readdirSync(dir).find((f) => f.endsWith('.log'))!);
    const out = mkdtempSync(join(tmpdir(), 'tafka-dump-'));
    try {
      const r = await runCommand('bash', ['-c', `set -o pipefail; node ${BIN} dump-log --print-data-log ${segment} | head -3`]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n').slice(0, 3)).toEqual([`Dumping ${segment}`, 'Log starting offset: 0', expect.stringMatching(/^baseOffset: 0 /)]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
