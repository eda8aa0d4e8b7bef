// A consume-transform-produce app, as KafkaJS documents exactly-once processing: each batch read
// from IN becomes one transaction that writes the transformed records to OUT and commits the
// consumer's offsets with them (sendOffsets). Run by integration/transactions.test.ts as a child
// process, so the test can kill -9 it in the middle of a transaction.
//
// Environment: BOOTSTRAP, IN, OUT, GROUP, TXN_ID; CRASH_IN_TXN=n makes the n-th transaction stop
// after writing its records and offsets, print IN-TXN, and hang until killed.
// Output lines: READY once consuming, COMMITTED <count> after each transaction.
import { Kafka, logLevel } from 'kafkajs';

const env = process.env;
const crashAt = Number(env.CRASH_IN_TXN ?? 0);
const kafka = new Kafka({ clientId: 'eos-app', brokers: [env.BOOTSTRAP], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
const producer = kafka.producer({ transactionalId: env.TXN_ID, idempotent: true, maxInFlightRequests: 1 });
// Small fetches, so the input arrives as several batches and so several transactions.
const consumer = kafka.consumer({ groupId: env.GROUP, sessionTimeout: 6000, rebalanceTimeout: 8000, heartbeatInterval: 500, maxBytesPerPartition: 512 });

let transactions = 0;
let processed = 0;
await producer.connect();
await consumer.connect();
await consumer.subscribe({ topics: [env.IN], fromBeginning: true });
consumer.on(consumer.events.GROUP_JOIN, () => console.log('READY'));
await consumer.run({
  autoCommit: false,
  eachBatchAutoResolve: false,
  eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
    if (batch.messages.length === 0) return;
    const txn = await producer.transaction();
    try {
      await txn.send({
        topic: env.OUT,
        messages: batch.messages.map((m) => ({ key: m.key, value: `out:${m.value.toString()}` })),
      });
      await txn.sendOffsets({
        consumerGroupId: env.GROUP,
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }] }],
      });
      transactions++;
      if (transactions === crashAt) {
        console.log('IN-TXN');
        await new Promise(() => {}); // killed here, the transaction open
      }
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => {});
      throw err;
    }
    for (const m of batch.messages) resolveOffset(m.offset);
    processed += batch.messages.length;
    console.log(`COMMITTED ${processed}`);
    await heartbeat();
  },
});

process.on('SIGTERM', async () => {
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  process.exit(0);
});
