// Prints a consumer group's committed offsets and lag with KafkaJS's admin client
// (OffsetFetch v4 for the group's offsets, ListOffsets v3 for each partition's end).
//   node docs/examples/group-offsets.mjs localhost:9092 shop-app shop
import { Kafka, logLevel } from 'kafkajs';

const [bootstrap, groupId, topic] = process.argv.slice(2);
const admin = new Kafka({ clientId: 'group-offsets', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
await admin.connect();
const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
for (const { partition, offset } of partitions.sort((a, b) => a.partition - b.partition)) {
  const committed = Number(offset); // the next offset the group will read; -1: nothing committed
  const end = ends.get(partition); // the high watermark: the offset the next record will get
  const state = committed < 0 ? 'nothing committed' : `committed ${committed}`;
  console.log(`${topic} partition ${partition}: ${state}, end ${end}${committed < 0 ? '' : `, lag ${end - committed}`}`);
}
await admin.disconnect();
