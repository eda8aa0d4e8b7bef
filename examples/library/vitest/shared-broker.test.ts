// Uses the broker of tafka.global-setup.ts, shared by every test file of the run.
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { expect, inject, it } from 'vitest';

it('produces and consumes through the shared broker', async () => {
  const bootstrap = inject('tafkaBootstrap');
  expect(process.env.TAFKA_BOOTSTRAP).toBe(bootstrap);
  const kafka = new Kafka({ clientId: 'shared-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: 'orders', messages: [{ key: 'o-1', value: 'created' }] });
  await producer.disconnect();

  const admin = kafka.admin();
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: ['orders'] });
  await admin.disconnect();
  expect(topics[0].partitions).toHaveLength(3); // num.partitions from the global setup
});
