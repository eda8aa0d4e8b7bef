/**
 * Issue 11, the hostile-input suite's admin part: well-formed admin requests with hostile meaning —
 * huge counts, internal topics' names, names of every length, creates and deletes of one topic
 * racing on many connections. Each gets an answer with Kafka's error codes on a connection that
 * stays open, the broker's memory and open files stay bounded, and what is on disk afterwards is
 * exactly what the topic registry says. (Connection-level hostility lives in fuzz.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../protocol/errors.js';
import type { ApiSpec, MessageOf } from '../protocol/schema.js';
import { CreatePartitions } from '../protocol/messages/37-create-partitions.js';
import { CreateTopics } from '../protocol/messages/19-create-topics.js';
import { DeleteRecords } from '../protocol/messages/21-delete-records.js';
import { DeleteTopics } from '../protocol/messages/20-delete-topics.js';
import { Metadata } from '../protocol/messages/03-metadata.js';
import { Produce } from '../protocol/messages/00-produce.js';
import { codecFor } from '../src/codec/interpret.js';
import { buildBatch } from '../src/codec/record-batch.js';
import { kafkajs, resolveTarget, startTafka, type BrokerHandle } from './harness.js';
import { RawClient } from './raw-client.js';

const target = await resolveTarget();
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const INT32_MAX = 2 ** 31 - 1;
const ALL_TOPICS = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
const NO_TOPICS = { ...ALL_TOPICS, topics: [] };

/** Resident memory (bytes) and open descriptors of a process. */
function footprint(pid: number): { rss: number; fds: number } {
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  return { rss, fds: readdirSync(`/proc/${pid}/fd`).length };
}

describe.skipIf(target.kind !== 'tafka')('hostile admin requests', () => {
  let broker: BrokerHandle;
  let correlation = 0;
  /** A fresh broker's footprint. */
  let fresh: { rss: number; fds: number };
  const peaks: { rss: number; fds: number }[] = [];

  beforeAll(async () => {
    broker = await startTafka({ overrides: { 'max.broker.partitions': '2000', 'tafka.log.max.open.files': '64' } });
    fresh = footprint(broker.pid()!);
  });
  afterAll(() => broker.stop());

  /** After a barrage: memory and open files within bounds of a fresh broker's. */
  function expectBounded(): void {
    const now = footprint(broker.pid()!);
    peaks.push(now);
    expect(now.rss).toBeLessThan(fresh.rss + 300 * 2 ** 20);
    // tafka.log.max.open.files=64 for the logs, plus sockets, the lock helper's pipes and stdio.
    expect(now.fds).toBeLessThan(64 + 40);
  }

  /** Sends requests pipelined on one connection and decodes every answer; the connection must stay open. */
  async function pipeline<A extends ApiSpec>(api: A, version: number, bodies: MessageOf<A['request']>[]): Promise<MessageOf<A['response']>[]> {
    const c = await RawClient.connect(broker.port);
    try {
      for (const body of bodies) c.send(api.request, version, ++correlation, body);
      const codec = codecFor(api.response, version);
      const answers: MessageOf<A['response']>[] = [];
      for (let i = 0; i < bodies.length; i++) {
        const frame = await c.readFrame(60_000);
        expect(frame, `answer ${i} of ${api.name} v${version}`).not.toBeNull();
        answers.push(codec.decode(frame!, codec.flexible ? 5 : 4) as MessageOf<A['response']>);
      }
      expect(c.closed).toBe(false);
      return answers;
    } finally {
      c.end();
    }
  }
  const call = async <A extends ApiSpec>(api: A, version: number, body: MessageOf<A['request']>) => (await pipeline(api, version, [body]))[0]!;

  const creatable = (name: string, numPartitions: number, extra: Partial<MessageOf<typeof CreateTopics.request>['topics'][number]> = {}) => ({
    name,
    numPartitions,
    replicationFactor: -1,
    assignments: [],
    configs: [],
    ...extra,
  });
  const createTopics = (topics: ReturnType<typeof creatable>[], validateOnly = false) =>
    call(CreateTopics, 7, { topics, timeoutMs: 1000, validateOnly }).then((r) => r.topics.map((t) => [t.name.slice(0, 40), t.errorCode]));

  it('huge and impossible counts are refused before anything is created', async () => {
    const BATCH = ErrorCode.POLICY_VIOLATION;
    expect(
      await createTopics([
        creatable('int-max', INT32_MAX),
        creatable('hundred-thousand', 100_000),
      ]),
    ).toEqual([['int-max', BATCH], ['hundred-thousand', BATCH]]);
    // 4,000 topics of 2 partitions: 12,000 records in one request.
    const many = Array.from({ length: 4000 }, (_, i) => creatable(`many-${i}`, 2));
    const answers = await createTopics(many);
    expect(new Set(answers.map(([, code]) => code))).toEqual(new Set([BATCH]));
    // Within the request cap but past max.broker.partitions (2000): 44 for the topic.
    expect(await createTopics([creatable('past-limit', 5000)])).toEqual([['past-limit', ErrorCode.POLICY_VIOLATION]]);
    expect(
      await createTopics([
        creatable('negative', -5),
        creatable('zero', 0),
        creatable('replicas', 1, { replicationFactor: 32767 }),
        creatable('no-replicas', 1, { replicationFactor: -2 }),
        creatable('assignment', -1, { assignments: [{ partitionIndex: INT32_MAX, brokerIds: [1] }] }),
        creatable('configs', 1, { configs: Array.from({ length: 5000 }, (_, i) => ({ name: `bogus.${i}`, value: 'x' })) }),
      ]),
    ).toEqual([
      ['negative', ErrorCode.INVALID_PARTITIONS],
      ['zero', ErrorCode.INVALID_PARTITIONS],
      ['replicas', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['no-replicas', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['assignment', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
      ['configs', ErrorCode.INVALID_CONFIG],
    ]);

    expect(await createTopics([creatable('grow-me', 1)])).toEqual([['grow-me', ErrorCode.NONE]]);
    const grow = await pipeline(
      CreatePartitions,
      3,
      [INT32_MAX, 100_000, 5000, -1].map((count) => ({ topics: [{ name: 'grow-me', count, assignments: null }], timeoutMs: 1000, validateOnly: false })),
    );
    expect(grow.map((r) => r.results[0]!.errorCode)).toEqual([
      ErrorCode.POLICY_VIOLATION,
      ErrorCode.POLICY_VIOLATION,
      ErrorCode.POLICY_VIOLATION,
      ErrorCode.INVALID_PARTITIONS,
    ]);
    const deleted = await call(DeleteTopics, 5, { topics: [], topicNames: Array.from({ length: 10_000 }, (_, i) => `absent-${i}`), timeoutMs: 1000 });
    expect(new Set(deleted.responses.map((r) => r.errorCode))).toEqual(new Set([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]));

    const metadata = await call(Metadata, 12, ALL_TOPICS);
    expect(metadata.topics.filter((t) => !t.isInternal).map((t) => [t.name, t.partitions.length])).toEqual([['grow-me', 1]]);
    expectBounded();
  });

  it("internal topics' names: clients cannot create, delete, grow, write or trim them", async () => {
    for (const name of ['__consumer_offsets', '__transaction_state', '__cluster_metadata']) {
      const [[, code]] = (await createTopics([creatable(name, 1)])) as [[string, number]];
      expect([ErrorCode.INVALID_REQUEST, ErrorCode.TOPIC_ALREADY_EXISTS], name).toContain(code);
    }
    // A consumer group has offsets in __consumer_offsets; attacks on it must leave them in place.
    const admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'survivor', topic: 'grow-me', partitions: [{ partition: 0, offset: '0' }] });
    await expect(admin.deleteTopics({ topics: ['__consumer_offsets'], timeout: 1000 })).rejects.toThrow();
    await expect(admin.createPartitions({ topicPartitions: [{ topic: '__consumer_offsets', count: 60 }] })).rejects.toThrow();
    const produced = await call(Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: '__consumer_offsets', topicId: ZERO_UUID, partitionData: [{ index: 0, records: buildBatch([{ value: Buffer.from('forged') }]) }] }],
    });
    expect([ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]).toContain(produced.responses[0]!.partitionResponses[0]!.errorCode);
    const trimmed = await call(DeleteRecords, 2, { topics: [{ name: '__consumer_offsets', partitions: [{ partitionIndex: 0, offset: -1n }] }], timeoutMs: 1000 });
    expect(trimmed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);

    await admin.setOffsets({ groupId: 'survivor', topic: 'grow-me', partitions: [{ partition: 0, offset: '0' }] }); // commits still work
    await admin.disconnect();
    await broker.restart();
    const after = kafkajs(broker).admin();
    await after.connect();
    expect(await after.fetchOffsets({ groupId: 'survivor', topics: ['grow-me'] })).toEqual([{ topic: 'grow-me', partitions: [{ partition: 0, offset: '0', metadata: null }] }]);
    await after.disconnect();
  });

  it('names of every length and shape: 17 for the illegal ones, the 249-character one lives and dies', async () => {
    const longest = 'L'.repeat(249);
    expect(
      await createTopics([
        creatable('L'.repeat(250), 1),
        creatable('x'.repeat(100_000), 1),
        creatable('', 1),
        creatable('..', 1),
        creatable('a/b', 1),
        creatable('nul\u0000byte', 1),
        creatable('ünïcødé', 1),
        creatable(longest, 3),
      ]),
    ).toEqual([
      ['L'.repeat(40), ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['x'.repeat(40), ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['..', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['a/b', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['nul\u0000byte', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['ünïcødé', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['L'.repeat(40), ErrorCode.NONE],
    ]);
    const deleted = await call(DeleteTopics, 5, { topics: [], topicNames: [longest, 'y'.repeat(100_000)], timeoutMs: 1000 });
    expect(deleted.responses.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(readdirSync(broker.dataDir!).filter((d) => d.startsWith('LLLL'))).toEqual([]);
    expectBounded();
  });

  it('creates and deletes of the same topics racing on 8 connections: Kafka codes only, and disk and registry agree', async () => {
    const names = ['race-a', 'race-b', 'race.c', 'race_c'];
    const allowed = new Set<number>([
      ErrorCode.NONE,
      ErrorCode.TOPIC_ALREADY_EXISTS,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.INVALID_TOPIC_EXCEPTION, // race.c and race_c collide
      ErrorCode.INVALID_PARTITIONS,
    ]);
    const storm = Array.from({ length: 8 }, async (_, conn) => {
      const codes: number[] = [];
      for (let round = 0; round < 15; round++) {
        const name = names[(conn + round) % names.length]!;
        const [created, grown, deleted] = await Promise.all([
          call(CreateTopics, 7, { topics: [creatable(name, 1 + (round % 4))], timeoutMs: 1000, validateOnly: false }),
          call(CreatePartitions, 3, { topics: [{ name, count: 6, assignments: null }], timeoutMs: 1000, validateOnly: false }),
          call(DeleteTopics, 6, { topics: [{ name, topicId: ZERO_UUID }], topicNames: [], timeoutMs: 1000 }),
        ]);
        codes.push(created.topics[0]!.errorCode, grown.results[0]!.errorCode, deleted.responses[0]!.errorCode);
      }
      return codes;
    });
    const codes = (await Promise.all(storm)).flat();
    expect(codes.filter((c) => !allowed.has(c))).toEqual([]);
    expect(codes).toContain(ErrorCode.NONE);

    const checkDiskMatchesRegistry = async () => {
      const metadata = await call(Metadata, 12, ALL_TOPICS);
      const expected = metadata.topics
        .filter((t) => t.name!.startsWith('race'))
        .flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}`))
        .sort();
      const onDisk = readdirSync(broker.dataDir!).filter((d) => d.startsWith('race')).sort();
      expect(onDisk).toEqual(expected);
      return expected;
    };
    const beforeRestart = await checkDiskMatchesRegistry();
    expectBounded();
    await broker.restart();
    expect(await checkDiskMatchesRegistry()).toEqual(beforeRestart);
  });

  it('after all of it the broker still answers', async () => {
    console.log(`hostile admin footprint: fresh ${JSON.stringify(fresh)}, after each barrage ${JSON.stringify(peaks)}`);
    expect(peaks).toHaveLength(3);
    const probe = await call(Metadata, 12, NO_TOPICS);
    expect(probe.brokers).toHaveLength(1);
  });
});
