/**
 * Dynamic broker configs (KIP-226) through the handlers, against a broker: AlterConfigs and
 * IncrementalAlterConfigs on BROKER "" and "<node.id>", what DescribeConfigs then reports (sources,
 * synonyms in Kafka's order, read_only), the live effect on partition logs, persistence across a
 * restart, and Kafka's refusals with Kafka's messages.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import alterConfigs from '../../src/handlers/33-alter-configs.js';
import describeConfigs from '../../src/handlers/32-describe-configs.js';
import incrementalAlterConfigs from '../../src/handlers/44-incremental-alter-configs.js';
import type { Handler, Request } from '../../src/server/handler.js';
import { callHandler } from '../support/call-handler.js';
import type { ApiSpec } from '../../protocol/schema.js';

const BROKER = 4;
const TOPIC = 2;
const [SET, DELETE, APPEND] = [0, 1, 2];
const [DYNAMIC_BROKER, DYNAMIC_DEFAULT, STATIC, DEFAULT] = [2, 3, 4, 5];

describe('dynamic broker configs', () => {
  let broker: Broker;
  let dir: string | undefined;
  afterEach(async () => {
    await broker.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const start = async (settings: [string, string][] = [], dataDir?: string) => {
    broker = await Broker.start({
      inMemory: dataDir === undefined,
      config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0'], ...settings, ...(dataDir ? [['log.dirs', dataDir] as [string, string]] : [])]),
    });
    return broker;
  };

  const call = async <A extends ApiSpec>(handler: Handler<A>, apiVersion: number, req: unknown) =>
    (await callHandler(broker.services, handler.api, apiVersion, req as unknown as Request<A>)).response!;

  /** IncrementalAlterConfigs on one resource: [error code, message]. */
  type Op = [op: number, name: string, value: string | null];
  async function incremental(resourceName: string, configs: Op[], opts: { type?: number; validateOnly?: boolean } = {}) {
    const r = await call(incrementalAlterConfigs, 1, {
      validateOnly: opts.validateOnly ?? false,
      resources: [{
        resourceType: opts.type ?? BROKER, resourceName, configs: configs.map(([configOperation, name, value]) => ({ configOperation, name, value })),
      }],
    });
    return [r.responses[0]!.errorCode, r.responses[0]!.errorMessage] as const;
  }

  async function describe(resourceType: number, resourceName: string, keys: string[] | null = null) {
    const r = await call(describeConfigs, 4, {
      resources: [{ resourceType, resourceName, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: false,
    });
    expect(r.results[0]!.errorCode).toBe(0);
    return r.results[0]!.configs;
  }

  const synonyms = (c: { synonyms: { name: string; value: string | null; source: number }[] }) => c.synonyms.map((s) => [s.name, s.value, s.source]);

  it('a cluster-wide default is described at both levels and reaches topics without an override at once', async () => {
    await start([['log.retention.hours', '24']]);
    await broker.services.topics.create('plain', 1);
    await broker.services.topics.create('own', 1, { 'retention.ms': '1000' });
    expect(await incremental('', [[SET, 'log.retention.ms', '3600000'], [SET, 'message.max.bytes', '2000000']])).toEqual([0, null]);

    const defaults = await describe(BROKER, '');
    expect(defaults.map((c) => [c.name, c.value, c.configSource, c.readOnly])).toEqual([
      ['log.retention.ms', '3600000', DYNAMIC_DEFAULT, false], ['message.max.bytes', '2000000', DYNAMIC_DEFAULT, false],
    ]);
    expect(synonyms(defaults[0]!)).toEqual([['log.retention.ms', '3600000', DYNAMIC_DEFAULT]]);

    const [ms] = await describe(BROKER, '1', ['log.retention.ms']);
    expect([ms!.value, ms!.configSource, ms!.readOnly]).toEqual(['3600000', DYNAMIC_DEFAULT, false]);
    // Kafka's order: dynamic, then static (log.retention.hours=24 from the start), then defaults.
    expect(synonyms(ms!)).toEqual([
      ['log.retention.ms', '3600000', DYNAMIC_DEFAULT], ['log.retention.hours', '24', STATIC], ['log.retention.hours', '168', DEFAULT],
    ]);
    const [partitions] = await describe(BROKER, '1', ['num.partitions']);
    expect([partitions!.readOnly, partitions!.configSource]).toEqual([true, DEFAULT]);

    const [topicRetention] = await describe(TOPIC, 'plain', ['retention.ms']);
    expect([topicRetention!.value, topicRetention!.configSource]).toEqual(['3600000', DYNAMIC_DEFAULT]);
    expect(broker.services.topics.partitionLog('plain', 0)!.currentConfig()).toMatchObject({ retentionMs: 3_600_000, maxMessageBytes: 2_000_000 });
    expect(broker.services.topics.partitionLog('own', 0)!.currentConfig()).toMatchObject({ retentionMs: 1000, maxMessageBytes: 2_000_000 });

    // This broker's own value wins over the default; removing it brings the default back.
    expect(await incremental('1', [[SET, 'log.retention.ms', '7200000']])).toEqual([0, null]);
    const [mine] = await describe(BROKER, '1', ['log.retention.ms']);
    expect([mine!.value, mine!.configSource]).toEqual(['7200000', DYNAMIC_BROKER]);
    expect(synonyms(mine!).map((s) => s[2])).toEqual([DYNAMIC_BROKER, DYNAMIC_DEFAULT, STATIC, DEFAULT]);
    expect(broker.services.topics.partitionLog('plain', 0)!.currentConfig().retentionMs).toBe(7_200_000);
    expect(await incremental('1', [[DELETE, 'log.retention.ms', null]])).toEqual([0, null]);
    expect(broker.services.topics.partitionLog('plain', 0)!.currentConfig().retentionMs).toBe(3_600_000);
  });

  it("refuses what Kafka refuses, with Kafka's messages", async () => {
    await start();
    expect(await incremental('', [[SET, 'num.partitions', '3'], [SET, 'log.retention.hours', '1']]))
      .toEqual([42, 'Cannot update these configs dynamically: Set(num.partitions, log.retention.hours)']);
    expect(await incremental('', [[SET, 'advertised.listeners', 'PLAINTEXT://h:1']]))
      .toEqual([42, 'Cannot update these configs at default cluster level, broker id must be specified: Set(advertised.listeners)']);
    expect(await incremental('', [[SET, 'log.segment.bytes', '10']]))
      .toEqual([42, 'Invalid value 10 for configuration log.segment.bytes: Value must be at least 1048576']);
    expect(await incremental('', [[SET, 'log.retention.ms', 'soon']]))
      .toEqual([42, 'Invalid value soon for configuration log.retention.ms: Not a number of type LONG']);
    expect(await incremental('', [[SET, 'log.retention.ms', null]])).toEqual([42, 'Null value not supported for : log.retention.ms']);
    expect(await incremental('', [[APPEND, 'log.retention.ms', '1']])).toEqual([40, 'Config value append is not allowed for config key: log.retention.ms']);
    expect(await incremental('2', [[SET, 'log.retention.ms', '1']])).toEqual([42, 'Unexpected broker id, expected 1, but received 2']);
    expect(await incremental('one', [[SET, 'log.retention.ms', '1']])).toEqual([42, 'Node id must be an integer, but it is: one']);
    expect((await incremental('1', [[SET, 'listeners', 'PLAINTEXT://:9093']]))[0]).toBe(42);
    expect(await incremental('', [[SET, 'log.retention.ms', '5']], { validateOnly: true })).toEqual([0, null]);
    expect(await describe(BROKER, '')).toEqual([]); // nothing was stored
  });

  it('keeps a name Kafka does not know, as Kafka does, describing it as sensitive', async () => {
    await start();
    expect(await incremental('', [[SET, 'my.custom.setting', 'x']])).toEqual([0, null]);
    const [custom] = await describe(BROKER, '');
    expect(custom).toMatchObject({ name: 'my.custom.setting', value: null, isSensitive: true, readOnly: true, configType: 0, configSource: DYNAMIC_DEFAULT });
    expect((await describe(BROKER, '1', ['my.custom.setting']))[0]).toMatchObject({ value: null, isSensitive: true });
  });

  it('APPEND starts from the key\'s default; legacy AlterConfigs replaces the whole set', async () => {
    await start();
    expect(await incremental('', [[APPEND, 'log.cleanup.policy', 'compact'], [SET, 'log.retention.bytes', '1000']])).toEqual([0, null]);
    expect((await describe(BROKER, '')).map((c) => [c.name, c.value])).toEqual([['log.cleanup.policy', 'delete,compact'], ['log.retention.bytes', '1000']]);
    const r = await call(alterConfigs, 2, {
      validateOnly: false, resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'log.segment.bytes', value: '2097152' }] }],
    });
    expect(r.responses[0]!.errorCode).toBe(0);
    expect((await describe(BROKER, '')).map((c) => [c.name, c.value])).toEqual([['log.segment.bytes', '2097152']]);
  });

  it('survives a restart, stored as ConfigRecords in tafka-broker-configs.json', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tafka-dynamic-'));
    await start([], dir);
    await broker.services.topics.create('t', 1);
    expect(await incremental('', [[SET, 'log.segment.bytes', '2097152']])).toEqual([0, null]);
    expect(await incremental('1', [[SET, 'min.insync.replicas', '2']])).toEqual([0, null]);
    expect(JSON.parse(readFileSync(join(dir, 'tafka-broker-configs.json'), 'utf8')).records).toEqual([
      { resourceType: 4, resourceName: '', name: 'log.segment.bytes', value: '2097152' },
      { resourceType: 4, resourceName: '1', name: 'min.insync.replicas', value: '2' },
    ]);
    await broker.close();
    await start([], dir);
    expect(broker.services.config.get('min.insync.replicas')).toBe(2);
    expect(broker.services.topics.partitionLog('t', 0)!.currentConfig().segmentBytes).toBe(2_097_152);
    const [segment] = await describe(BROKER, '1', ['log.segment.bytes']);
    expect([segment!.value, segment!.configSource]).toEqual(['2097152', DYNAMIC_DEFAULT]);
  });
});
