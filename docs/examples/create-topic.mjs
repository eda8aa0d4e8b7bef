// Creates a topic with KafkaJS's admin client (Tafka has no `topic create` command yet).
//   node docs/examples/create-topic.mjs localhost:9092 orders 3
import { Kafka, logLevel } from 'kafkajs';

const [bootstrap, topic, partitions] = process.argv.slice(2);
const admin = new Kafka({ clientId: 'create-topic', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
await admin.connect();
// CreateTopics v3; false means the topic already existed (error 36 TOPIC_ALREADY_EXISTS).
const created = await admin.createTopics({ topics: [{ topic, numPartitions: Number(partitions) }] });
console.log(created ? `created topic ${topic} with ${partitions} partitions` : `topic ${topic} already exists`);
await admin.disconnect();
