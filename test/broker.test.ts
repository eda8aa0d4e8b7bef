import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { Broker } from '../src/broker.js';
import { BrokerConfig } from '../src/config/broker-config.js';

/** An embedded broker started from code, everything in memory: what tests of applications can use. */
describe('embedded in-memory broker', () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await Broker.start({
      inMemory: true,
      config: new BrokerConfig([
        ['listeners', 'PLAINTEXT://127.0.0.1:0'],
        ['group.initial.rebalance.delay.ms', '0'],
      ]),
    });
  });
  afterAll(async () => broker.close());

  it('writes no files and serves KafkaJS end to end', async () => {
    expect(broker.dataDir).toBeUndefined();
    expect(broker.services.logs.dataDir).toBeUndefined();
    const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'embedded', messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'embedded-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'embedded', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toEqual(['a', 'b']);
  });
});
