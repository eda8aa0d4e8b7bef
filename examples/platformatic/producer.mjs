// @platformatic/kafka producer: ten keyed records with a header.
//   BOOTSTRAP=localhost:9092 TOPIC=platformatic-example node examples/platformatic/producer.mjs
import { Producer, stringSerializers } from '@platformatic/kafka';

const bootstrapBrokers = [process.env.BOOTSTRAP ?? 'localhost:9092'];
const topic = process.env.TOPIC ?? 'platformatic-example';
const producer = new Producer({ clientId: 'example-producer', bootstrapBrokers, serializers: stringSerializers });
try {
  const messages = Array.from({ length: 10 }, (_, i) => ({ topic, key: `user-${i % 3}`, value: `event ${i}`, headers: { source: 'example' } }));
  const result = await producer.send({ messages });
  console.log(`sent ${messages.length} records: ${result.offsets.map((o) => `${o.partition}@${o.offset}`).join(' ')}`);
} finally {
  await producer.close();
}
