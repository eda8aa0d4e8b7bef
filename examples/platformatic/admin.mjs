// @platformatic/kafka admin: create a topic and read its metadata.
//   BOOTSTRAP=localhost:9092 TOPIC=platformatic-example node examples/platformatic/admin.mjs
import { Admin } from '@platformatic/kafka';

const bootstrapBrokers = [process.env.BOOTSTRAP ?? 'localhost:9092'];
const topic = process.env.TOPIC ?? 'platformatic-example';
const admin = new Admin({ clientId: 'example-admin', bootstrapBrokers });
try {
  if (!(await admin.listTopics()).includes(topic)) await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
  const metadata = await admin.metadata({ topics: [topic] });
  console.log(`${topic}: ${metadata.topics.get(topic).partitionsCount} partitions, id ${metadata.topics.get(topic).id}`);
} finally {
  await admin.close();
}
