/**
 * Issue 6, "Admin and configs": topic lifecycle and config APIs, through KafkaJS's admin client,
 * kcat (librdkafka) and hand-made frames for the versions and fields real clients do not reach.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { ApiSpec, MessageOf } from '../protocol/schema.js';
import { CreateTopics } from '../protocol/messages/19-create-topics.js';
import { DescribeConfigs } from '../protocol/messages/32-describe-configs.js';
import { DescribeCluster } from '../protocol/messages/60-describe-cluster.js';
import { DeleteTopics } from '../protocol/messages/20-delete-topics.js';
import { DeleteRecords } from '../protocol/messages/21-delete-records.js';
import { AlterConfigs } from '../protocol/messages/33-alter-configs.js';
import { DescribeLogDirs } from '../protocol/messages/35-describe-log-dirs.js';
import { CreatePartitions } from '../protocol/messages/37-create-partitions.js';
import { IncrementalAlterConfigs } from '../protocol/messages/44-incremental-alter-configs.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Metadata } from '../protocol/messages/03-metadata.js';
import { Fetch } from '../protocol/messages/01-fetch.js';
import { codecFor } from '../src/codec/interpret.js';
import { kafkajs, resolveTarget, startBroker, type BrokerHandle } from './harness.js';
import { RawClient } from './raw-client.js';

const target = await resolveTarget();
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

describe.skipIf(target.skipReason !== undefined)('admin and configs', () => {
  let broker: BrokerHandle;
  let admin: Admin;
  let correlation = 0;

  /** One request on a fresh connection, decoded with Tafka's codec. */
  async function call<A extends ApiSpec>(api: A, version: number, body: MessageOf<A['request']>): Promise<MessageOf<A['response']>> {
    const c = await RawClient.connect(broker.port);
    try {
      c.send(api.request, version, ++correlation, body);
      const frame = (await c.readFrame())!;
      const codec = codecFor(api.response, version);
      // The response header is v1 (correlation id + tag buffer) for flexible versions.
      return codec.decode(frame, codec.flexible ? 5 : 4) as MessageOf<A['response']>;
    } finally {
      c.end();
    }
  }

  const createRequest = (topics: Partial<MessageOf<typeof CreateTopics.request>['topics'][number]>[], validateOnly = false) => ({
    topics: topics.map((t) => ({ name: '', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], ...t })),
    timeoutMs: 10_000,
    validateOnly,
  });

  beforeAll(async () => {
    broker = await startBroker({
      overrides: {
        'num.partitions': '2',
        'log.segment.bytes': '2097152',
        // Producers must see deleted topics as gone, not have them re-created behind their backs.
        'auto.create.topics.enable': 'false',
        'log.retention.check.interval.ms': '300',
      },
    });
    admin = kafkajs(broker).admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await broker?.stop();
  });

  describe('DescribeCluster', () => {
    it('lists this broker as the only broker and the controller, at every version', async () => {
      const meta = await call(Metadata, 12, {
        topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
      });
      for (const version of [0, 1, 2]) {
        const r = await call(DescribeCluster, version, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
        expect(r.errorCode).toBe(0);
        expect(r.clusterId).toBe(meta.clusterId);
        expect(r.controllerId).toBe(meta.controllerId);
        expect(r.brokers).toEqual([
          { brokerId: meta.brokers[0]!.nodeId, host: broker.host, port: broker.port, rack: null, isFenced: false },
        ]);
        expect(r.clusterAuthorizedOperations).toBe(-2147483648);
      }
    });

    it('grants every cluster operation when asked (no authorizer)', async () => {
      const r = await call(DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1, includeFencedBrokers: false });
      // CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE
      expect(r.clusterAuthorizedOperations).toBe([5, 7, 8, 9, 10, 11, 12].reduce((b, op) => b | (1 << op), 0));
    });

    it('refuses the controller endpoint type with 114 and unknown types with 115 (42 at v0)', async () => {
      const controllers = await call(DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 2, includeFencedBrokers: false });
      expect(controllers.errorCode).toBe(114);
      expect(controllers.brokers).toEqual([]);
      const unknown = await call(DescribeCluster, 2, { includeClusterAuthorizedOperations: false, endpointType: 3, includeFencedBrokers: false });
      expect(unknown.errorCode).toBe(115);
      expect(unknown.errorMessage).toContain('3');
      // v0 has no endpoint type field: the request decodes with the default (broker) and succeeds.
      const v0 = await call(DescribeCluster, 0, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
      expect(v0.errorCode).toBe(0);
    });
  });

  describe('CreateTopics', () => {
    it('KafkaJS: creates a topic with configs; a second create answers false (36)', async () => {
      const created = await admin.createTopics({
        topics: [{ topic: 'admin-configs', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'cleanup.policy', value: 'compact' }] }],
      });
      expect(created).toBe(true);
      const meta = await admin.fetchTopicMetadata({ topics: ['admin-configs'] });
      expect(meta.topics[0]!.partitions).toHaveLength(3);
      expect(await admin.createTopics({ topics: [{ topic: 'admin-configs' }] })).toBe(false);
    });

    it('KafkaJS: validateOnly checks but creates nothing', async () => {
      // KafkaJS waits for leaders by polling Metadata, which would fail for a topic never created.
      const opts = { validateOnly: true, waitForLeaders: false };
      expect(await admin.createTopics({ ...opts, topics: [{ topic: 'admin-validate-only', numPartitions: 4 }] })).toBe(true);
      expect(await admin.listTopics()).not.toContain('admin-validate-only');
      await expect(
        admin.createTopics({ ...opts, topics: [{ topic: 'admin-validate-only', configEntries: [{ name: 'retention.mss', value: '1' }] }] }),
      ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })] });
    });

    it('KafkaJS: refuses a replication factor above 1 and bad configs, creating nothing', async () => {
      await expect(admin.createTopics({ topics: [{ topic: 'admin-rf2', replicationFactor: 2 }] })).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR' })],
      });
      await expect(
        admin.createTopics({ topics: [{ topic: 'admin-badcfg', configEntries: [{ name: 'segment.bytes', value: '1000' }] }] }),
      ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })] });
      expect(await admin.listTopics()).not.toContain('admin-rf2');
      expect(await admin.listTopics()).not.toContain('admin-badcfg');
    });

    it('names the offending key in INVALID_CONFIG messages', async () => {
      const r = await call(
        CreateTopics,
        7,
        createRequest([
          { name: 'admin-bad1', configs: [{ name: 'no.such.config', value: '1' }] },
          { name: 'admin-bad2', configs: [{ name: 'segment.bytes', value: '1000' }] },
          { name: 'admin-bad3', configs: [{ name: 'message.timestamp.type', value: 'WallClock' }] },
          { name: 'admin-bad4', configs: [{ name: 'retention.ms', value: 'soon' }] },
        ]),
      );
      expect(r.topics.map((t) => [t.errorCode, t.errorMessage])).toEqual([
        [40, 'Unknown topic config name: no.such.config'],
        [40, 'Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576'],
        [40, 'Invalid value WallClock for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime'],
        [40, 'Invalid value soon for configuration retention.ms: Not a number of type LONG'],
      ]);
      expect(r.topics[0]).toMatchObject({ topicId: ZERO_UUID, numPartitions: -1, replicationFactor: -1, configs: [] });
    });

    it('v7: defaults for -1, the created topic id and configs with their sources', async () => {
      const r = await call(CreateTopics, 7, createRequest([{ name: 'admin-v7', configs: [{ name: 'max.message.bytes', value: ' 2000000 ' }] }]));
      const t = r.topics[0]!;
      expect(t).toMatchObject({ name: 'admin-v7', errorCode: 0, numPartitions: 2, replicationFactor: 1 });
      const meta = await call(Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: 'admin-v7' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      expect(t.topicId).toBe(meta.topics[0]!.topicId);
      expect(t.topicId).not.toBe(ZERO_UUID);
      const configs = Object.fromEntries(t.configs!.map((c) => [c.name, c]));
      expect(configs['max.message.bytes']).toMatchObject({ value: '2000000', configSource: 1, readOnly: false, isSensitive: false });
      expect(configs['segment.bytes']).toMatchObject({ value: '2097152', configSource: 4 }); // static broker config
      expect(configs['cleanup.policy']).toMatchObject({ value: 'delete', configSource: 5 });
    });

    it('per-topic errors: 17, 36, 37, 38, 39, 42 for duplicates, and nothing created on validate_only', async () => {
      const r = await call(
        CreateTopics,
        5,
        createRequest([
          { name: 'bad/name' },
          { name: 'admin-configs' },
          { name: 'admin-zero', numPartitions: 0 },
          { name: 'admin-rf0', replicationFactor: 0 },
          { name: 'admin-assign', assignments: [{ partitionIndex: 0, brokerIds: [4242] }] },
          { name: 'admin-dup' },
          { name: 'admin-dup' },
          { name: 'admin-ok', numPartitions: 5 },
        ], true),
      );
      expect(r.topics.map((t) => [t.name, t.errorCode])).toEqual([
        ['bad/name', 17],
        ['admin-configs', 36],
        ['admin-zero', 37],
        ['admin-rf0', 38],
        ['admin-assign', 39],
        ['admin-dup', 42],
        ['admin-ok', 0],
      ]);
      expect(r.topics.at(-1)).toMatchObject({ numPartitions: 5, replicationFactor: 1 });
      expect(await admin.listTopics()).not.toContain('admin-ok');
    });

    it('a manual assignment naming this broker creates the topic; collisions of . and _ are refused', async () => {
      const meta = await call(Metadata, 12, {
        topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
      });
      const me = meta.brokers[0]!.nodeId;
      const r = await call(CreateTopics, 4, createRequest([{ name: 'admin.assigned', assignments: [0, 1, 2].map((p) => ({ partitionIndex: p, brokerIds: [me] })) }]));
      expect(r.topics[0]!.errorCode).toBe(0);
      const again = await call(CreateTopics, 4, createRequest([{ name: 'admin_assigned' }]));
      expect(again.topics[0]!.errorCode).toBe(17);
      const fetched = await admin.fetchTopicMetadata({ topics: ['admin.assigned'] });
      expect(fetched.topics[0]!.partitions).toHaveLength(3);
    });
  });

  describe('DescribeConfigs', () => {
    it('KafkaJS: topic configs with values, sources and synonyms as Kafka reports them', async () => {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: true,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-configs' }],
      });
      expect(resources[0]!.errorCode).toBe(0);
      const entries = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e]));
      expect(entries['retention.ms']).toMatchObject({
        configValue: '3600000',
        configSource: 1,
        isDefault: false,
        readOnly: false,
        isSensitive: false,
        configSynonyms: [{ configName: 'retention.ms', configValue: '3600000', configSource: 1 }],
      });
      expect(entries['cleanup.policy']!.configSynonyms).toEqual([
        { configName: 'cleanup.policy', configValue: 'compact', configSource: 1 },
        { configName: 'log.cleanup.policy', configValue: 'delete', configSource: 5 },
      ]);
      expect(entries['segment.bytes']).toMatchObject({
        configValue: '2097152',
        configSource: 4,
        configSynonyms: [
          { configName: 'log.segment.bytes', configValue: '2097152', configSource: 4 },
          { configName: 'log.segment.bytes', configValue: '1073741824', configSource: 5 },
        ],
      });
      expect(entries['compression.type']).toMatchObject({ configValue: 'producer', configSource: 5, isDefault: true });
      // Kafka lists a broker chain only from its primary name on: log.retention.ms is unset, so a
      // topic without an override shows retention.ms with no synonyms.
      expect(Object.keys(entries)).toContain('min.insync.replicas');
      expect(Object.keys(entries)).not.toContain('no.such.config');
    });

    it('KafkaJS: selected keys of the broker, read-only, with their sources', async () => {
      const cluster = await admin.describeCluster();
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.BROKER, name: String(cluster.controller), configNames: ['num.partitions', 'log.retention.hours', 'log.retention.ms', 'nope'] }],
      });
      const entries = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e]));
      expect(Object.keys(entries).sort()).toEqual(['log.retention.hours', 'log.retention.ms', 'num.partitions']);
      expect(entries['num.partitions']).toMatchObject({ configValue: '2', configSource: 4, readOnly: true, configSynonyms: [] });
      expect(entries['log.retention.hours']).toMatchObject({ configValue: '168', configSource: 5, isDefault: true });
      expect(entries['log.retention.ms']).toMatchObject({ configValue: null, configSource: 5 });
    });

    it('v4: config types; per-resource errors for unknown topics, other brokers and unsupported types', async () => {
      const r = await call(DescribeConfigs, 4, {
        resources: [
          { resourceType: 2, resourceName: 'admin-v7', configurationKeys: ['retention.bytes', 'preallocate', 'cleanup.policy', 'min.cleanable.dirty.ratio'] },
          { resourceType: 2, resourceName: 'admin-missing', configurationKeys: null },
          { resourceType: 4, resourceName: '4242', configurationKeys: null },
          { resourceType: 4, resourceName: '', configurationKeys: null },
          { resourceType: 32, resourceName: 'some-group', configurationKeys: null },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      expect(r.results.map((x) => x.errorCode)).toEqual([0, 3, 42, 0, 42]);
      expect(Object.fromEntries(r.results[0]!.configs.map((c) => [c.name, [c.value, c.configType]]))).toEqual({
        'retention.bytes': ['-1', 5],
        'preallocate': ['false', 1],
        'cleanup.policy': ['delete', 7],
        'min.cleanable.dirty.ratio': ['0.5', 6],
      });
      expect(r.results[3]!.configs).toEqual([]); // no cluster-wide dynamic defaults set (yet)
    });
  });

  /** The `.log` segment files of one partition directory, as they are on disk. */
  const segmentFiles = (topic: string, partition: number) => {
    const dir = join(broker.dataDir!, `${topic}-${partition}`);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => join(dir, f)) : [];
  };

  const produce = async (topic: string, messages: { value: string | Buffer; partition?: number }[]) => {
    const producer = kafkajs(broker).producer();
    await producer.connect();
    try {
      for (const m of messages) await producer.send({ topic, acks: -1, messages: [m] });
    } finally {
      await producer.disconnect();
    }
  };

  describe('DeleteTopics', () => {
    it('KafkaJS: deletes topics and their files; producers then get UNKNOWN_TOPIC_OR_PARTITION', async () => {
      await admin.createTopics({ topics: [{ topic: 'admin-doomed', numPartitions: 2 }] });
      const producer = kafkajs(broker, { retry: { retries: 1, initialRetryTime: 50 } }).producer();
      await producer.connect();
      await producer.send({ topic: 'admin-doomed', messages: [{ value: 'before', partition: 1 }] });
      if (broker.dataDir) expect(segmentFiles('admin-doomed', 1)).toHaveLength(1);

      await admin.deleteTopics({ topics: ['admin-doomed'] });
      expect(await admin.listTopics()).not.toContain('admin-doomed');
      if (broker.dataDir) expect(readdirSync(broker.dataDir).filter((d) => d.startsWith('admin-doomed'))).toEqual([]);
      await expect(producer.send({ topic: 'admin-doomed', messages: [{ value: 'after', partition: 1 }] })).rejects.toThrow(
        /does not host this topic-partition/,
      );
      await producer.disconnect();
      // The broker is still fine, and the name can be used again, from offset 0.
      await admin.createTopics({ topics: [{ topic: 'admin-doomed', numPartitions: 1 }] });
      expect(await admin.fetchTopicOffsets('admin-doomed')).toEqual([{ partition: 0, offset: '0', high: '0', low: '0' }]);
    });

    it('a consumer long-polling a topic when it is deleted gets 3 at once, and on its next fetch', async () => {
      await admin.createTopics({ topics: [{ topic: 'admin-polled', numPartitions: 1 }] });
      await produce('admin-polled', [{ value: 'one', partition: 0 }]);
      const fetchAt = (correlationId: number, c: RawClient) =>
        c.send(Fetch.request, 11, correlationId, {
          clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 3000, minBytes: 1,
          maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
          topics: [{ topic: 'admin-polled', topicId: ZERO_UUID, partitions: [{
            partition: 0, currentLeaderEpoch: -1, fetchOffset: 1n, lastFetchedEpoch: -1, logStartOffset: -1n,
            partitionMaxBytes: 1 << 20, replicaDirectoryId: ZERO_UUID, highWatermark: 0n,
          }] }],
          forgottenTopicsData: [], rackId: '',
        });
      const c = await RawClient.connect(broker.port);
      fetchAt(1, c); // waits: nothing after offset 1 yet
      await new Promise((r) => setTimeout(r, 200));
      await admin.deleteTopics({ topics: ['admin-polled'] });
      const deletedAt = Date.now();
      const first = codecFor(Fetch.response, 11).decode((await c.readFrame(5000))!, 4);
      // The deletion wakes the parked fetch, which answers at once that the topic is gone.
      expect(Date.now() - deletedAt).toBeLessThan(1000);
      expect(first.responses[0]!.partitions[0]!.errorCode).toBe(3);
      fetchAt(2, c);
      const second = codecFor(Fetch.response, 11).decode((await c.readFrame(5000))!, 4);
      expect(second.responses[0]!.partitions[0]!.errorCode).toBe(3);
      c.end();
    });

    it('v6: by id or name; 3 and 100 for unknown ones, 42 for both or duplicates', async () => {
      await admin.createTopics({ topics: [{ topic: 'admin-by-id' }, { topic: 'admin-by-name' }] });
      const meta = await call(Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: 'admin-by-id' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const id = meta.topics[0]!.topicId;
      const unknownId = '0f0f0f0f-0000-4000-8000-000000000001';
      const r = await call(DeleteTopics, 6, {
        topics: [
          { name: null, topicId: id },
          { name: 'admin-by-name', topicId: ZERO_UUID },
          { name: 'admin-never', topicId: ZERO_UUID },
          { name: null, topicId: unknownId },
          { name: 'admin-v7', topicId: id },
        ],
        timeoutMs: 5000,
        topicNames: [],
      });
      expect(r.responses.map((x) => [x.name, x.topicId, x.errorCode])).toEqual([
        ['admin-by-id', id, 0],
        ['admin-by-name', expect.not.stringMatching(ZERO_UUID), 0],
        ['admin-never', ZERO_UUID, 3],
        [null, unknownId, 100],
        ['admin-v7', id, 42],
      ]);
      const dup = await call(DeleteTopics, 1, { topics: [], topicNames: ['admin-v7', 'admin-v7'], timeoutMs: 5000 });
      expect(dup.responses.map((x) => [x.name, x.errorCode])).toEqual([['admin-v7', 42]]);
      expect(await admin.listTopics()).toContain('admin-v7');
    });
  });

  describe('CreatePartitions', () => {
    it('KafkaJS: adds partitions that can be produced to at once; refuses decreases and unknown topics', async () => {
      await admin.createTopics({ topics: [{ topic: 'admin-grow', numPartitions: 1 }] });
      await admin.createPartitions({ topicPartitions: [{ topic: 'admin-grow', count: 4 }] });
      const meta = await admin.fetchTopicMetadata({ topics: ['admin-grow'] });
      expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
      await produce('admin-grow', [{ value: 'p3', partition: 3 }]);
      expect((await admin.fetchTopicOffsets('admin-grow')).find((p) => p.partition === 3)?.high).toBe('1');
      await expect(admin.createPartitions({ topicPartitions: [{ topic: 'admin-grow', count: 2 }] })).rejects.toThrow();
    });

    it('v3: per-topic errors, assignments and validate_only', async () => {
      const me = (await call(Metadata, 12, {
        topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
      })).brokers[0]!.nodeId;
      const r = await call(CreatePartitions, 3, {
        topics: [
          { name: 'admin-grow', count: 4, assignments: null },
          { name: 'admin-grow-none', count: 2, assignments: null },
          { name: 'admin-configs', count: 5, assignments: [{ brokerIds: [me] }] },
          { name: 'admin-configs', count: 5, assignments: null },
        ],
        timeoutMs: 5000,
        validateOnly: false,
      });
      expect(r.results.map((x) => [x.name, x.errorCode])).toEqual([
        ['admin-grow', 37],
        ['admin-grow-none', 3],
        ['admin-configs', 42], // named twice: one answer
      ]);
      const checks = await call(CreatePartitions, 2, {
        topics: [
          { name: 'admin-grow', count: 6, assignments: [{ brokerIds: [me] }] },
          { name: 'admin-configs', count: 4, assignments: [{ brokerIds: [me + 1] }] },
          { name: 'admin-v7', count: 3, assignments: null },
        ],
        timeoutMs: 5000,
        validateOnly: true,
      });
      expect(checks.results.map((x) => x.errorCode)).toEqual([39, 39, 0]);
      expect((await admin.fetchTopicMetadata({ topics: ['admin-v7'] })).topics[0]!.partitions).toHaveLength(2);
    });
  });

  describe('AlterConfigs and IncrementalAlterConfigs', () => {
    const topicConfigs = async (topic: string) => {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
      return Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, [e.configValue, e.configSource]]));
    };

    it('KafkaJS alterConfigs replaces the override set, which survives a restart', async () => {
      await admin.createTopics({ topics: [{ topic: 'admin-alter', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-alter', configEntries: [{ name: 'retention.ms', value: '120000' }, { name: 'min.insync.replicas', value: '1' }] }],
      });
      const after = await topicConfigs('admin-alter');
      expect(after['retention.ms']).toEqual(['120000', 1]);
      expect(after['min.insync.replicas']).toEqual(['1', 1]);
      expect(after['cleanup.policy']).toEqual(['delete', 5]); // not in the new set: back to the default
      await admin.alterConfigs({
        validateOnly: true,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-alter', configEntries: [{ name: 'retention.ms', value: '1' }] }],
      });
      expect((await topicConfigs('admin-alter'))['retention.ms']).toEqual(['120000', 1]);
      if (broker.controllable) {
        await admin.disconnect();
        await broker.restart();
        await admin.connect();
        expect((await topicConfigs('admin-alter'))['retention.ms']).toEqual(['120000', 1]);
      }
    });

    it('AlterConfigs v2: 40 naming the key, 42 for broker configs and repeated resources, 3 for unknown topics', async () => {
      const me = (await call(Metadata, 12, {
        topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
      })).brokers[0]!.nodeId;
      const r = await call(AlterConfigs, 2, {
        resources: [
          { resourceType: 2, resourceName: 'admin-alter', configs: [{ name: 'retention.ms', value: '1' }, { name: 'flavour', value: 'x' }] },
          { resourceType: 2, resourceName: 'admin-nope', configs: [] },
          { resourceType: 4, resourceName: String(me), configs: [{ name: 'num.partitions', value: '3' }] },
          { resourceType: 2, resourceName: 'admin-v7', configs: [] },
          { resourceType: 2, resourceName: 'admin-v7', configs: [] },
        ],
        validateOnly: false,
      });
      expect(r.responses.map((x) => [x.resourceName, x.errorCode])).toEqual([
        ['admin-alter', 40],
        ['admin-nope', 3],
        [String(me), 42],
        ['admin-v7', 42],
        ['admin-v7', 42],
      ]);
      expect(r.responses[0]!.errorMessage).toBe('Unknown topic config name: flavour');
      expect((await topicConfigs('admin-alter'))['retention.ms']).toEqual(['120000', 1]); // nothing half-applied
    });

    it('IncrementalAlterConfigs v1: SET, DELETE, APPEND and SUBTRACT', async () => {
      const alter = (configs: { name: string; configOperation: number; value: string | null }[]) =>
        call(IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'admin-alter', configs }], validateOnly: false });
      expect((await alter([{ name: 'segment.ms', configOperation: 0, value: '3600000' }, { name: 'retention.ms', configOperation: 1, value: null }])).responses[0]!.errorCode).toBe(0);
      let now = await topicConfigs('admin-alter');
      expect(now['segment.ms']).toEqual(['3600000', 1]);
      expect(now['retention.ms']).toEqual(['604800000', 5]);
      expect(now['min.insync.replicas']).toEqual(['1', 1]); // untouched
      expect((await alter([{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).responses[0]!.errorCode).toBe(0);
      expect((await topicConfigs('admin-alter'))['cleanup.policy']).toEqual(['delete,compact', 1]);
      expect((await alter([{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }])).responses[0]!.errorCode).toBe(0);
      expect((await topicConfigs('admin-alter'))['cleanup.policy']).toEqual(['compact', 1]);
      const bad = await alter([{ name: 'retention.ms', configOperation: 2, value: '5' }]);
      expect([bad.responses[0]!.errorCode, bad.responses[0]!.errorMessage]).toEqual([40, "Can't APPEND to key retention.ms because its type is not LIST."]);
      expect((await alter([{ name: 'retention.ms', configOperation: 9, value: '5' }])).responses[0]!.errorCode).toBe(42);
      now = await topicConfigs('admin-alter');
      expect(now['retention.ms']).toEqual(['604800000', 5]);
    });

    it('an override acts on the log at once and again after a restart (max.message.bytes)', async () => {
      await admin.createTopics({ topics: [{ topic: 'admin-limits', numPartitions: 1 }] });
      const r = await call(IncrementalAlterConfigs, 0, {
        resources: [{ resourceType: 2, resourceName: 'admin-limits', configs: [{ name: 'max.message.bytes', configOperation: 0, value: '2000' }] }],
        validateOnly: false,
      });
      expect(r.responses[0]!.errorCode).toBe(0);
      const tooLarge = /larger than the max message size/;
      await produce('admin-limits', [{ value: Buffer.alloc(1500, 1), partition: 0 }]);
      await expect(produce('admin-limits', [{ value: Buffer.alloc(5000, 1), partition: 0 }])).rejects.toThrow(tooLarge);
      if (broker.controllable) {
        await admin.disconnect();
        await broker.restart();
        await admin.connect();
        await expect(produce('admin-limits', [{ value: Buffer.alloc(5000, 1), partition: 0 }])).rejects.toThrow(tooLarge);
      }
      // Deleting the override restores the broker default (message.max.bytes, about 1 MiB).
      await call(IncrementalAlterConfigs, 1, {
        resources: [{ resourceType: 2, resourceName: 'admin-limits', configs: [{ name: 'max.message.bytes', configOperation: 1, value: null }] }],
        validateOnly: false,
      });
      await produce('admin-limits', [{ value: Buffer.alloc(5000, 1), partition: 0 }]);
      expect((await admin.fetchTopicOffsets('admin-limits'))[0]!.high).toBe('2');
    });

    it('lowering retention.bytes live removes old segments at the next retention check', async () => {
      await admin.createTopics({ topics: [{ topic: 'admin-retain', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1048576' }] }] });
      const chunk = Buffer.alloc(200_000, 7);
      await produce('admin-retain', Array.from({ length: 20 }, () => ({ value: chunk, partition: 0 })));
      const segmentsBefore = segmentFiles('admin-retain', 0).length;
      if (broker.dataDir) expect(segmentsBefore).toBeGreaterThanOrEqual(4);
      // Several retention checks pass without a change: nothing is deleted under the defaults.
      await new Promise((r) => setTimeout(r, 1000));
      expect((await admin.fetchTopicOffsets('admin-retain'))[0]).toMatchObject({ low: '0', high: '20' });

      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-retain', configEntries: [{ name: 'segment.bytes', value: '1048576' }, { name: 'retention.bytes', value: '1048576' }] }],
      });
      const deadline = Date.now() + 10_000;
      let low = 0;
      while (low === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        low = Number((await admin.fetchTopicOffsets('admin-retain'))[0]!.low);
      }
      expect(low).toBeGreaterThan(0);
      if (broker.dataDir) {
        expect(segmentFiles('admin-retain', 0).length).toBeLessThan(segmentsBefore);
        const bytes = segmentFiles('admin-retain', 0).reduce((n, f) => n + statSync(f).size, 0);
        // Retention keeps whole segments: at most retention.bytes plus the active segment.
        expect(bytes).toBeLessThanOrEqual(2 * 1048576);
      }
    });
  });

  describe('DeleteRecords', () => {
    it('KafkaJS deleteTopicRecords moves the log start offset', async () => {
      await admin.createTopics({ topics: [{ topic: 'admin-trim', numPartitions: 1 }] });
      await produce('admin-trim', Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, partition: 0 })));
      // KafkaJS finds partition leaders in its cached metadata, which only fetchTopicMetadata fills.
      await admin.fetchTopicMetadata({ topics: ['admin-trim'] });
      await admin.deleteTopicRecords({ topic: 'admin-trim', partitions: [{ partition: 0, offset: '6' }] });
      expect(await admin.fetchTopicOffsets('admin-trim')).toEqual([{ partition: 0, offset: '10', high: '10', low: '6' }]);
    });

    it('v2: -1 is the high watermark; 1 above it; 44 for a compacted topic; 3 for unknown partitions', async () => {
      await admin.createTopics({ topics: [{ topic: 'admin-compacted', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
      const r = await call(DeleteRecords, 2, {
        topics: [
          { name: 'admin-trim', partitions: [{ partitionIndex: 0, offset: 3n }, { partitionIndex: 7, offset: 0n }] },
          { name: 'admin-compacted', partitions: [{ partitionIndex: 0, offset: 0n }] },
          { name: 'admin-missing', partitions: [{ partitionIndex: 0, offset: 0n }] },
        ],
        timeoutMs: 5000,
      });
      expect(r.topics.map((t) => t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.lowWatermark]))).toEqual([
        [[0, 0, 6n], [7, 3, -1n]], // below the current start: nothing changes
        [[0, 44, -1n]],
        [[0, 3, -1n]],
      ]);
      const over = await call(DeleteRecords, 1, { topics: [{ name: 'admin-trim', partitions: [{ partitionIndex: 0, offset: 11n }] }], timeoutMs: 5000 });
      expect(over.topics[0]!.partitions[0]).toMatchObject({ errorCode: 1, lowWatermark: -1n });
      const all = await call(DeleteRecords, 0, { topics: [{ name: 'admin-trim', partitions: [{ partitionIndex: 0, offset: -1n }] }], timeoutMs: 5000 });
      expect(all.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, lowWatermark: 10n });
    });
  });

  describe('DescribeLogDirs', () => {
    it('v4: the data directory with partition sizes equal to the segment files on disk', async () => {
      const r = await call(DescribeLogDirs, 4, { topics: [{ topic: 'admin-retain', partitions: [0] }, { topic: 'admin-trim', partitions: [0, 9] }, { topic: 'admin-gone', partitions: [0] }] });
      expect(r.errorCode).toBe(0);
      expect(r.results).toHaveLength(1);
      const dir = r.results[0]!;
      expect(dir.errorCode).toBe(0);
      expect(dir.totalBytes).toBeGreaterThan(0n);
      expect(dir.usableBytes).toBeGreaterThan(0n);
      expect(dir.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]).sort()).toEqual([['admin-retain', [0]], ['admin-trim', [0]]]);
      if (broker.dataDir) {
        expect(dir.logDir).toBe(broker.dataDir);
        for (const t of dir.topics) {
          const onDisk = segmentFiles(t.name, 0).reduce((n, f) => n + statSync(f).size, 0);
          expect([t.name, t.partitions[0]!.partitionSize]).toEqual([t.name, BigInt(onDisk)]);
          expect(onDisk).toBeGreaterThan(0);
        }
      }
      const all = await call(DescribeLogDirs, 1, { topics: null });
      expect(all.results[0]!.topics.map((t) => t.name)).toEqual(expect.arrayContaining(['admin-retain', 'admin-trim', 'admin-configs']));
    });
  });
});
