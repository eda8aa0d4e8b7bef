/**
 * Hostile connections: clients that never read their responses, floods of idle connections, and
 * handler failures, against a real broker process. The broker's memory and open files must stay
 * bounded, the limits must hold, and every other client must keep being served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Fetch } from '../protocol/messages/01-fetch.js';
import { ApiVersions } from '../protocol/messages/18-api-versions.js';
import { CreatePartitions } from '../protocol/messages/37-create-partitions.js';
import { codecFor, defaultStruct } from '../src/codec/interpret.js';
import type { MessageOf } from '../protocol/schema.js';
import { kafkajs, processResources, resolveTarget, startBroker, type BrokerHandle } from './harness.js';
import { RawClient } from './raw-client.js';

const target = await resolveTarget();
const MB = 1 << 20;

/** The highest value `sample` reaches while `ms` pass. */
async function peak(sample: () => number, ms: number): Promise<number> {
  let max = sample();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    max = Math.max(max, sample());
  }
  return max;
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

async function stillServes(broker: BrokerHandle, correlationId: number): Promise<void> {
  const probe = await RawClient.connect(broker.port);
  probe.send(ApiVersions.request, 3, correlationId, { clientSoftwareName: 'probe', clientSoftwareVersion: '1' });
  expect((await probe.readFrame(10_000))!.readInt32BE(0)).toBe(correlationId);
  probe.end();
}

describe.skipIf(target.kind !== 'tafka')('hostile connections', () => {
  describe('a client that never reads', () => {
    let broker: BrokerHandle;
    beforeAll(async () => {
      broker = await startBroker();
      // 12 MB in one partition, in 1 MB records, so every fetch below can take 10 MB.
      const producer = kafkajs(broker).producer();
      await producer.connect();
      await kafkajs(broker).admin().createTopics({ topics: [{ topic: 'big', numPartitions: 1 }] });
      for (let i = 0; i < 12; i++) await producer.send({ topic: 'big', acks: 1, messages: [{ value: Buffer.alloc(1_000_000, i) }] });
      await producer.disconnect();
    });
    afterAll(async () => broker?.stop());

    it('300 unread fetches of 10 MB keep the broker\'s memory and open files bounded', async () => {
      const pid = broker.pid()!;
      const before = processResources(pid);
      const request = {
        ...defaultStruct(Fetch.request.fields), replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 10 * MB, sessionEpoch: -1,
        topics: [{ topic: 'big', topicId: '00000000-0000-0000-0000-000000000000', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 10 * MB, replicaDirectoryId: '00000000-0000-0000-0000-000000000000', highWatermark: 0n }] }],
      } as MessageOf<typeof Fetch.request>;
      const greedy = await RawClient.connect(broker.port);
      greedy.pause();
      for (let i = 0; i < 300; i++) greedy.send(Fetch.request, 12, i, request);
      const rss = await peak(() => processResources(pid).rssBytes, 4000);
      const files = processResources(pid).openFiles;
      // Answering them all would take 3 GB; the broker holds about one response per connection.
      expect(rss - before.rssBytes).toBeLessThan(200 * MB);
      expect(files - before.openFiles).toBeLessThan(5);
      await stillServes(broker, 1);
      // It still answers the greedy client, in order, once that client reads.
      greedy.resume();
      const first = await greedy.readFrame(30_000);
      expect(first!.readInt32BE(0)).toBe(0);
      const answer = codecFor(Fetch.response, 12).decode(first!, 5);
      expect((answer.responses[0].partitions[0].records as Buffer).length).toBeGreaterThan(9 * MB);
      greedy.end();
    }, 60_000);

    it('a handler failing on the file system answers with an error code and keeps the connection', async () => {
      // Something that is not a directory where the next partition's directory must go.
      await kafkajs(broker).admin().createTopics({ topics: [{ topic: 'blocked', numPartitions: 1 }] });
      writeFileSync(join(broker.dataDir!, 'blocked-1'), 'in the way');
      const c = await RawClient.connect(broker.port);
      c.send(CreatePartitions.request, 3, 5, { topics: [{ name: 'blocked', count: 2, assignments: null }], timeoutMs: 5000, validateOnly: false });
      const frame = await c.readFrame(10_000);
      expect(frame).not.toBeNull();
      const results = codecFor(CreatePartitions.response, 3).decode(frame!, 5).results;
      expect(results.map((r) => r.name)).toEqual(['blocked']);
      expect(results[0].errorCode).not.toBe(0);
      expect(c.closed).toBe(false);
      c.send(ApiVersions.request, 3, 6, { clientSoftwareName: 'probe', clientSoftwareVersion: '1' });
      expect((await c.readFrame())!.readInt32BE(0)).toBe(6);
      c.end();
    });
  });

  describe('floods of connections', () => {
    let broker: BrokerHandle;
    beforeAll(async () => {
      broker = await startBroker({ overrides: { 'max.connections.per.ip': '400', 'connections.max.idle.ms': '8000', 'socket.listen.backlog.size': '1000' } });
    });
    afterAll(async () => broker?.stop());

    it('refuses connections past max.connections.per.ip, keeps idle ones cheap, and closes them after connections.max.idle.ms', async () => {
      const pid = broker.pid()!;
      const before = processResources(pid);
      const sockets: Socket[] = [];
      let closed = 0;
      for (let i = 0; i < 500; i++) {
        const s = connect(broker.port, '127.0.0.1');
        s.on('error', () => {});
        s.once('close', () => closed++);
        sockets.push(s);
      }
      await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', r))));
      // The 100 past the per-IP limit are closed at once; the rest stay open.
      expect(await until(() => closed >= 100, 5000)).toBe(true);
      const during = processResources(pid);
      expect(closed).toBe(100);
      // One descriptor per open connection (give or take a file the broker has open for a moment).
      expect(during.openFiles - before.openFiles).toBeGreaterThanOrEqual(390);
      expect(during.openFiles - before.openFiles).toBeLessThan(410);
      // Kafka-style idle connections cost little: well under 64 KB each.
      expect(during.rssBytes - before.rssBytes).toBeLessThan(400 * 64 * 1024);
      // Nothing is read or written on them, so the broker closes them all.
      expect(await until(() => closed === 500, 20_000)).toBe(true);
      expect(await until(() => processResources(pid).openFiles <= before.openFiles + 2, 5000)).toBe(true);
      await stillServes(broker, 3);
      for (const s of sockets) s.destroy();
    }, 60_000);
  });
});
