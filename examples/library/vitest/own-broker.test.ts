// A broker of this file's own: in memory, on a free port, gone after the last test.
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startBroker, type RunningBroker } from 'tafka';
import { afterAll, beforeAll, expect, it } from 'vitest';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startBroker({ configs: { 'auto.create.topics.enable': false } });
});
afterAll(() => broker.stop());

it('starts in well under 100 ms', async () => {
  // More brokers in the same process (the one above already loaded the modules); the median of five.
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const another = await startBroker();
    times.push(performance.now() - started);
    await another.stop();
  }
  const median = times.sort((a, b) => a - b)[2]!;
  console.log(`in-memory broker start: median ${median.toFixed(1)} ms of ${times.map((t) => t.toFixed(1)).join(', ')}`);
  expect(median).toBeLessThan(100);
});

it('round-trips a record with KafkaJS', async () => {
  const kafka = new Kafka({ clientId: 'own-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1 }] });
  await admin.disconnect();

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: 'payments', messages: [{ value: 'paid' }] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'own-test' });
  await consumer.connect();
  await consumer.subscribe({ topics: ['payments'], fromBeginning: true });
  const value = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
  });
  await consumer.disconnect();
  expect(value).toBe('paid');
});
