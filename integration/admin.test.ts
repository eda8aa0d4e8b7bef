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
import { Metadata } from '../protocol/messages/03-metadata.js';
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
    broker = await startBroker({ overrides: { 'num.partitions': '2', 'log.segment.bytes': '2097152' } });
    admin = kafkajs(broker).admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await broker?.stop();
  });

  describe('DescribeCluster', () => {
    it('lists this broker as the only broker and the controller, at every version', async () => {
      const meta = await call(Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
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
      const meta = await call(Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
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
      expect(r.results[3]!.configs).toEqual([]); // no dynamic cluster-wide defaults in Tafka
    });
  });
});
