/**
 * @platformatic/kafka: a third real client, and the one that speaks only flexible versions (KIP-482)
 * — Metadata v12, Produce v11, Fetch v17 with topic ids, ListOffsets v9, JoinGroup v9, SyncGroup v5,
 * OffsetCommit/OffsetFetch v9, CreateTopics v7, DeleteTopics v6 (see ../shared/design/client-api-needs.md).
 * KafkaJS never sends a flexible version and librdkafka 2.0.2 only a few, so this is where compact
 * strings, compact arrays, tagged fields and response header v1 meet a real client end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { resolveTarget, startBroker, type BrokerHandle } from './harness.js';

const target = await resolveTarget();

async function consumeN(
  bootstrapBrokers: string[], groupId: string, topic: string, n: number,
): Promise<{ key: string; value: string; partition: number; headers: Map<string, string> }[]> {
  const consumer = new Consumer({ groupId, clientId: `pk-${groupId}`, bootstrapBrokers, deserializers: stringDeserializers });
  const stream = await consumer.consume({ autocommit: true, topics: [topic], mode: 'committed', fallbackMode: 'earliest', sessionTimeout: 10000, heartbeatInterval: 500 });
  const got: { key: string; value: string; partition: number; headers: Map<string, string> }[] = [];
  for await (const m of stream) {
    got.push({ key: m.key as string, value: m.value as string, partition: m.partition, headers: m.headers as Map<string, string> });
    if (got.length === n) break;
  }
  await stream.close();
  await consumer.close();
  return got;
}

describe.skipIf(target.skipReason !== undefined)('@platformatic/kafka (flexible versions only)', () => {
  let broker: BrokerHandle;
  let bootstrapBrokers: string[];
  beforeAll(async () => {
    broker = await startBroker();
    bootstrapBrokers = [broker.bootstrap];
  });
  afterAll(async () => broker?.stop());

  it('admin creates topics that metadata describes, with ids', async () => {
    const admin = new Admin({ clientId: 'pk-admin', bootstrapBrokers });
    try {
      await admin.createTopics({ topics: ['pk-events'], partitions: 3, replicas: 1 });
      const metadata = await admin.metadata({ topics: ['pk-events'] });
      const topic = metadata.topics.get('pk-events')!;
      expect(topic.partitionsCount).toBe(3);
      expect(topic.id).not.toBe('00000000-0000-0000-0000-000000000000');
    } finally {
      await admin.close();
    }
  });

  it('produces, consumes in a group with commits, and a later consumer of the group resumes after them', async () => {
    const producer = new Producer({ clientId: 'pk-producer', bootstrapBrokers, serializers: stringSerializers });
    const send = (from: number, count: number) =>
      producer.send({ messages: Array.from({ length: count }, (_, i) => ({ topic: 'pk-events', key: `k${from + i}`, value: `v${from + i}`, headers: { source: 'pk' } })) });
    await send(0, 30);
    const first = await consumeN(bootstrapBrokers, 'pk-group', 'pk-events', 30);
    expect(first.map((m) => m.value).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort());
    expect(new Set(first.map((m) => m.partition)).size).toBeGreaterThan(1);
    expect(first[0].headers.get('source')).toBe('pk');

    await send(30, 10);
    await producer.close();
    // The group committed the first 30 (autocommit on close): only the new 10 come back.
    const second = await consumeN(bootstrapBrokers, 'pk-group', 'pk-events', 10);
    expect(second.map((m) => m.value).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${30 + i}`).sort());
  });

  it('admin deletes the topic', async () => {
    const admin = new Admin({ clientId: 'pk-admin', bootstrapBrokers });
    try {
      await admin.deleteTopics({ topics: ['pk-events'] });
      const topics = await admin.listTopics();
      expect(topics).not.toContain('pk-events');
    } finally {
      await admin.close();
    }
  });

  it('a transaction: AddPartitionsToTxn v5 (the batched form), EndTxn v4; a read_committed consumer sees only the commit', async () => {
    const admin = new Admin({ clientId: 'pk-admin-txn', bootstrapBrokers });
    await admin.createTopics({ topics: ['pk-txn'], partitions: 1, replicas: 1 });
    await admin.close();
    const producer = new Producer({ clientId: 'pk-txn', bootstrapBrokers, serializers: stringSerializers, idempotent: true, transactionalId: 'pk-app' });
    try {
      let txn = await producer.beginTransaction();
      await txn.send({ messages: [{ topic: 'pk-txn', key: 'k', value: 'committed', partition: 0 }] });
      await txn.commit();
      txn = await producer.beginTransaction();
      await txn.send({ messages: [{ topic: 'pk-txn', key: 'k', value: 'aborted', partition: 0 }] });
      await txn.abort();
      txn = await producer.beginTransaction();
      await txn.send({ messages: [{ topic: 'pk-txn', key: 'k', value: 'committed-2', partition: 0 }] });
      await txn.commit();
    } finally {
      await producer.close();
    }
    const got = await consumeN(bootstrapBrokers, 'pk-txn-reader', 'pk-txn', 2);
    expect(got.map((m) => m.value)).toEqual(['committed', 'committed-2']);
  });
});
