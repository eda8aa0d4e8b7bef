/**
 * Issue 10, items 1-3: answers real clients get from the data path that must be Kafka's —
 * ListOffsets by record timestamp (kcat -Q, KafkaJS admin, @platformatic/kafka), timestamp bounds
 * and a repaired maxTimestamp (KafkaJS, then librdkafka reading back), and a fetch response that
 * respects fetch.max.bytes across partitions (kcat, which refuses a response larger than it asked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer } from '@platformatic/kafka';
import { Produce } from '../protocol/messages/00-produce.js';
import { ZERO_UUID } from '../protocol/schema.js';
import { codecFor } from '../src/codec/interpret.js';
import { encodeBatch, encodeRecords } from '../src/codec/record-batch.js';
import { kafkajs, kcat, resolveTarget, startBroker, type BrokerHandle } from './harness.js';
import { RawClient } from './raw-client.js';

const target = await resolveTarget();
const HOUR = 3_600_000;

describe.skipIf(target.skipReason !== undefined)('data path fidelity: timestamps and fetch limits', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => broker?.stop());

  async function createTopic(topic: string, numPartitions: number, configEntries: { name: string; value: string }[] = []) {
    const admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions, configEntries }], waitForLeaders: true });
    await admin.disconnect();
  }

  /** One KafkaJS send: one batch for the partition, with these record timestamps. */
  async function sendBatch(topic: string, partition: number, timestamps: number[]) {
    const producer = kafkajs(broker).producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: timestamps.map((ts, i) => ({ value: `m${i}`, partition, timestamp: String(ts) })) });
    } finally {
      await producer.disconnect();
    }
  }

  const kcatOffset = (topic: string, partition: number, ts: number) => {
    const q = kcat(broker, ['-Q', '-t', `${topic}:${partition}:${ts}`]);
    expect(q.status, q.stderr).toBe(0);
    return q.stdout.trim();
  };

  async function platformaticOffsets(topic: string, timestamp: bigint) {
    const consumer = new Consumer({ groupId: `pk-${topic}`, clientId: 'pk-list-offsets', bootstrapBrokers: [broker.bootstrap] });
    try {
      return (await consumer.listOffsetsWithTimestamps({ topics: [topic], timestamp })).get(topic)!;
    } finally {
      await consumer.close();
    }
  }

  it('10 records 1 s apart in one batch: kcat -Q, KafkaJS and @platformatic/kafka find records 0, 3, 9 and none', async () => {
    const topic = 'ts-in-batch';
    await createTopic(topic, 2);
    const base = Date.now() - 60_000;
    await sendBatch(topic, 0, Array.from({ length: 10 }, (_, i) => base + i * 1000));

    expect(kcatOffset(topic, 0, base - 500)).toBe(`${topic} [0] offset 0`);
    expect(kcatOffset(topic, 0, base + 2500)).toBe(`${topic} [0] offset 3`);
    expect(kcatOffset(topic, 0, base + 9000)).toBe(`${topic} [0] offset 9`);
    expect(kcatOffset(topic, 0, base + 9001)).toBe(`${topic} [0] offset -1`);

    const admin = kafkajs(broker).admin();
    await admin.connect();
    const at = async (ts: number) => (await admin.fetchTopicOffsetsByTimestamp(topic, ts)).find((o) => o.partition === 0)!.offset;
    expect([await at(base - 500), await at(base + 2500), await at(base + 9000)]).toEqual(['0', '3', '9']);
    await admin.disconnect();

    // @platformatic/kafka (ListOffsets v9) also shows the record's own timestamp.
    expect((await platformaticOffsets(topic, BigInt(base + 2500))).get(0)).toEqual({ offset: 3n, timestamp: BigInt(base + 3000) });
  });

  it('ListOffsets -3 (max timestamp) answers the record holding it, inside its batch (@platformatic/kafka)', async () => {
    const topic = 'ts-max';
    await createTopic(topic, 1);
    const base = Date.now() - 60_000;
    await sendBatch(topic, 0, [base, base + 1000]);
    await sendBatch(topic, 0, [base + 2000, base + 9000, base + 3000]); // offsets 2-4; the maximum is offset 3
    expect((await platformaticOffsets(topic, -3n)).get(0)).toEqual({ offset: 3n, timestamp: BigInt(base + 9000) });
  });

  it('message.timestamp.after.max.ms (one hour by default) and a topic\'s before.max.ms refuse KafkaJS records with INVALID_TIMESTAMP', async () => {
    const topic = 'ts-bounds';
    await createTopic(topic, 1, [{ name: 'message.timestamp.before.max.ms', value: String(HOUR) }]);
    await expect(sendBatch(topic, 0, [Date.now(), Date.now() + 2 * HOUR])).rejects.toMatchObject({ type: 'INVALID_TIMESTAMP' });
    await expect(sendBatch(topic, 0, [Date.now() - 2 * HOUR])).rejects.toMatchObject({ type: 'INVALID_TIMESTAMP' });
    await sendBatch(topic, 0, [Date.now() - 1000, Date.now()]);
    const c = kcat(broker, ['-C', '-t', topic, '-e', '-q', '-f', '%o %s\n']);
    expect(c.stdout.trim().split('\n')).toEqual(['0 m0', '1 m1']);
  });

  it('a batch sent with maxTimestamp -1 (as older sarama does) is stored with the true maximum: lookups by time and librdkafka agree', async () => {
    const topic = 'ts-repaired';
    await createTopic(topic, 1);
    const base = Date.now() - 60_000;
    const deltas = [0, 4000, 2000];
    const batch = encodeBatch({
      lastOffsetDelta: 2, recordsCount: 3, baseTimestamp: base, maxTimestamp: -1,
      records: encodeRecords(deltas.map((d, i) => ({ value: Buffer.from(`r${i}`), timestampDelta: d }))),
    });
    const client = await RawClient.connect(broker.port);
    client.send(Produce.request, 9, 1, {
      transactionalId: null, acks: -1, timeoutMs: 5000,
      topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: 0, records: batch }] }],
    });
    const answer = codecFor(Produce.response, 9).decode((await client.readFrame())!, 5);
    client.end();
    expect(answer.responses[0].partitionResponses[0].errorCode).toBe(0);

    expect((await platformaticOffsets(topic, -3n)).get(0)).toEqual({ offset: 1n, timestamp: BigInt(base + 4000) });
    expect(kcatOffset(topic, 0, base + 1000)).toBe(`${topic} [0] offset 1`);
    // librdkafka checks the CRC the broker rewrote, and reads each record's timestamp.
    const c = kcat(broker, ['-C', '-t', topic, '-e', '-q', '-X', 'check.crcs=true', '-f', '%o %T %s\n']);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout.trim().split('\n')).toEqual(deltas.map((d, i) => `${i} ${base + d} r${i}`));
  });

  it('kcat with fetch.max.bytes=1000000 reads two partitions of ~900 KB messages: every response fits', async () => {
    const topic = 'big-two-partitions';
    await createTopic(topic, 2);
    const value = (tag: string) => tag + 'x'.repeat(900_000);
    for (const partition of [0, 1]) {
      const p = kcat(broker, ['-P', '-t', topic, '-p', String(partition)], `${value(`p${partition}a`)}\n${value(`p${partition}b`)}\n`);
      expect(p.status, p.stderr).toBe(0);
    }
    const c = kcat(
      broker,
      ['-C', '-t', topic, '-e', '-f', '%p %o %S\n', '-X', 'fetch.max.bytes=1000000', '-X', 'receive.message.max.bytes=1000512'],
      undefined,
      30_000,
    );
    expect(c.stderr).not.toMatch(/Invalid response size/);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout.trim().split('\n').sort()).toEqual(['0 0 900003', '0 1 900003', '1 0 900003', '1 1 900003']);
  });
});
