/**
 * The CLI's client against an in-process broker: produce and read back, a two-member group that
 * splits the partitions, committed offsets, and the broker's debug request log for each request.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient } from '../../src/client/client.js';
import { EARLIEST, Fetcher, LATEST, listOffsets, tpKey } from '../../src/client/consumer.js';
import { GroupMember } from '../../src/client/group-member.js';
import { Producer } from '../../src/client/producer.js';
import { startBroker, type RunningBroker } from '../../src/embedded.js';

describe('client against an embedded broker', () => {
  let broker: RunningBroker;
  let client: KafkaClient;
  const logLines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(JSON.parse(s)) });
    broker = await startBroker({ logger, configs: { 'num.partitions': 4 } });
    client = await KafkaClient.connect({ brokers: [broker.bootstrap], clientId: 'unit-client' });
  });
  afterAll(async () => {
    client.close();
    await broker.stop();
  });

  it('produces (keyed records land on their murmur2 partition) and fetches them back', async () => {
    const producer = new Producer(client, { acks: -1, compression: 'gzip' });
    const now = client.now();
    const results = await producer.send('orders', [
      { key: Buffer.from('foobar'), value: Buffer.from('v1'), headers: [], timestamp: now },
      { key: Buffer.from('foobar'), value: Buffer.from('v2'), headers: [], timestamp: now },
    ]);
    // (murmur2("foobar") & 0x7fffffff) % 4 = 2, as the Java producer would pick.
    expect(results).toEqual([{ partition: 2, baseOffset: 0n, count: 2 }]);
    const tps = [0, 1, 2, 3].map((partition) => ({ topic: 'orders', partition }));
    const ends = await listOffsets(client, tps, LATEST);
    expect(ends.get(tpKey('orders', 2))).toBe(2n);
    const fetcher = new Fetcher(client, { reset: 'earliest', maxWaitMs: 10 });
    const starts = await listOffsets(client, tps, EARLIEST);
    fetcher.assign(new Map(tps.map((tp) => [tpKey(tp.topic, tp.partition), { tp, offset: starts.get(tpKey(tp.topic, tp.partition))! }])));
    const got = [];
    while (!fetcher.atEnd()) got.push(...(await fetcher.poll()));
    expect(got.map((r) => [r.partition, r.offset, r.value!.toString()])).toEqual([[2, 0n, 'v1'], [2, 1n, 'v2']]);
  });

  it('lets two members share a topic, commits, and reads the commits back', async () => {
    const other = await KafkaClient.connect({ brokers: [broker.bootstrap] });
    try {
      await client.metadata(['shared'], true);
      const a = new GroupMember(client, { groupId: 'g', topics: ['shared'], sessionTimeoutMs: 6000 });
      const b = new GroupMember(other, { groupId: 'g', topics: ['shared'], sessionTimeoutMs: 6000 });
      const first = await a.join();
      expect(first).toHaveLength(4);
      // b's join starts a rebalance; a learns of it from its heartbeat and joins again.
      const joiningB = b.join();
      while (!a.rejoinNeeded) await client.sleep(50);
      const [forA, forB] = await Promise.all([a.join(), joiningB]);
      expect([...forA, ...forB].map((tp) => tp.partition).sort()).toEqual([0, 1, 2, 3]);
      expect(forA).toHaveLength(2);
      await a.commit(forA.map((tp) => ({ tp, offset: 7n })));
      const committed = await b.committed(forA);
      expect([...committed.values()]).toEqual([7n, 7n]);
      await a.leave();
      await b.leave();
    } finally {
      other.close();
    }
  });

  it('logs each request at debug: API, version, client id, correlation id, duration, sizes', () => {
    const requests = logLines.filter((l) => l.msg === 'request');
    const metadata = requests.find((l) => l.api === 'Metadata' && l.clientId === 'unit-client');
    expect(metadata).toMatchObject({ version: 12, correlationId: expect.any(Number), ms: expect.any(Number) });
    expect(metadata!.requestBytes).toBeGreaterThan(10);
    expect(metadata!.responseBytes).toBeGreaterThan(10);
    expect(requests.map((l) => l.api)).toEqual(expect.arrayContaining(['ApiVersions', 'Produce', 'Fetch', 'JoinGroup', 'SyncGroup', 'OffsetCommit']));
  });
});
