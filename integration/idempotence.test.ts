/**
 * Issue 6, idempotent producer: KafkaJS and librdkafka producing with idempotence on, and the
 * broker's side of it by hand — a resent batch gets the original offset and is stored once, also
 * after a restart and after kill -9.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Produce } from '../protocol/messages/00-produce.js';
import { ApiVersions } from '../protocol/messages/18-api-versions.js';
import { InitProducerId } from '../protocol/messages/22-init-producer-id.js';
import { DescribeProducers } from '../protocol/messages/61-describe-producers.js';
import type { ApiSpec, MessageOf } from '../protocol/schema.js';
import { encodeBatch, encodeRecords } from '../src/codec/record-batch.js';
import { kafkajs, kcat, resolveTarget, startBroker, type BrokerHandle } from './harness.js';
import { callApi } from './raw-client.js';

const target = await resolveTarget();
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** One request/response on a fresh connection, decoded with Tafka's codec. */
const call = <A extends ApiSpec>(broker: BrokerHandle, api: A, version: number, body: MessageOf<A['request']>): Promise<MessageOf<A['response']>> =>
  callApi(broker.port, api, version, body);

function idempotentBatch(producerId: bigint, epoch: number, baseSequence: number, values: string[]): Buffer {
  return encodeBatch({
    lastOffsetDelta: values.length - 1,
    recordsCount: values.length,
    producerId,
    producerEpoch: epoch,
    baseSequence,
    baseTimestamp: Date.now(),
    records: encodeRecords(values.map((v) => ({ value: Buffer.from(v) }))),
  });
}

async function initProducerId(broker: BrokerHandle, version = 4, transactionalId: string | null = null) {
  return call(broker, InitProducerId, version, {
    transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false,
  });
}

/** Produce v7 (what KafkaJS and librdkafka send) of one batch; returns the partition's answer. */
async function produce(broker: BrokerHandle, topic: string, records: Buffer, transactionalId: string | null = null) {
  const body = await call(broker, Produce, 7, {
    transactionalId, acks: -1, timeoutMs: 5000,
    topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: 0, records }] }],
  });
  return body.responses[0].partitionResponses[0];
}

function consumeValues(broker: BrokerHandle, topic: string): string[] {
  const r = kcat(broker, ['-C', '-t', topic, '-e', '-q', '-f', '%s\n']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

async function createTopic(broker: BrokerHandle, topic: string, partitions = 1): Promise<void> {
  const admin = kafkajs(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
}

describe.skipIf(target.skipReason !== undefined)('idempotent producer', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => broker?.stop());

  it('advertises InitProducerId from v0 (librdkafka’s idempotence flag) to v6, and DescribeProducers v0', async () => {
    const body = await call(broker, ApiVersions, 3, { clientSoftwareName: 'it', clientSoftwareVersion: '1' });
    expect(body.apiKeys.find((k) => k.apiKey === 22)).toMatchObject({ minVersion: 0, maxVersion: 6 });
    expect(body.apiKeys.find((k) => k.apiKey === 61)).toMatchObject({ minVersion: 0, maxVersion: 0 });
  });

  it('InitProducerId gives every call a new producer id with epoch 0, at v0, v1, v4 and v6', async () => {
    const answers = [];
    for (const v of [0, 1, 4, 6]) answers.push(await initProducerId(broker, v));
    for (const a of answers) expect(a).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(new Set(answers.map((a) => a.producerId)).size).toBe(4);
  });

  it('InitProducerId with a transactional id: the transaction coordinator answers epoch 0, then bumps it', async () => {
    const first = await initProducerId(broker, 4, 'txn-1');
    expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(await initProducerId(broker, 4, 'txn-1')).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
  });

  it('KafkaJS idempotent producer writes 2,000 messages that read back once each', async () => {
    const topic = 'kjs-idempotent';
    await createTopic(broker, topic, 3);
    const producer = kafkajs(broker).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let round = 0; round < 20; round++) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 7}`, value: `m-${round * 100 + i}` })) });
    }
    await producer.disconnect();
    const values = consumeValues(broker, topic);
    expect(values).toHaveLength(2000);
    expect(new Set(values).size).toBe(2000);
    // Every partition that got data knows the producer.
    const described = await call(broker, DescribeProducers, 0, { topics: [{ name: topic, partitionIndexes: [0, 1, 2] }] });
    const producers = described.topics[0].partitions.flatMap((p) => p.activeProducers);
    expect(producers.length).toBeGreaterThan(0);
    expect(new Set(producers.map((p) => p.producerId)).size).toBe(1);
  });

  it('kcat with enable.idempotence=true writes 20,000 messages that read back once each, in order', async () => {
    const topic = 'kcat-idempotent';
    const lines = Array.from({ length: 20_000 }, (_, i) => `line-${i}`);
    const p = kcat(broker, ['-P', '-t', topic, '-p', '0', '-X', 'enable.idempotence=true', '-X', 'linger.ms=5'], lines.join('\n') + '\n');
    expect(p.status, p.stderr).toBe(0);
    expect(p.stderr).not.toMatch(/not supported|fatal/i);
    expect(consumeValues(broker, topic)).toEqual(lines);
    // The batches really carried a producer id and sequences: the partition tracks the producer.
    const described = await call(broker, DescribeProducers, 0, { topics: [{ name: topic, partitionIndexes: [0] }] });
    expect(described.topics[0].partitions[0].activeProducers).toEqual([expect.objectContaining({ producerEpoch: 0 })]);
  });

  it('a resent batch gets the original offset and is stored once; gaps get 45 and old epochs 47', async () => {
    const topic = 'raw-idempotent';
    await createTopic(broker, topic);
    const { producerId } = await initProducerId(broker);
    expect((await produce(broker, topic, idempotentBatch(-1n, -1, -1, ['plain']))).baseOffset).toBe(0n);
    const first = await produce(broker, topic, idempotentBatch(producerId, 0, 0, ['a', 'b']));
    expect(first).toMatchObject({ errorCode: 0, baseOffset: 1n });
    const again = await produce(broker, topic, idempotentBatch(producerId, 0, 0, ['a', 'b']));
    expect(again).toMatchObject({ errorCode: 0, baseOffset: 1n });
    expect((await produce(broker, topic, idempotentBatch(producerId, 0, 5, ['gap']))).errorCode).toBe(45);
    expect((await produce(broker, topic, idempotentBatch(producerId, 0, 2, ['c']))).baseOffset).toBe(3n);
    // The producer bumps its epoch (as the Java client does): sequence 0 again; the old epoch is fenced.
    expect((await produce(broker, topic, idempotentBatch(producerId, 1, 0, ['d']))).baseOffset).toBe(4n);
    expect((await produce(broker, topic, idempotentBatch(producerId, 0, 3, ['late']))).errorCode).toBe(47);
    expect(consumeValues(broker, topic)).toEqual(['plain', 'a', 'b', 'c', 'd']);
    const described = await call(broker, DescribeProducers, 0, { topics: [{ name: topic, partitionIndexes: [0, 7] }] });
    const [p0, p7] = described.topics[0].partitions;
    expect(p0.activeProducers).toEqual([
      expect.objectContaining({ producerId, producerEpoch: 1, lastSequence: 0, coordinatorEpoch: -1, currentTxnStartOffset: -1n }),
    ]);
    expect(p7.errorCode).toBe(3);
  });

  it('a transactional batch outside any transaction gets 49 and is not written (53 without a transactional id, as Kafka\'s KafkaApis answers)', async () => {
    const topic = 'raw-transactional';
    await createTopic(broker, topic);
    const { producerId } = await initProducerId(broker);
    const batch = encodeBatch({
      attributes: 0x10, lastOffsetDelta: 0, recordsCount: 1, producerId, producerEpoch: 0, baseSequence: 0,
      records: encodeRecords([{ value: Buffer.from('txn') }]),
    });
    expect((await produce(broker, topic, batch, 'raw-txn')).errorCode).toBe(49);
    expect((await produce(broker, topic, batch)).errorCode).toBe(53);
    expect(consumeValues(broker, topic)).toEqual([]);
  });

  it.skipIf(target.kind !== 'tafka')('after a restart and after kill -9: the next sequence is accepted and a duplicate still detected; producer ids do not repeat', async () => {
    const topic = 'restart-idempotent';
    await createTopic(broker, topic);
    const { producerId } = await initProducerId(broker);
    for (let seq = 0; seq < 3; seq++) expect((await produce(broker, topic, idempotentBatch(producerId, 0, seq, [`v${seq}`]))).baseOffset).toBe(BigInt(seq));

    await broker.restart();
    expect(await produce(broker, topic, idempotentBatch(producerId, 0, 2, ['v2']))).toMatchObject({ errorCode: 0, baseOffset: 2n });
    expect(await produce(broker, topic, idempotentBatch(producerId, 0, 3, ['v3']))).toMatchObject({ errorCode: 0, baseOffset: 3n });
    expect((await produce(broker, topic, idempotentBatch(producerId, 0, 5, ['gap']))).errorCode).toBe(45);

    await broker.crashAndRestart();
    // No snapshot was written for offsets 3+: the state comes from replaying the log tail.
    expect(await produce(broker, topic, idempotentBatch(producerId, 0, 3, ['v3']))).toMatchObject({ errorCode: 0, baseOffset: 3n });
    expect(await produce(broker, topic, idempotentBatch(producerId, 0, 4, ['v4']))).toMatchObject({ errorCode: 0, baseOffset: 4n });
    expect(consumeValues(broker, topic)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);

    const { producerId: next } = await initProducerId(broker);
    expect(next).toBeGreaterThan(producerId);
  });
});

describe.skipIf(target.kind !== 'tafka')('producer state expiration', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ overrides: { 'producer.id.expiration.ms': '500', 'producer.id.expiration.check.interval.ms': '100' } });
  });
  afterAll(async () => broker?.stop());

  it('forgets a producer idle for producer.id.expiration.ms', async () => {
    const topic = 'expiring';
    await createTopic(broker, topic);
    const { producerId } = await initProducerId(broker);
    expect((await produce(broker, topic, idempotentBatch(producerId, 0, 0, ['a']))).errorCode).toBe(0);
    const active = async () =>
      (await call(broker, DescribeProducers, 0, { topics: [{ name: topic, partitionIndexes: [0] }] })).topics[0].partitions[0].activeProducers;
    expect(await active()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await active()).toEqual([]);
  });
});
