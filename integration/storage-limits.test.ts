/**
 * Issue 11, items 2, 6 and 8, against a real broker process and real clients (KafkaJS, kcat):
 * 10,000 partitions under `ulimit -n 1024`, a 249-character topic's whole life, and one broker
 * per data directory.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { freePort, kafkajs, kcat, resolveTarget, ROOT, startTafka, type BrokerHandle } from './harness.js';

const target = await resolveTarget();

/** Open descriptors of a process. */
const openFiles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

describe.skipIf(target.kind !== 'tafka')('storage limits of a Tafka process', () => {
  let broker: BrokerHandle | undefined;
  let admin: Admin | undefined;
  afterEach(async () => {
    await admin?.disconnect();
    await broker?.stop(); // 10,000 partitions written since start: a clean shutdown fsyncs each
    admin = broker = undefined;
  }, 300_000);

  it('10,000 partitions start and serve under ulimit -n 1024, across a clean restart and a kill -9', async () => {
    const TOPICS = 10;
    const PER_TOPIC = 1000;
    // Starting 10,000 partitions takes seconds, recovering them after a kill -9 longer.
    broker = await startTafka({ openFileLimit: 1024, startTimeoutMs: 180_000 });
    const topics = Array.from({ length: TOPICS }, (_, i) => `wide-${i}`);
    admin = kafkajs(broker).admin();
    await admin.connect();
    // One topic per request: Kafka 4 refuses more than 10,000 metadata records in one request.
    for (const topic of topics) await admin.createTopics({ topics: [{ topic, numPartitions: PER_TOPIC }], waitForLeaders: false });

    const produceToEveryPartition = async (round: number) => {
      const producer = kafkajs(broker!).producer();
      await producer.connect();
      for (const topic of topics) {
        const messages = Array.from({ length: PER_TOPIC }, (_, partition) => ({ partition, value: `${topic}/${partition}/${round}` }));
        await producer.send({ topic, acks: -1, messages });
      }
      await producer.disconnect();
    };
    const highWatermarks = async () => {
      const ends = new Set<string>();
      for (const topic of topics) for (const p of await admin!.fetchTopicOffsets(topic)) ends.add(p.high);
      return [...ends];
    };

    await produceToEveryPartition(1);
    expect(await highWatermarks()).toEqual(['1']);
    expect(openFiles(broker.pid()!)).toBeLessThan(1024);

    await admin.disconnect();
    await broker.restart();
    await admin.connect();
    expect(await highWatermarks()).toEqual(['1']);
    await produceToEveryPartition(2);

    await admin.disconnect();
    await broker.crashAndRestart(); // every partition recovers its active segment
    await admin.connect();
    expect(await highWatermarks()).toEqual(['2']);
    // kcat (librdkafka) reads the last partition of the last topic back.
    const read = kcat(broker, ['-C', '-t', 'wide-9', '-p', '999', '-o', 'beginning', '-e', '-f', '%s\\n']);
    expect(read.stdout.trim().split('\n')).toEqual(['wide-9/999/1', 'wide-9/999/2']);
    expect(broker.logLines().filter((l) => l.includes('EMFILE'))).toEqual([]);
  }, 900_000);

  it('a legal 249-character topic lives its whole life: create, produce, consume, delete, restart, create again', async () => {
    broker = await startTafka();
    const topic = `long-${'x'.repeat(244)}`;
    expect(topic).toHaveLength(249);
    admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = kafkajs(broker).producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ partition: 1, value: 'first' }, { partition: 1, value: 'second' }] });
    await producer.disconnect();
    const read = kcat(broker, ['-C', '-t', topic, '-p', '1', '-o', 'beginning', '-e', '-f', '%s\\n']);
    expect(read.stdout.trim().split('\n')).toEqual(['first', 'second']);

    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
    expect(readdirSync(broker.dataDir!).filter((d) => d.startsWith('long-'))).toEqual([]);
    await admin.disconnect();
    await broker.restart();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    expect((await admin.fetchTopicOffsets(topic))[0]).toMatchObject({ partition: 0, high: '0' });
  });

  it('a second broker on the same data directory is refused with a clear message; a kill -9 never blocks a restart', async () => {
    broker = await startTafka();
    const port = await freePort();
    const second = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js'), 'start', '--port', String(port), '--data-dir', broker.dataDir!], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    second.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(`tafka: Failed to acquire lock on file .lock in ${broker.dataDir}: another broker (pid ${broker.pid()}) is using this directory.`);

    for (let i = 0; i < 3; i++) await broker.crashAndRestart();
    admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'after-crashes' }] });
    expect(await admin.listTopics()).toContain('after-crashes');
  });
});
