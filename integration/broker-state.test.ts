/**
 * Issue 10 items 6, 7 and 8 with real clients: dynamic broker configs (KafkaJS alterConfigs /
 * describeConfigs and @platformatic/kafka incrementalAlterConfigs on BROKER "<node.id>", librdkafka
 * describe_configs; the cluster-wide default "" raw, as no client here can name it), authorized operations (@platformatic/kafka describeGroups), and
 * `__consumer_offsets` as Kafka lays it out: an internal topic of 50 partitions once a group is used,
 * committed offsets of a deleted topic gone.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes as KafkaJSResourceTypes, type Kafka } from 'kafkajs';
import { Admin } from '@platformatic/kafka';
import { DescribeConfigs } from '../protocol/messages/32-describe-configs.js';
import { IncrementalAlterConfigs } from '../protocol/messages/44-incremental-alter-configs.js';
import type { ApiSpec, MessageOf } from '../protocol/schema.js';
import { codecFor } from '../src/codec/interpret.js';
import { kafkajs, resolveTarget, startBroker, type BrokerHandle } from './harness.js';
import { RawClient } from './raw-client.js';

const target = await resolveTarget();
const BROKER = 4;
const [DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG] = [2, 3];

describe.skipIf(target.skipReason !== undefined)('broker-level state', () => {
  let broker: BrokerHandle;
  let kafka: Kafka;
  beforeAll(async () => {
    broker = await startBroker();
    kafka = kafkajs(broker);
  });
  afterAll(async () => broker?.stop());

  /** One request on a fresh connection, decoded with Tafka's codec. */
  async function raw<A extends ApiSpec>(api: A, version: number, body: MessageOf<A['request']>): Promise<MessageOf<A['response']>> {
    const c = await RawClient.connect(broker.port);
    try {
      c.send(api.request, version, 1, body);
      const codec = codecFor(api.response, version);
      return codec.decode((await c.readFrame())!, codec.flexible ? 5 : 4) as MessageOf<A['response']>;
    } finally {
      c.end();
    }
  }

  const brokerConfig = async (name: string, resourceName = '1') => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        resources: [{ type: KafkaJSResourceTypes.BROKER, name: resourceName, configNames: [name] }], includeSynonyms: true,
      });
      return resources[0]!.configEntries[0]!;
    } finally {
      await admin.disconnect();
    }
  };

  it('KafkaJS: message.max.bytes and log.retention.ms set on BROKER "1" act at once, are described as dynamic, and survive a restart', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'dyn-plain', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    const big = { value: Buffer.alloc(1_500_000, 'x') };
    // Kafka's default message.max.bytes (1048588) refuses it ...
    await expect(producer.send({ topic: 'dyn-plain', messages: [big] })).rejects.toThrow(/larger than|too large/i);
    await admin.alterConfigs({
      resources: [{ type: KafkaJSResourceTypes.BROKER, name: '1', configEntries: [{ name: 'message.max.bytes', value: '2000000' }, { name: 'log.retention.ms', value: '3600000' }] }],
      validateOnly: false,
    });
    // ... the new broker-wide limit lets it in, for a topic without an override, without a restart.
    await producer.send({ topic: 'dyn-plain', messages: [big] });
    await producer.disconnect();

    const entry = await brokerConfig('log.retention.ms');
    expect(entry).toMatchObject({ configValue: '3600000', readOnly: false, configSource: DYNAMIC_BROKER_CONFIG });
    const { resources } = await admin.describeConfigs({
      resources: [{ type: KafkaJSResourceTypes.TOPIC, name: 'dyn-plain', configNames: ['retention.ms'] }], includeSynonyms: false,
    });
    expect(resources[0]!.configEntries[0]).toMatchObject({ configValue: '3600000', configSource: DYNAMIC_BROKER_CONFIG });

    // A read-only key gets Kafka's answer (KafkaJS shows the code, not the message).
    await expect(admin.alterConfigs({ resources: [{ type: KafkaJSResourceTypes.BROKER, name: '1', configEntries: [{ name: 'num.partitions', value: '3' }] }], validateOnly: false }))
      .rejects.toMatchObject({ type: 'INVALID_REQUEST' });
    await admin.disconnect();

    if (!broker.controllable) return;
    await broker.restart();
    expect(await brokerConfig('message.max.bytes')).toMatchObject({ configValue: '2000000', configSource: DYNAMIC_BROKER_CONFIG });
  });

  it('IncrementalAlterConfigs: @platformatic/kafka on BROKER "1", the cluster-wide default "" (which no client here can name) raw; librdkafka reads both back', async () => {
    const admin = new Admin({ clientId: 'pk-dyn', bootstrapBrokers: [broker.bootstrap] });
    try {
      await admin.incrementalAlterConfigs({
        resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.segment.bytes', configOperation: 0, value: '4194304' }] }],
      });
      const [mine] = await admin.describeConfigs({ resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['log.segment.bytes'] }], includeSynonyms: true });
      expect(mine!.configs[0]).toMatchObject({ value: '4194304', configSource: DYNAMIC_BROKER_CONFIG, readOnly: false });
      const refused = await admin.incrementalAlterConfigs({
        resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.dirs', configOperation: 0, value: '/elsewhere' }] }],
      }).then(() => undefined, (e: { errors: { errors: { apiCode: number; serverErrorMessage: string }[] }[] }) => e.errors[0]!.errors[0]);
      expect(refused).toMatchObject({ apiCode: 42, serverErrorMessage: 'Cannot update these configs dynamically: Set(log.dirs)' });
    } finally {
      await admin.close();
    }
    // KafkaJS, librdkafka and @platformatic/kafka all refuse an empty resource name client-side; Kafka's Java admin sends it.
    const r = await raw(IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'log.segment.bytes', configOperation: 0, value: '2097152' }] }],
      validateOnly: false,
    });
    expect(r.responses[0]).toMatchObject({ resourceName: '', errorCode: 0 });
    const described = spawnSync('/usr/bin/python3', ['-c', `
from confluent_kafka.admin import AdminClient, ConfigResource
a = AdminClient({"bootstrap.servers": "${broker.bootstrap}"})
for f in a.describe_configs([ConfigResource("broker", "1")]).values():
    e = f.result()["log.segment.bytes"]
    print(e.value, e.source, e.is_read_only)
`], { encoding: 'utf8' });
    expect(described.stdout.trim()).toBe(`4194304 ${DYNAMIC_BROKER_CONFIG} False`);
    // This broker's value wins; the cluster-wide default comes next among the synonyms, then Kafka's
    // default (librdkafka keeps synonyms by name, so one per name: read them with @platformatic/kafka).
    const again = new Admin({ clientId: 'pk-dyn-2', bootstrapBrokers: [broker.bootstrap] });
    try {
      const [mine] = await again.describeConfigs({ resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['log.segment.bytes'] }], includeSynonyms: true });
      expect(mine!.configs[0]!.synonyms.map((s) => [s.value, s.source])).toEqual([
        ['4194304', DYNAMIC_BROKER_CONFIG], ['2097152', DYNAMIC_DEFAULT_BROKER_CONFIG], ['1073741824', 5],
      ]);
    } finally {
      await again.close();
    }
    const defaults = await raw(DescribeConfigs, 4, {
      resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }], includeSynonyms: true, includeDocumentation: false,
    });
    expect(defaults.results[0]!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([['log.segment.bytes', '2097152', DYNAMIC_DEFAULT_BROKER_CONFIG]]);
  });

  it('@platformatic/kafka describeGroups with include_authorized_operations gets every GROUP operation', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'ops-topic', numPartitions: 1 }] });
    await admin.setOffsets({ groupId: 'ops-group', topic: 'ops-topic', partitions: [{ partition: 0, offset: '0' }] });
    await admin.disconnect();
    const pk = new Admin({ clientId: 'pk-ops', bootstrapBrokers: [broker.bootstrap] });
    try {
      const groups = await pk.describeGroups({ groups: ['ops-group'], includeAuthorizedOperations: true });
      // READ 3, DELETE 6, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11 (Kafka's AclEntry for GROUP).
      expect(groups.get('ops-group')!.authorizedOperations).toBe((1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11));
    } finally {
      await pk.close();
    }
  });

  it('KafkaJS: __consumer_offsets is listed with 50 partitions once a group is used; a deleted topic takes its committed offsets along', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'doomed-offsets', numPartitions: 2 }] });
    await admin.setOffsets({ groupId: 'doomed-group', topic: 'doomed-offsets', partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '6' }] });
    expect(await admin.listTopics()).toContain('__consumer_offsets');
    const meta = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
    expect(meta.topics[0]!.partitions).toHaveLength(50);

    await admin.deleteTopics({ topics: ['doomed-offsets'] });
    await admin.createTopics({ topics: [{ topic: 'doomed-offsets', numPartitions: 2 }] });
    // A new topic of the same name starts with no committed offsets (Kafka's onPartitionsDeleted).
    const [offsets] = await admin.fetchOffsets({ groupId: 'doomed-group', topics: ['doomed-offsets'] });
    expect(offsets!.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
    await admin.disconnect();
  });
});
