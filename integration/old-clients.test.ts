/**
 * Issue 10, item 5, on the wire: every request version Kafka 3.9 served and Kafka 4.0 removed
 * (KIP-896), sent as raw frames, answered as Kafka 3.9 answered them; and, with
 * api.versions.floor=4.0, refused exactly as Kafka 4 refuses them. The message sets (magic 0/1)
 * are written with the format module (checked on its own against hand-built and sarama's bytes in
 * test/codec/legacy-records.test.ts); records are read back through modern clients too. librdkafka,
 * forced into its pre-0.10 protocol, is the real client here (sarama has its own file).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionTypes } from 'kafkajs';
import type { MessageOf, MessageSpec } from '../protocol/schema.js';
import { ZERO_UUID } from '../protocol/schema.js';
import { Produce } from '../protocol/messages/00-produce.js';
import { Fetch } from '../protocol/messages/01-fetch.js';
import { ListOffsets } from '../protocol/messages/02-list-offsets.js';
import { OffsetCommit } from '../protocol/messages/08-offset-commit.js';
import { OffsetFetch } from '../protocol/messages/09-offset-fetch.js';
import { ApiVersions } from '../protocol/messages/18-api-versions.js';
import { CreateTopics } from '../protocol/messages/19-create-topics.js';
import { DeleteTopics } from '../protocol/messages/20-delete-topics.js';
import { OffsetForLeaderEpoch } from '../protocol/messages/23-offset-for-leader-epoch.js';
import { DescribeConfigs } from '../protocol/messages/32-describe-configs.js';
import { DescribeLogDirs } from '../protocol/messages/35-describe-log-dirs.js';
import { codecFor } from '../src/codec/interpret.js';
import { encodeMessage, encodeMessageSet, entrySizeAt, innerMessages, readMessage, type LegacyMessage, type LegacyMessageInput } from '../src/codec/legacy-records.js';
import { Compression, decodeRecords, readBatchHeader, RECORDS } from '../src/codec/record-batch.js';
import { decompress } from '../src/codec/compression.js';
import { kafkajs, kcat, resolveTarget, startTafka, type BrokerHandle } from './harness.js';
import { RawClient } from './raw-client.js';

const target = await resolveTarget();

interface Api<Req extends MessageSpec, Res extends MessageSpec> {
  readonly request: Req;
  readonly response: Res;
}

let correlation = 0;
/** One request on its own connection; the decoded response, or null when the broker closed it. */
async function call<Req extends MessageSpec, Res extends MessageSpec>(
  broker: BrokerHandle, api: Api<Req, Res>, version: number, body: MessageOf<Req>,
): Promise<MessageOf<Res> | null> {
  const client = await RawClient.connect(broker.port);
  try {
    client.send(api.request, version, ++correlation, body);
    const frame = await client.readFrame(15_000);
    if (frame === null) return null;
    return codecFor(api.response, version).decode(frame, 4);
  } finally {
    client.end();
  }
}

const produce = (broker: BrokerHandle, version: number, topic: string, records: Buffer, acks = -1) =>
  call(broker, Produce, version, {
    transactionalId: null, acks, timeoutMs: 5000,
    topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: 0, records }] }],
  }).then((r) => r!.responses[0]!.partitionResponses[0]!);

const fetch = (broker: BrokerHandle, version: number, topic: string, fetchOffset = 0n, partitionMaxBytes = 1 << 20) =>
  call(broker, Fetch, version, {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 100, minBytes: 1, maxBytes: 1 << 20,
    isolationLevel: 0, sessionId: 0, sessionEpoch: -1, forgottenTopicsData: [], rackId: '',
    topics: [{
      topic, topicId: ZERO_UUID,
      partitions: [{
        partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes,
        replicaDirectoryId: ZERO_UUID, highWatermark: 0n,
      }],
    }],
  }).then((r) => r!.responses[0]!.partitions[0]!);

/** The messages of a fetched message set, wrappers opened, with absolute offsets. */
function messagesOf(set: Buffer): (LegacyMessage & { timestamp: number })[] {
  const out: (LegacyMessage & { timestamp: number })[] = [];
  for (let pos = 0; pos < set.length;) {
    const size = entrySizeAt(set, pos);
    if (size === undefined) break;
    const m = readMessage(set, pos, size);
    pos += size;
    expect(m.valid).toBe(true);
    if ((m.attributes & 7) === 0) {
      out.push(m);
      continue;
    }
    const inner = innerMessages(m);
    const base = m.magic === 1 ? m.offset - BigInt(inner.length - 1) : 0n;
    for (const i of inner) out.push({ ...i.message, offset: base + i.message.offset, timestamp: i.timestamp });
  }
  return out;
}

/** The records of fetched record batches (magic 2), as [offset, value, timestamp]. */
function recordsOf(batches: Buffer): [bigint, string, number][] {
  const out: [bigint, string, number][] = [];
  for (let pos = 0; pos < batches.length;) {
    const h = readBatchHeader(batches, pos)!;
    expect(h.magic).toBe(2);
    const body = decompress(h.attributes & 7, batches.subarray(pos + RECORDS, pos + h.size));
    for (const r of decodeRecords(body, h.recordsCount)) {
      out.push([h.baseOffset + BigInt(r.offsetDelta), r.value!.toString(), h.attributes & 8 ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta]);
    }
    pos += h.size;
  }
  return out;
}

const message = (value: string, timestamp = -1, key: string | null = null): LegacyMessageInput => ({
  offset: 0n, timestamp, key: key === null ? null : Buffer.from(key), value: Buffer.from(value),
});
const messageSet = (magic: 0 | 1, codec: number, messages: LegacyMessageInput[]) =>
  Buffer.concat(encodeMessageSet(messages.map((m, i) => ({ ...m, offset: BigInt(i) })), { magic, codec, logAppendTime: false }));

describe.skipIf(target.kind !== 'tafka')('old clients: the versions Kafka 4.0 removed, served as Kafka 3.9 served them', () => {
  let broker: BrokerHandle;
  const T = 1_700_000_000_000;
  beforeAll(async () => {
    broker = await startTafka();
    const admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: ['legacy-produce', 'legacy-errors'].map((topic) => ({ topic })) });
    await admin.disconnect();
  });
  afterAll(async () => broker?.stop());

  it('Produce v0-2 message sets (magic 0/1, plain and compressed) are stored as record batches every client reads', async () => {
    const topic = 'legacy-produce';
    expect(await produce(broker, 0, topic, messageSet(0, Compression.none, [message('a'), message('b')]))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    expect(await produce(broker, 1, topic, messageSet(0, Compression.gzip, [message('c'), message('d')]))).toMatchObject({ errorCode: 0, baseOffset: 2n });
    expect(await produce(broker, 2, topic, messageSet(1, Compression.lz4, [message('e', T), message('f', T + 1)]))).toMatchObject({ errorCode: 0, baseOffset: 4n, logAppendTimeMs: -1n });
    expect(await produce(broker, 2, topic, messageSet(1, Compression.snappy, [message('g', T + 2, 'key')]))).toMatchObject({ errorCode: 0, baseOffset: 6n });

    // A modern fetch sees record batches: magic 0 without timestamps, magic 1 with theirs.
    const stored = await fetch(broker, 11, topic);
    expect(recordsOf(stored.records as Buffer)).toEqual([
      [0n, 'a', -1], [1n, 'b', -1], [2n, 'c', -1], [3n, 'd', -1], [4n, 'e', T], [5n, 'f', T + 1], [6n, 'g', T + 2],
    ]);
    // So does librdkafka.
    const r = kcat(broker, ['-C', '-t', topic, '-e', '-q', '-f', '%o:%k:%s\n']);
    expect(r.stdout.trim().split('\n')).toEqual(['0::a', '1::b', '2::c', '3::d', '4::e', '5::f', '6:key:g']);
  });

  it('Fetch v0-3 answer message sets: magic 0 (v0-1), magic 1 with timestamps (v2-3), compressed batches as wrappers', async () => {
    const topic = 'legacy-fetch';
    const producer = kafkajs(broker).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'p', timestamp: String(T) }, { value: 'q', timestamp: String(T + 5) }] });
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: [{ value: 'r', timestamp: String(T + 9) }, { value: 's', timestamp: String(T + 10) }] });
    await producer.disconnect();

    for (const version of [0, 1, 2, 3]) {
      const p = await fetch(broker, version, topic);
      expect(p.errorCode).toBe(0);
      expect(p.highWatermark).toBe(4n);
      const magic = version <= 1 ? 0 : 1;
      expect(messagesOf(p.records as Buffer).map((m) => [m.offset, m.magic, m.value!.toString(), m.timestamp])).toEqual([
        [0n, magic, 'p', magic ? T : -1], [1n, magic, 'q', magic ? T + 5 : -1], [2n, magic, 'r', magic ? T + 9 : -1], [3n, magic, 's', magic ? T + 10 : -1],
      ]);
    }
    // From the middle of an uncompressed batch: the records before the fetch offset are left out.
    expect(messagesOf((await fetch(broker, 3, topic, 1n)).records as Buffer).map((m) => m.offset)).toEqual([1n, 2n, 3n]);
    // v0-2 treat partition_max_bytes as a hard limit; v3 sends the first batch whole (KIP-74).
    expect(((await fetch(broker, 2, topic, 0n, 10)).records as Buffer).length).toBe(0);
    expect(messagesOf((await fetch(broker, 3, topic, 0n, 10)).records as Buffer).map((m) => m.offset)).toEqual([0n, 1n]);
  });

  it('a LogAppendTime topic stamps converted messages and answers the time (v2); magic 1 fetches carry it', async () => {
    const admin = kafkajs(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'legacy-lat', configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }] });
    await admin.disconnect();
    const before = Date.now();
    const p = await produce(broker, 2, 'legacy-lat', messageSet(1, Compression.none, [message('x', 5)]));
    expect(p.errorCode).toBe(0);
    expect(Number(p.logAppendTimeMs)).toBeGreaterThanOrEqual(before - 1000);
    const [m] = messagesOf((await fetch(broker, 2, 'legacy-lat')).records as Buffer);
    expect([m!.timestamp, m!.attributes & 8]).toEqual([Number(p.logAppendTimeMs), 8]);
  });

  it('refuses what Kafka 3.9 refused, and answers an empty message set with offset -1', async () => {
    const corrupt = messageSet(1, Compression.none, [message('bad', T)]);
    corrupt[corrupt.length - 1] ^= 1;
    expect((await produce(broker, 2, 'legacy-errors', corrupt)).errorCode).toBe(2);
    const producer = messageSet(1, Compression.none, [message('future', Date.now() + 2 * 3_600_000)]);
    expect((await produce(broker, 2, 'legacy-errors', producer)).errorCode).toBe(32);
    const nested = encodeMessage(1, Compression.gzip, { offset: 0n, timestamp: T, key: null, value: Buffer.from('not gzip') });
    expect((await produce(broker, 1, 'legacy-errors', nested)).errorCode).toBe(-1);
    expect(await produce(broker, 0, 'legacy-errors', Buffer.alloc(0))).toMatchObject({ errorCode: 0, baseOffset: -1n });
  });

  it('librdkafka in its pre-ApiVersions mode (broker.version.fallback 0.8.2 / 0.9.0): Produce v1, Fetch v0-1, ListOffsets v0', () => {
    const legacy = (fallback: string) => ['-X', 'api.version.request=false', '-X', `broker.version.fallback=${fallback}`];
    const produced = kcat(broker, ['-P', '-t', 'legacy-kcat', '-z', 'snappy', ...legacy('0.9.0')], 'x\ny\nz\n');
    expect(produced.status, produced.stderr).toBe(0);
    for (const fallback of ['0.8.2', '0.9.0']) {
      const consumed = kcat(broker, ['-C', '-t', 'legacy-kcat', '-e', '-q', '-f', '%o %s\n', ...legacy(fallback)]);
      expect(consumed.status, consumed.stderr).toBe(0);
      expect(consumed.stdout.trim().split('\n')).toEqual(['0 x', '1 y', '2 z']);
    }
  });

  it('ListOffsets v0 answers offsets at segment boundaries, newest first', async () => {
    const topic = 'legacy-produce';
    const v0 = (timestamp: bigint, maxNumOffsets: number) =>
      call(broker, ListOffsets, 0, {
        replicaId: -1, isolationLevel: 0, timeoutMs: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets }] }],
      }).then((r) => r!.topics[0]!.partitions[0]!);
    expect(await v0(-1n, 10)).toMatchObject({ errorCode: 0, oldStyleOffsets: [7n, 0n] }); // log end, then the one segment's base
    expect(await v0(-1n, 1)).toMatchObject({ errorCode: 0, oldStyleOffsets: [7n] });
    expect(await v0(-2n, 10)).toMatchObject({ errorCode: 0, oldStyleOffsets: [0n] });
    expect(await v0(1n, 10)).toMatchObject({ errorCode: 0, oldStyleOffsets: [] }); // nothing modified that long ago
    expect(await v0(-3n, 10)).toMatchObject({ errorCode: 35 });
  });

  it('OffsetCommit v0 and OffsetFetch v0 answer 35, as Kafka 3.9 in KRaft mode (v0 used ZooKeeper); v1 stores and reads', async () => {
    const topic = 'legacy-produce';
    const commit = (version: number, offset: bigint) =>
      call(broker, OffsetCommit, version, {
        groupId: 'legacy-group', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
        topics: [{ name: topic, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: version === 1 ? BigInt(T) : -1n, committedMetadata: 'm' }] }],
      }).then((r) => r!.topics[0]!.partitions[0]!.errorCode);
    const fetchOffset = (version: number) =>
      call(broker, OffsetFetch, version, {
        groupId: 'legacy-group', topics: [{ name: topic, partitionIndexes: [0] }], groups: [], requireStable: false,
      }).then((r) => r!.topics[0]!.partitions[0]!);
    expect(await commit(0, 3n)).toBe(35);
    expect(await commit(1, 5n)).toBe(0);
    expect(await fetchOffset(0)).toMatchObject({ committedOffset: -1n, metadata: '', errorCode: 35 });
    expect(await fetchOffset(1)).toMatchObject({ committedOffset: 5n, metadata: 'm', errorCode: 0 });
  });

  it('CreateTopics v0, DescribeConfigs v0, OffsetForLeaderEpoch v0, DescribeLogDirs v0, DeleteTopics v0', async () => {
    const created = await call(broker, CreateTopics, 0, {
      topics: [{ name: 'legacy-admin', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] }],
      timeoutMs: 1000, validateOnly: false,
    });
    expect(created!.topics).toMatchObject([{ name: 'legacy-admin', errorCode: 0 }]);
    const described = await call(broker, DescribeConfigs, 0, {
      resources: [{ resourceType: 2, resourceName: 'legacy-admin', configurationKeys: ['retention.ms', 'segment.bytes'] }],
      includeSynonyms: false, includeDocumentation: false,
    });
    // Kafka 3.9 never set v0's is_default: every entry says false.
    expect(described!.results[0]!.configs.map((c) => [c.name, c.value, c.isDefault])).toEqual([
      ['retention.ms', '1000', false], ['segment.bytes', '1073741824', false],
    ]);
    const epochs = await call(broker, OffsetForLeaderEpoch, 0, {
      replicaId: -2, topics: [{ topic: 'legacy-produce', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    });
    expect(epochs!.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, endOffset: 7n });
    const dirs = await call(broker, DescribeLogDirs, 0, { topics: [{ topic: 'legacy-admin', partitions: [0, 1] }] });
    expect(dirs!.results[0]!.topics).toMatchObject([{ name: 'legacy-admin', partitions: [{ partitionIndex: 0 }, { partitionIndex: 1 }] }]);
    const deleted = await call(broker, DeleteTopics, 0, { topicNames: ['legacy-admin'], topics: [], timeoutMs: 1000 });
    expect(deleted!.responses).toMatchObject([{ name: 'legacy-admin', errorCode: 0 }]);
  });
});

describe.skipIf(target.kind !== 'tafka')('api.versions.floor=4.0: Kafka 4\'s ranges and refusals', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startTafka({ overrides: { 'api.versions.floor': '4.0' } });
  });
  afterAll(async () => broker?.stop());

  it('advertises Kafka 4.x\'s floors, Produce still from v0 (KAFKA-18659)', async () => {
    const r = await call(broker, ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    const min = (key: number) => r!.apiKeys.find((k) => k.apiKey === key)!.minVersion;
    expect([0, 1, 2, 8, 9, 19, 20, 23, 32, 35].map(min)).toEqual([0, 4, 1, 2, 1, 2, 1, 2, 1, 1]);
  });

  it('librdkafka in its pre-ApiVersions mode fails, as against Kafka 4', () => {
    const r = kcat(broker, ['-P', '-t', 'floor', '-X', 'api.version.request=false', '-X', 'broker.version.fallback=0.9.0', '-X', 'message.timeout.ms=3000'], 'x\n');
    expect(r.status).not.toBe(0);
  });

  it('closes the connection on the removed versions, Produce v0-2 included', async () => {
    expect(await produce(broker, 2, 'floor', messageSet(1, Compression.none, [message('x', 1)])).catch(() => null)).toBeNull();
    expect(await call(broker, OffsetFetch, 0, { groupId: 'g', topics: [{ name: 'floor', partitionIndexes: [0] }], groups: [], requireStable: false })).toBeNull();
    expect(await fetch(broker, 3, 'floor').catch(() => null)).toBeNull();
  });
});
