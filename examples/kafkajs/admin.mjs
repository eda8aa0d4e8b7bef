// KafkaJS admin: create a topic, describe the cluster and the topic, list topics.
//   BOOTSTRAP=localhost:9092 TOPIC=kafkajs-example node examples/kafkajs/admin.mjs
import { Kafka, logLevel } from 'kafkajs';

const bootstrap = process.env.BOOTSTRAP ?? 'localhost:9092';
const topic = process.env.TOPIC ?? 'kafkajs-example';
const kafka = new Kafka({ clientId: 'example-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
console.log(created ? `created ${topic}` : `${topic} already exists`);
const cluster = await admin.describeCluster();
console.log(`cluster ${cluster.clusterId}: ${cluster.brokers.length} broker(s), controller ${cluster.controller}`);
const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
console.log(`${topic}: ${topics[0].partitions.length} partitions`);
await admin.disconnect();
