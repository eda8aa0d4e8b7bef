// A Tafka broker per test file under jest. Tafka is an ES module, so run jest with ES module
// support: NODE_OPTIONS=--experimental-vm-modules npx jest
// (jest's own describe/beforeAll/afterAll/test/expect globals; nothing to import but Tafka and a client).
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startBroker } from 'tafka';

describe('with an embedded Tafka broker', () => {
  let broker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(() => broker.stop());

  test('a produced record can be read back', async () => {
    const kafka = new Kafka({ clientId: 'jest-example', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const [result] = await producer.send({ topic: 'jest-topic', messages: [{ value: 'hello from jest' }] });
    await producer.disconnect();
    expect(result.baseOffset).toBe('0');

    const consumer = kafka.consumer({ groupId: 'jest-example' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['jest-topic'], fromBeginning: true });
    const value = await new Promise((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value.toString()) });
    });
    await consumer.disconnect();
    expect(value).toBe('hello from jest');
  });
});
