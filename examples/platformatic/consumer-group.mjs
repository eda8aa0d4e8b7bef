// @platformatic/kafka consumer group: reads COUNT records (default 10), committing as it goes.
//   BOOTSTRAP=localhost:9092 TOPIC=platformatic-example GROUP=example-group node examples/platformatic/consumer-group.mjs
import { Consumer, stringDeserializers } from '@platformatic/kafka';

const bootstrapBrokers = [process.env.BOOTSTRAP ?? 'localhost:9092'];
const topic = process.env.TOPIC ?? 'platformatic-example';
const count = Number(process.env.COUNT ?? 10);
const consumer = new Consumer({ groupId: process.env.GROUP ?? 'example-group', clientId: 'example-consumer', bootstrapBrokers, deserializers: stringDeserializers });
const stream = await consumer.consume({ topics: [topic], autocommit: true, mode: 'committed', fallbackMode: 'earliest' });
let seen = 0;
for await (const m of stream) {
  console.log(`${m.partition}:${m.offset} ${m.key} = ${m.value} (source=${m.headers.get('source')})`);
  if (++seen === count) break;
}
await stream.close();
await consumer.close();
