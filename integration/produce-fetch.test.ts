/**
 * Issue "Produce, Fetch and ListOffsets" (and the log store's kill -9 case): real clients write and
 * read back through the log, byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionTypes } from 'kafkajs';
import { Fetch } from '../protocol/messages/01-fetch.js';
import { Produce } from '../protocol/messages/00-produce.js';
import { codecFor } from '../src/codec/interpret.js';
import { kafkajs, kcat, kcatAsync, resolveTarget, startBroker, type BrokerHandle } from './harness.js';
import { RawClient } from './raw-client.js';
import { buildBatch } from '../src/codec/record-batch.js';

const target = await resolveTarget();

/** Reads a whole topic with kcat as `partition offset key value` lines. */
function consumeAll(
  broker: BrokerHandle, topic: string, extra: string[] = [],
): { partition: number; offset: number; key: string; value: string; headers: string }[] {
  const r = kcat(broker, ['-C', '-t', topic, '-e', '-q', '-Z', '-f', '%p\t%o\t%k\t%s\t%h\n', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [p, o, key, value, headers] = line.split('\t');
      return { partition: Number(p), offset: Number(o), key, value, headers };
    });
}

/** Creates a topic the way producers do: by asking Metadata for it (auto-creation, num.partitions). */
async function createTopic(broker: BrokerHandle, topic: string, numPartitions: number): Promise<void> {
  const r = kcat(broker, ['-L', '-t', topic]);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`with ${numPartitions} partitions`);
}

describe.skipIf(target.skipReason !== undefined)('produce, fetch, list offsets', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': '3' } });
  });
  afterAll(async () => broker?.stop());

  it('kcat produces 10,000 keyed messages to 3 partitions and reads them all back in order', async () => {
    const topic = 'kcat-keyed';
    await createTopic(broker, topic, 3);
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) lines.push(`key-${i % 97}:${i}`);
    const p = kcat(broker, ['-P', '-t', topic, '-K:'], lines.join('\n') + '\n');
    expect(p.status, p.stderr).toBe(0);
    const got = consumeAll(broker, topic);
    expect(got).toHaveLength(10_000);
    expect(new Set(got.map((m) => m.partition))).toEqual(new Set([0, 1, 2]));
    expect(got.map((m) => Number(m.value)).sort((a, b) => a - b)).toEqual([...Array(10_000).keys()]);
    const byPartition = new Map<number, typeof got>();
    for (const m of got) byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), m]);
    const partitionOfKey = new Map<string, number>();
    for (const [partition, msgs] of byPartition) {
      // Offsets are contiguous from 0, and each key's messages keep their production order.
      expect(msgs.map((m) => m.offset)).toEqual([...Array(msgs.length).keys()]);
      const lastOfKey = new Map<string, number>();
      for (const m of msgs) {
        expect(m.value).toBe(String(Number(m.value)));
        expect(m.key).toBe(`key-${Number(m.value) % 97}`);
        expect(Number(m.value)).toBeGreaterThan(lastOfKey.get(m.key) ?? -1);
        lastOfKey.set(m.key, Number(m.value));
        expect(partitionOfKey.get(m.key) ?? partition).toBe(partition);
        partitionOfKey.set(m.key, partition);
      }
    }
  });

  it.each(['gzip', 'snappy', 'lz4', 'zstd'])('kcat -z %s round-trips', async (codec) => {
    const topic = `kcat-${codec}`;
    const values = Array.from({ length: 500 }, (_, i) => `${codec}-message-${i}-${'x'.repeat(i % 50)}`);
    const p = kcat(broker, ['-P', '-t', topic, '-p', '0', '-z', codec], values.join('\n') + '\n');
    expect(p.status, p.stderr).toBe(0);
    expect(p.stderr).not.toMatch(/not compressing|does not support/i);
    const got = consumeAll(broker, topic);
    expect(got.map((m) => m.value)).toEqual(values);
    // The batches are stored as sent: compressed on disk.
    const dump = kcat(broker, ['-C', '-t', topic, '-e', '-q', '-f', '%o\n', '-X', 'check.crcs=true']);
    expect(dump.status).toBe(0);
  });

  it.each([-1, 1, 0] as const)('KafkaJS producer with acks=%i', async (acks) => {
    const topic = `kafkajs-acks${acks}`;
    const producer = kafkajs(broker).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: 0 }));
    const sent = await producer.send({ topic, acks, messages });
    await producer.disconnect();
    if (acks !== 0) expect(sent[0].baseOffset).toBe('0');
    const got = consumeAll(broker, topic);
    expect(got.map((m) => [m.key, m.value])).toEqual(messages.map((m) => [m.key, m.value]));
  });

  it('KafkaJS with gzip, headers, null keys and null values', async () => {
    const topic = 'kafkajs-shapes';
    const producer = kafkajs(broker).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [
        { key: null, value: 'no key', partition: 0 },
        { key: 'no value', value: null, partition: 0 },
        { key: 'h', value: 'with headers', partition: 0, headers: { trace: 'abc', n: '1' } },
      ],
    });
    await producer.disconnect();
    const got = consumeAll(broker, topic);
    expect(got.map((m) => [m.key, m.value])).toEqual([
      ['NULL', 'no key'],
      ['no value', 'NULL'],
      ['h', 'with headers'],
    ]);
    expect(got[2].headers).toBe('trace=abc,n=1');
  });

  it('accepts a 1,000,000-byte message and rejects a larger one with error 10, writing nothing', async () => {
    const topic = 'big-messages';
    const producer = kafkajs(broker).producer({ allowAutoTopicCreation: true, retry: { retries: 0 } });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(1_000_000, 7), partition: 0 }] });
    await expect(
      producer.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(1_100_000, 8), partition: 0 }] }),
    ).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    await producer.disconnect();
    const admin = kafkajs(broker).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.find((o) => o.partition === 0)).toMatchObject({ low: '0', high: '1' });
    const got = consumeAll(broker, topic, ['-f', '%S\n']);
    expect(got).toHaveLength(1);
  });

  it('acks=-1 below min.insync.replicas gets 19 NOT_ENOUGH_REPLICAS; acks=1 still writes', async () => {
    const topic = 'min-isr-2';
    const admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    await admin.disconnect();
    const producer = kafkajs(broker).producer({ retry: { retries: 0 } });
    await producer.connect();
    await expect(producer.send({ topic, acks: -1, messages: [{ value: 'all' }] })).rejects.toMatchObject({ cause: { type: 'NOT_ENOUGH_REPLICAS', code: 19 } });
    await producer.send({ topic, acks: 1, messages: [{ value: 'leader only' }] });
    await producer.disconnect();
    expect(consumeAll(broker, topic).map((m) => m.value)).toEqual(['leader only']);
  });

  it('a fetch parked on an empty partition returns within a few ms of a produce', async () => {
    const topic = 'long-poll';
    kcat(broker, ['-L', '-t', topic]);
    const admin = kafkajs(broker).admin();
    await admin.connect();
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    await admin.disconnect();
    expect(meta.partitions.length).toBe(3);

    const consumer = await RawClient.connect(broker.port);
    const sentAt = Date.now();
    consumer.send(Fetch.request, 11, 1, {
      clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 10_000, minBytes: 1,
      maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, topicId: '00000000-0000-0000-0000-000000000000', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: '00000000-0000-0000-0000-000000000000', highWatermark: 0n }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const fetched = consumer.readFrame(15_000);
    await new Promise((r) => setTimeout(r, 300));

    const producer = await RawClient.connect(broker.port);
    producer.send(Produce.request, 7, 1, {
      transactionalId: null, acks: -1, timeoutMs: 1000,
      topicData: [{ name: topic, topicId: '00000000-0000-0000-0000-000000000000', partitionData: [{ index: 0, records: buildBatch([{ value: Buffer.from('wake up') }], { baseTimestamp: Date.now() }) }] }],
    });
    const produced = (await producer.readFrame())!;
    const ackedAt = Date.now();
    const produceBody = codecFor(Produce.response, 7).decode(produced, 4);
    expect(produceBody.responses[0].partitionResponses[0].errorCode).toBe(0);

    const frame = (await fetched)!;
    const answeredAt = Date.now();
    expect(answeredAt - sentAt).toBeGreaterThanOrEqual(250);
    expect(answeredAt - ackedAt).toBeLessThan(100);
    const body = codecFor(Fetch.response, 11).decode(frame, 4);
    const part = body.responses[0].partitions[0];
    expect(part.errorCode).toBe(0);
    expect(part.highWatermark).toBe(1n);
    expect(part.lastStableOffset).toBe(1n);
    expect((part.records as Buffer).length).toBeGreaterThan(61);
    consumer.end();
    producer.end();
  });

  it('kcat -Q and KafkaJS admin offsets agree with what was written', async () => {
    const topic = 'timestamps';
    const producer = kafkajs(broker).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    const base = 1_700_000_000_000;
    for (let i = 0; i < 10; i++) {
      await producer.send({ topic, messages: [{ value: `m${i}`, partition: 0, timestamp: String(base + i * 1000) }] });
    }
    await producer.disconnect();
    const admin = kafkajs(broker).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.find((o) => o.partition === 0)).toMatchObject({ low: '0', high: '10', offset: '10' });
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, base + 4500);
    expect(byTime.find((o) => o.partition === 0)).toMatchObject({ offset: '5' });
    const afterAll = await admin.fetchTopicOffsetsByTimestamp(topic, base + 60_000);
    expect(afterAll.find((o) => o.partition === 0)).toMatchObject({ offset: '10' });
    await admin.disconnect();
    const q = kcat(broker, ['-Q', '-t', `${topic}:0:${base + 4500}`]);
    expect(q.status, q.stderr).toBe(0);
    expect(q.stdout.trim()).toBe(`${topic} [0] offset 5`);
    const first = kcat(broker, ['-Q', '-t', `${topic}:0:${base}`]);
    expect(first.stdout.trim()).toBe(`${topic} [0] offset 0`);
  });

  it('concurrent producers on one partition get contiguous, unique offsets', async () => {
    const topic = 'contended';
    kcat(broker, ['-L', '-t', topic]);
    const perProducer = 200;
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, p) =>
        kcatAsync(broker, ['-P', '-t', topic, '-p', '0', '-X', 'linger.ms=0', '-X', 'batch.num.messages=7'], Array.from({ length: perProducer }, (_, i) => `p${p}-${i}`).join('\n') + '\n'),
      ),
    );
    for (const r of results) expect(r.status, r.stderr).toBe(0);
    const got = consumeAll(broker, topic);
    expect(got.map((m) => m.offset)).toEqual([...Array(4 * perProducer).keys()]);
    expect(new Set(got.map((m) => m.value)).size).toBe(4 * perProducer);
    for (let p = 0; p < 4; p++) {
      const mine = got.filter((m) => m.value.startsWith(`p${p}-`)).map((m) => Number(m.value.split('-')[1]));
      expect(mine).toEqual([...Array(perProducer).keys()]);
    }
  });

  it.runIf(target.kind === 'tafka')('every acknowledged message survives kill -9', async () => {
    const topic = 'crash-safe';
    const producer = kafkajs(broker).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    const acked: string[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const messages = Array.from({ length: 50 }, (_, i) => ({ value: `b${batch}-m${i}`, partition: batch % 3 }));
      await producer.send({ topic, acks: -1, messages });
      acked.push(...messages.map((m) => m.value));
    }
    await producer.disconnect();
    await broker.crashAndRestart();
    const got = consumeAll(broker, topic);
    expect(got.map((m) => m.value).sort()).toEqual(acked.sort());
    // And the log keeps going at the right offsets after recovery.
    const p = kcat(broker, ['-P', '-t', topic, '-p', '0'], 'after-restart\n');
    expect(p.status).toBe(0);
    const again = consumeAll(broker, topic).filter((m) => m.partition === 0);
    expect(again.map((m) => m.offset)).toEqual([...Array(again.length).keys()]);
    expect(again.at(-1)!.value).toBe('after-restart');
  });
});
