/**
 * Issue 14, log compaction with real clients: KafkaJS and kcat (librdkafka) write 10,000 updates
 * over 100 keys, and tombstones for 10 of them, to cleanup.policy=compact topics with small
 * segments; the broker's cleaner (a worker thread, woken every log.cleaner.backoff.ms) compacts
 * them; a fresh consumer then reads exactly the latest record of each key at its original offset,
 * the tombstones disappear once delete.retention.ms has passed, a group committed mid-log keeps
 * consuming, compact,delete also applies retention, and `__consumer_offsets` (compacted, as in
 * Kafka) keeps every group's offsets through cleaning and a restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkajs, kcat, resolveTarget, startBroker, type BrokerHandle } from './harness.js';

const target = await resolveTarget();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Small segments, rolled by time too, cleaned as soon as 1% is dirty, tombstones kept 3 s. */
const SEGMENT_MS = 1500;
const DELETE_RETENTION_MS = 3000;
const COMPACTED = {
  'cleanup.policy': 'compact',
  'segment.bytes': '1048576',
  'segment.ms': String(SEGMENT_MS),
  'min.cleanable.dirty.ratio': '0.01',
  'delete.retention.ms': String(DELETE_RETENTION_MS),
};

interface Rec {
  offset: bigint;
  key: string;
  /** null: a tombstone */
  value: string | null;
}

const KEYS = 100;
const UPDATES = 10_000;
const TOMBSTONED = 10;
/** ~300-byte values, so 10,000 updates fill several 1 MiB segments. */
const valueOf = (i: number, key: number) => `k${key}-v${i}-`.padEnd(300, 'x');

/** 10,000 updates over 100 keys in a fixed pseudo-random order (so the survivors are scattered), then a tombstone for each of keys 0..9. */
function workload(): { key: string; value: string | null }[] {
  const out: { key: string; value: string | null }[] = [];
  let seed = 14;
  for (let i = 0; i < UPDATES; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const key = i < KEYS ? i : seed % KEYS;
    out.push({ key: `k${key}`, value: valueOf(i, key) });
  }
  for (let k = 0; k < TOMBSTONED; k++) out.push({ key: `k${k}`, value: null });
  return out;
}

/** The model: the latest record of each key, at its offset, in offset order. */
function latestPerKey(records: readonly Rec[]): Rec[] {
  const latest = new Map<string, Rec>();
  for (const r of records) latest.set(r.key, r);
  return [...latest.values()].sort((a, b) => (a.offset < b.offset ? -1 : 1));
}

/** Polls `read` until it equals `want` (the cleaner runs on its own schedule), then checks it. */
async function eventually(read: () => Promise<Rec[]>, want: Rec[], timeoutMs = 60_000): Promise<Rec[]> {
  const deadline = Date.now() + timeoutMs;
  const same = (a: Rec[]) =>
    a.length === want.length && a.every((r, i) => r.offset === want[i]!.offset && r.key === want[i]!.key && r.value === want[i]!.value);
  let got = await read();
  while (!same(got) && Date.now() < deadline) {
    await sleep(300);
    got = await read();
  }
  expect(got).toEqual(want);
  return got;
}

/** Everything a fresh KafkaJS consumer (a new group, from the beginning) reads up to the high watermark. */
async function readWithKafkaJS(kafka: Kafka, topic: string, groupId: string, fromBeginning = true): Promise<Rec[]> {
  const admin = kafka.admin();
  await admin.connect();
  const [{ high }] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const got: Rec[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${got.length} records, never reached ${high}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push({ offset: BigInt(message.offset), key: message.key!.toString(), value: message.value === null ? null : message.value.toString() });
        if (BigInt(message.offset) + 1n >= BigInt(high)) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return got;
}

/** Everything kcat reads from the beginning: offset, key and value (kcat prints a null value's size as -1). */
function readWithKcat(broker: BrokerHandle, topic: string): Rec[] {
  const r = kcat(broker, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\t%k\t%S\t%s\n']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [offset, key, size, value] = l.split('\t');
      return { offset: BigInt(offset!), key: key!, value: size === '-1' ? null : value! };
    });
}

/**
 * One broker per describe, its cleaner woken every 200 ms and cleaning at 1% dirty; `extra` overrides on top.
 * Returns getters, since the broker starts in beforeAll.
 */
function cleaningBroker(extra: Record<string, string>): { broker: () => BrokerHandle; kafka: () => Kafka } {
  let broker: BrokerHandle;
  let kafka: Kafka;
  beforeAll(async () => {
    broker = await startBroker({ overrides: { 'log.cleaner.backoff.ms': '200', 'log.cleaner.min.cleanable.ratio': '0.01', ...extra } });
    kafka = kafkajs(broker);
  }, 60_000);
  afterAll(async () => broker?.stop());
  return { broker: () => broker, kafka: () => kafka };
}

describe.skipIf(target.kind !== 'tafka')('log compaction with real clients', () => {
  // __consumer_offsets keeps its 100 MiB segments here: with small ones it would always be the dirtiest
  // log (every fresh consumer group writes to it) and the one cleaner thread would clean only it.
  const started = cleaningBroker({ 'log.retention.check.interval.ms': '300' });
  let broker: BrokerHandle;
  let kafka: Kafka;
  beforeAll(() => {
    broker = started.broker();
    kafka = started.kafka();
  });

  async function createCompacted(topic: string, configs: Record<string, string> = COMPACTED): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
    await admin.disconnect();
  }

  /** Waits past segment.ms and appends one record of a fresh key: the roll seals everything before it. */
  async function seal(topic: string, key: string): Promise<Rec> {
    await sleep(SEGMENT_MS + 200);
    const producer = kafka.producer();
    await producer.connect();
    const [meta] = await producer.send({ topic, acks: -1, messages: [{ key, value: 'seal' }] });
    await producer.disconnect();
    return { offset: BigInt(meta!.baseOffset!), key, value: 'seal' };
  }

  /** kcat writes the workload to partition 0 of a fresh topic; returns it as stored (the i-th line at offset i). */
  function produceWorkloadWithKcat(topic: string): Rec[] {
    // -K: splits key from value; -Z sends an empty value as null (a tombstone).
    const input = workload().map((u) => `${u.key}:${u.value ?? ''}`).join('\n') + '\n';
    const p = kcat(broker, ['-P', '-t', topic, '-p', '0', '-K:', '-Z', '-X', 'linger.ms=5'], input, 120_000);
    expect(p.status, p.stderr).toBe(0);
    return workload().map((u, i) => ({ offset: BigInt(i), key: u.key, value: u.value }));
  }

  it('KafkaJS: a fresh consumer reads the latest value of each key, tombstones go after delete.retention.ms, a group committed mid-log resumes', async () => {
    const topic = 'compact-kafkajs';
    await createCompacted(topic);
    const producer = kafka.producer();
    await producer.connect();
    const written: Rec[] = [];
    const all = workload();
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500);
      const [meta] = await producer.send({ topic, acks: -1, messages: chunk });
      chunk.forEach((m, j) => written.push({ offset: BigInt(meta!.baseOffset!) + BigInt(j), key: m.key, value: m.value }));
    }
    await producer.disconnect();
    // A group that had consumed half the log commits there before any cleaning.
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'mid-log', topic, partitions: [{ partition: 0, offset: '5000' }] });
    await admin.disconnect();
    written.push(await seal(topic, 'seal-1'));

    // Cleaned: one record per key (tombstones still there: none is past its horizon yet).
    const model = latestPerKey(written);
    expect(model).toHaveLength(KEYS + 1);
    let n = 0;
    const got = await eventually(() => readWithKafkaJS(kafka, topic, `fresh-${n++}`), model);
    expect(got.filter((r) => r.value === null).map((r) => r.key)).toEqual(Array.from({ length: TOMBSTONED }, (_, k) => `k${k}`));
    const gaps = got.filter((r, i) => i > 0 && r.offset > got[i - 1]!.offset + 1n).length;
    expect(gaps).toBeGreaterThan(0);

    // The group committed at 5000 (an offset compaction removed) resumes at the next record kept.
    const resumed = await readWithKafkaJS(kafka, topic, 'mid-log', false);
    expect(resumed).toEqual(model.filter((r) => r.offset >= 5000n));

    // delete.retention.ms later, updates of 20 keys make the log dirty again (~6 KB against ~30 KB clean,
    // above the 1% ratio); the next pass copies the clean head again and drops the tombstones.
    await sleep(DELETE_RETENTION_MS + 500);
    const more = kafka.producer();
    await more.connect();
    const updates = Array.from({ length: 20 }, (_, i) => ({ key: `k${10 + i}`, value: `last-${i}`.padEnd(300, 'x') }));
    const [meta] = await more.send({ topic, acks: -1, messages: updates });
    await more.disconnect();
    updates.forEach((u, j) => written.push({ offset: BigInt(meta!.baseOffset!) + BigInt(j), key: u.key, value: u.value }));
    written.push(await seal(topic, 'seal-2'));
    const live = latestPerKey(written).filter((r) => r.value !== null);
    await eventually(() => readWithKafkaJS(kafka, topic, `fresh-${n++}`), live);
  }, 180_000);

  it('kcat: 10,000 updates and tombstones from librdkafka compact to the latest value of each key', async () => {
    const topic = 'compact-kcat';
    await createCompacted(topic);
    const written = produceWorkloadWithKcat(topic);
    written.push(await seal(topic, 'seal'));
    const model = latestPerKey(written);
    await eventually(async () => readWithKcat(broker, topic), model);
    expect(model.filter((r) => r.value === null)).toHaveLength(TOMBSTONED);
  }, 180_000);

  it('kill -9 right after a burst (the cleaner busy with it, or about to be): after restart the log compacts to the latest value of each key', async () => {
    const topic = 'compact-kill';
    await createCompacted(topic);
    const written = produceWorkloadWithKcat(topic);
    // The cleaner may be mid-pass on the first sealed segments (not guaranteed: the unit property test
    // in test/log/cleaner/crash.test.ts kills at every step of a pass); kill the broker now.
    await broker.crashAndRestart();
    written.push(await seal(topic, 'seal'));
    await eventually(async () => readWithKcat(broker, topic), latestPerKey(written));
  }, 180_000);

  it('compact,delete: retention removes old segments (latest values or not) and compaction the superseded updates', async () => {
    const topic = 'compact-delete';
    // retention.bytes, not retention.ms: deterministic. A segment goes while the rest is still >= 20,000 bytes.
    await createCompacted(topic, { ...COMPACTED, 'cleanup.policy': 'compact,delete', 'retention.bytes': '20000' });
    const producer = kafka.producer();
    await producer.connect();
    const send = async (messages: { key: string; value: string }[]) => {
      const [meta] = await producer.send({ topic, acks: -1, messages });
      return messages.map((m, j): Rec => ({ offset: BigInt(meta!.baseOffset!) + BigInt(j), key: m.key, value: m.value }));
    };
    // 50 keys written once (each its own latest value), then, a segment later, 400 updates of 20 other keys (~60 KB).
    await send(Array.from({ length: 50 }, (_, i) => ({ key: `old-${i}`, value: `o${i}`.padEnd(1000, '.') })));
    await sleep(SEGMENT_MS + 200);
    const fresh = await send(Array.from({ length: 400 }, (_, i) => ({ key: `new-${i % 20}`, value: `n${i}`.padEnd(100, '.') })));
    await producer.disconnect();
    const sealed = await seal(topic, 'seal');
    // Retention drops the first segment, latest values and all; compaction keeps one record per new key.
    await eventually(async () => readWithKcat(broker, topic), latestPerKey([...fresh, sealed]), 90_000);
  }, 150_000);
});

describe.skipIf(target.kind !== 'tafka')('__consumer_offsets compacted', () => {
  // One partition with small segments, so its commits are cleaned during the test.
  const started = cleaningBroker({ 'offsets.topic.num.partitions': '1', 'offsets.topic.segment.bytes': '4096' });
  let broker: BrokerHandle;
  let kafka: Kafka;
  beforeAll(() => {
    broker = started.broker();
    kafka = started.kafka();
  });

  it('__consumer_offsets is compacted: a group committing hundreds of times keeps its offsets through cleaning and a restart', async () => {
    const topic = 'committed';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    // Enough records that every committed offset lies within the partition (an offset past the end
    // would make the running consumer reset its position, and KafkaJS commit that).
    for (const [partition, n] of [[0, 500], [1, 1000]] as const) {
      const p = kcat(broker, ['-P', '-t', topic, '-p', String(partition)], Array.from({ length: n }, (_, i) => `r${i}`).join('\n') + '\n');
      expect(p.status, p.stderr).toBe(0);
    }
    // A live KafkaJS consumer of group `busy` commits 500 times (two partitions each): dozens of 4 KiB segments.
    const consumer = kafka.consumer({ groupId: 'busy', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      void consumer.run({ autoCommit: false, eachMessage: async () => {} });
    });
    for (let i = 1; i <= 500; i++) {
      await consumer.commitOffsets([{ topic, partition: 0, offset: String(i) }, { topic, partition: 1, offset: String(2 * i) }]);
    }
    await consumer.disconnect();
    await admin.setOffsets({ groupId: 'quiet', topic, partitions: [{ partition: 0, offset: '7' }] });
    const offsets = async (groupId: string) =>
      (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.map((p) => [p.partition, p.offset]).sort();
    expect(await offsets('busy')).toEqual([[0, '500'], [1, '1000']]);
    await admin.disconnect();

    // The cleaner has cleaned __consumer_offsets-0: its first dirty offset is in cleaner-offset-checkpoint (Kafka's file).
    const cleanedUpTo = () => {
      const file = join(broker.dataDir!, 'cleaner-offset-checkpoint');
      const line = existsSync(file) ? readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('__consumer_offsets 0 ')) : undefined;
      return line ? Number(line.split(' ')[2]) : 0;
    };
    const deadline = Date.now() + 60_000;
    while (cleanedUpTo() < 250 && Date.now() < deadline) await sleep(300);
    expect(cleanedUpTo()).toBeGreaterThanOrEqual(250); // 1,000+ records written; the active segment stays dirty

    await broker.restart();
    const after = kafka.admin();
    await after.connect();
    const again = async (groupId: string) =>
      (await after.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.map((p) => [p.partition, p.offset]).sort();
    expect(await again('busy')).toEqual([[0, '500'], [1, '1000']]);
    expect(await again('quiet')).toEqual([[0, '7'], [1, '-1']]);
    await after.disconnect();
  }, 180_000);
});
