// KafkaJS consumer group: reads COUNT records (default 10) from the start, commits, and exits.
//   BOOTSTRAP=localhost:9092 TOPIC=kafkajs-example GROUP=example-group node examples/kafkajs/consumer-group.mjs
import { Kafka, logLevel } from 'kafkajs';

const bootstrap = process.env.BOOTSTRAP ?? 'localhost:9092';
const topic = process.env.TOPIC ?? 'kafkajs-example';
const count = Number(process.env.COUNT ?? 10);
const kafka = new Kafka({ clientId: 'example-consumer', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: process.env.GROUP ?? 'example-group' });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
let seen = 0;
await new Promise((resolve) => {
  void consumer.run({
    eachMessage: async ({ partition, message }) => {
      console.log(`${partition}:${message.offset} ${message.key} = ${message.value}`);
      if (++seen === count) resolve();
    },
  });
});
await consumer.disconnect(); // commits what was read and leaves the group
