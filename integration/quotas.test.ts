/**
 * Client quotas with real clients: set and read back with an admin client (@platformatic/kafka,
 * DescribeClientQuotas v0 / AlterClientQuotas v1), kept across a restart, and enforced on KafkaJS
 * and librdkafka producers and a KafkaJS consumer, which honour `throttle_time_ms` (KIP-219).
 *
 * The broker measures rates over `quota.window.num` = 3 windows of 1 s, so a client's first burst
 * is spread over 2 s (Kafka's default, 11 windows, would spread it over 10 s and make the test
 * long). Timing assertions are one-sided and generous: a held client takes at least half the time
 * its quota implies; nothing asserts that anything is fast.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '@platformatic/kafka';
import { logLevel, type logCreator } from 'kafkajs';
import { kafkajs, resolveTarget, startBroker, type BrokerHandle } from './harness.js';

const target = await resolveTarget();
const KB = 1024;
const QUOTA = 256 * KB;
/** Bytes each held client moves: about 4 s at QUOTA once the 2 s burst allowance is spent. */
const VOLUME = 1536 * KB;
/** The least time VOLUME can take at QUOTA, halved for tolerance. */
const AT_LEAST_MS = ((VOLUME - 2 * QUOTA) / QUOTA) * 1000 * 0.5;

/** The Debian python3 with python3-confluent-kafka (librdkafka), if installed. */
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => (p.startsWith('/') ? existsSync(p) : true) && spawnSync(p, ['-c', 'import confluent_kafka']).status === 0);

const RDKAFKA_PRODUCER = `
import json, sys, time
from confluent_kafka import Producer
bootstrap, client_id, topic, count, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
throttles = []
p = Producer({'bootstrap.servers': bootstrap, 'client.id': client_id, 'linger.ms': 5, 'batch.size': 65536,
              'throttle_cb': lambda event: throttles.append(event.throttle_time)})
start = time.time()
for i in range(count):
    while True:
        try:
            p.produce(topic, b'r' * size)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
left = p.flush(120)
print(json.dumps({'ms': (time.time() - start) * 1000, 'undelivered': left, 'throttles': len(throttles)}))
`;

describe.skipIf(target.kind !== 'tafka')('client quotas with real clients', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ overrides: { 'quota.window.num': '3', 'quota.window.size.seconds': '1' } });
    await kafkajs(broker).admin().createTopics({ topics: [{ topic: 'quota-kafkajs' }, { topic: 'quota-rdkafka' }] });
    const a = admin();
    try {
      const results = await a.alterClientQuotas({
        entries: [
          { entities: [{ entityType: 'client-id', entityName: 'held-kafkajs' }], ops: [{ key: 'producer_byte_rate', value: QUOTA, remove: false }] },
          { entities: [{ entityType: 'client-id', entityName: 'held-rdkafka' }], ops: [{ key: 'producer_byte_rate', value: QUOTA, remove: false }] },
          { entities: [{ entityType: 'client-id', entityName: 'held-consumer' }], ops: [{ key: 'consumer_byte_rate', value: QUOTA, remove: false }] },
          { entities: [{ entityType: 'user', entityName: null }], ops: [{ key: 'request_percentage', value: 1000, remove: false }] },
        ],
      });
      expect(results.map((r) => r.errorCode)).toEqual([0, 0, 0, 0]);
    } finally {
      await a.close();
    }
  });
  afterAll(async () => broker?.stop());

  function admin(): Admin {
    return new Admin({ clientId: 'quota-admin', bootstrapBrokers: [broker.bootstrap] });
  }

  it('an admin client reads the quotas back, and they survive a restart', async () => {
    const describeAll = async () => {
      const c = admin();
      try {
        const entries = await c.describeClientQuotas({ components: [{ entityType: 'client-id', matchType: 2 }] });
        return entries.map((e) => [e.entity.map((x) => `${x.entityType}=${x.entityName}`).join(','), e.values.map((v) => `${v.key}=${v.value}`).join(',')]).sort();
      } finally {
        await c.close();
      }
    };
    const expected = [
      ['client-id=held-consumer', `consumer_byte_rate=${QUOTA}`],
      ['client-id=held-kafkajs', `producer_byte_rate=${QUOTA}`],
      ['client-id=held-rdkafka', `producer_byte_rate=${QUOTA}`],
    ];
    expect(await describeAll()).toEqual(expected);
    await broker.restart();
    expect(await describeAll()).toEqual(expected);
    const a = admin();
    try {
      const defaults = await a.describeClientQuotas({ components: [{ entityType: 'user', matchType: 1 }], strict: true });
      expect(defaults.map((e) => [e.entity, e.values])).toEqual([[[{ entityType: 'user', entityName: null }], [{ key: 'request_percentage', value: 1000 }]]]);
    } finally {
      await a.close();
    }
  });

  it('a KafkaJS producer is held to its producer_byte_rate and honours the throttle time', async () => {
    const throttled: string[] = [];
    const capture: logCreator = () => ({ log }) => {
      if (String(log.message).includes('Client side throttling in effect')) throttled.push(log.message);
    };
    const producer = kafkajs(broker, { clientId: 'held-kafkajs', logLevel: logLevel.DEBUG, logCreator: capture }).producer();
    await producer.connect();
    const start = Date.now();
    for (let i = 0; i < VOLUME / (64 * KB); i++) {
      await producer.send({ topic: 'quota-kafkajs', acks: 1, messages: [{ value: Buffer.alloc(64 * KB, i) }] });
    }
    const elapsed = Date.now() - start;
    await producer.disconnect();
    expect(elapsed).toBeGreaterThanOrEqual(AT_LEAST_MS);
    expect(throttled.length).toBeGreaterThan(0);
  }, 60_000);

  it.skipIf(!PYTHON)('a librdkafka producer is held to its producer_byte_rate and reports the throttle', () => {
    const run = spawnSync(PYTHON!, ['-c', RDKAFKA_PRODUCER, broker.bootstrap, 'held-rdkafka', 'quota-rdkafka', String(VOLUME / (16 * KB)), String(16 * KB)], { timeout: 120_000 });
    expect(run.status, run.stderr.toString()).toBe(0);
    const result = JSON.parse(run.stdout.toString()) as { ms: number; undelivered: number; throttles: number };
    expect(result.undelivered).toBe(0);
    expect(result.ms).toBeGreaterThanOrEqual(AT_LEAST_MS);
    expect(result.throttles).toBeGreaterThan(0);
  }, 130_000);

  it('a KafkaJS consumer is held to its consumer_byte_rate', async () => {
    const consumer = kafkajs(broker, { clientId: 'held-consumer' }).consumer({ groupId: 'held-consumer-group', maxBytes: 256 * KB });
    await consumer.connect();
    await consumer.subscribe({ topic: 'quota-kafkajs', fromBeginning: true });
    const start = Date.now();
    let bytes = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          bytes += message.value!.length;
          if (bytes >= VOLUME) resolve();
        },
      });
    });
    const elapsed = Date.now() - start;
    await consumer.disconnect();
    expect(bytes).toBe(VOLUME);
    expect(elapsed).toBeGreaterThanOrEqual(AT_LEAST_MS);
  }, 60_000);
});
