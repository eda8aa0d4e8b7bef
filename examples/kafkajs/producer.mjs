// KafkaJS producer: ten keyed records; prints where each batch landed.
//   BOOTSTRAP=localhost:9092 TOPIC=kafkajs-example node examples/kafkajs/producer.mjs
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const bootstrap = process.env.BOOTSTRAP ?? 'localhost:9092';
const topic = process.env.TOPIC ?? 'kafkajs-example';
const kafka = new Kafka({ clientId: 'example-producer', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const messages = Array.from({ length: 10 }, (_, i) => ({ key: `user-${i % 3}`, value: `event ${i}` }));
const results = await producer.send({ topic, messages });
for (const r of results) console.log(`partition ${r.partition}: base offset ${r.baseOffset}`);
await producer.disconnect();
