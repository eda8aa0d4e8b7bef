/**
 * The admin HTTP server of an embedded broker, driven by KafkaJS: health and readiness, the whole
 * /metrics page (parsed strictly), and the inspector's JSON (traffic with field spans that match
 * the captured bytes, partitions, a decoded batch, groups).
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Admin } from '../../src/admin/admin.js';
import type { DisplayNode } from '../../src/admin/display.js';
import { Broker } from '../../src/broker.js';
import { systemClock } from '../../src/clock.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

const TOPIC = 'admin-topic';
const GROUP = 'admin-group';

function find(node: DisplayNode, test: (n: DisplayNode) => boolean): DisplayNode | undefined {
  if (test(node)) return node;
  for (const c of node.children ?? []) {
    const f = find(c, test);
    if (f) return f;
  }
  return undefined;
}

async function until<T>(get: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('admin server of an embedded broker', () => {
  let broker: Broker;
  let base: string;
  let consumer: Consumer;
  const get = async (path: string, init?: RequestInit) => fetch(`${base}${path}`, init);
  const json = async (path: string) => (await get(path)).json();

  beforeAll(async () => {
    broker = await Broker.start({
      inMemory: true,
      config: new BrokerConfig([
        ['listeners', 'PLAINTEXT://127.0.0.1:0'],
        ['group.initial.rebalance.delay.ms', '0'],
        ['tafka.admin.listener', '127.0.0.1:0'],
        ['tafka.inspector.traffic.enable', 'true'],
      ]),
    });
    base = `http://${broker.admin!.address}`;
    const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'admin-test', logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ key: 'k1', value: 'first' }, { value: 'second' }, { value: 'third' }] });
    await producer.disconnect();
    consumer = kafka.consumer({ groupId: GROUP });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async () => {
          if (++seen === 3) resolve();
        },
      });
    });
    await consumer.commitOffsets([{ topic: TOPIC, partition: 0, offset: '3' }]);
  }, 60_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await broker?.close();
  });

  it('answers /health and /ready once started, and nothing but GET', async () => {
    expect(await (await get('/health')).json()).toEqual({ status: 'up' });
    const ready = await get('/ready');
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks).toEqual({ logsLoaded: true, groupCoordinatorLoaded: true, listening: true, notShuttingDown: true });
    expect((await get('/metrics', { method: 'POST' })).status).toBe(405);
  });

  it('serves a /metrics page a strict parser accepts whole, with the requests, messages and offsets of the run', async () => {
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const page = parsePrometheusText(await res.text());
    const produces = page.get('kafka_network_requestmetrics_requests_total')!.samples.filter((s) => s.labels.request === 'Produce');
    expect(produces.reduce((n, s) => n + s.value, 0)).toBe(1);
    expect(sampleValue(page, 'kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' })).toBe(1);
    expect(sampleValue(page, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: TOPIC })).toBe(3);
    expect(sampleValue(page, 'kafka_server_brokertopicmetrics_bytesout_total', { topic: TOPIC })).toBeGreaterThan(0);
    expect(sampleValue(page, 'kafka_log_log_logendoffset', { topic: TOPIC, partition: '0' })).toBe(3);
    expect(sampleValue(page, 'kafka_consumergroup_lag', { consumergroup: GROUP, topic: TOPIC, partition: '0' })).toBe(0);
    expect(sampleValue(page, 'kafka_coordinator_group_groupmetadatamanager_numgroups', { state: 'Stable' })).toBe(1);
    expect(sampleValue(page, 'tafka_group_members', { group: GROUP })).toBe(1);
    expect(sampleValue(page, 'kafka_server_socket_server_metrics_connection_count')).toBeGreaterThan(0);
    expect(sampleValue(page, 'kafka_server_kafkaserver_brokerstate')).toBe(3);
    expect(page.get('process_cpu_user_seconds_total')).toBeDefined();
  });

  it('captures the Produce exchange with field ranges that point at the right bytes', async () => {
    const { exchanges } = await json('/api/traffic');
    const summary = exchanges.find((e: { api: string }) => e.api === 'Produce');
    expect(summary).toMatchObject({ clientId: 'admin-test', subjects: [TOPIC] });
    const entry = await json(`/api/traffic/${summary.id}`);
    const bytes = Buffer.from(entry.request.hex, 'hex');
    const name = find(entry.request.tree, (n) => n.name === 'name')!;
    expect(name.value).toBe(JSON.stringify(TOPIC));
    // A compact string: length + 1 as a varint, then the name's bytes.
    expect(bytes.toString('utf8', name.end - TOPIC.length, name.end)).toBe(TOPIC);
    const apiKey = find(entry.request.tree, (n) => n.name === 'requestApiKey')!;
    expect(bytes.readInt16BE(apiKey.start)).toBe(0);
    const key = find(entry.request.tree, (n) => n.name === 'key')!;
    expect(key.value).toBe('2 bytes: "k1"');
    const baseOffset = find(entry.response.tree, (n) => n.name === 'baseOffset')!;
    expect(baseOffset.value).toBe('0');
  });

  it('shows the partition log and decodes its batch as dump-log does', async () => {
    const p = await json(`/api/partitions/${TOPIC}/0`);
    expect(p).toMatchObject({ logStartOffset: '0', highWatermark: '3', logEndOffset: '3', segments: 1 });
    expect(p.segmentList[0]).toMatchObject({ file: '00000000000000000000.log', baseOffset: '0', nextOffset: '3' });
    const b = await json(`/api/partitions/${TOPIC}/0/batch?offset=1`);
    expect(b.dumpLog).toMatch(/^baseOffset: 0 lastOffset: 2 count: 3 /);
    const bytes = Buffer.from(b.hex, 'hex');
    const count = find(b.tree, (n) => n.name === 'recordsCount')!;
    expect(bytes.readInt32BE(count.start)).toBe(3);
    expect((await get(`/api/partitions/${TOPIC}/0/batch?offset=x`)).status).toBe(400);
    expect((await get('/api/partitions/nope/0')).status).toBe(404);
  });

  it('shows the group: state, member, assignment, offsets and lag, and its rebalance timeline', async () => {
    const g = await until(async () => {
      const v = await json(`/api/groups/${GROUP}`);
      return v.state === 'Stable' ? v : undefined;
    }, 'a Stable group');
    expect(g.members).toHaveLength(1);
    expect(g.members[0]).toMatchObject({ clientId: 'admin-test', leader: true, assignment: [{ topic: TOPIC, partitions: [0] }] });
    expect(g.offsets).toEqual([{ topic: TOPIC, partition: 0, committedOffset: '3', highWatermark: '3', lag: '0', metadata: expect.any(String) }]);
    expect(g.timeline.map((t: { to: string }) => t.to)).toEqual(expect.arrayContaining(['PreparingRebalance', 'CompletingRebalance', 'Stable']));
    expect(g.stateMachine.states).toEqual(['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead']);
  });

  it('counts a KIP-848 group beside the classic one: its members in tafka_group_members and the groups list, not in the classic NumGroups', async () => {
    const joined = await broker.services.groups.consumerGroupHeartbeat({
      groupId: 'admin-kip848', memberId: 'm1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: [TOPIC], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
      clientId: 'admin-test', clientHost: '127.0.0.1', apiVersion: 0,
    });
    expect(joined.errorCode).toBe(0);
    const page = parsePrometheusText(await (await get('/metrics')).text());
    expect(sampleValue(page, 'tafka_group_members', { group: 'admin-kip848' })).toBe(1);
    expect(sampleValue(page, 'kafka_coordinator_group_groupmetadatamanager_numgroups', { state: 'Stable' })).toBe(1);
    const { groups } = await json('/api/groups');
    expect(groups.find((g: { groupId: string }) => g.groupId === 'admin-kip848')).toMatchObject({ protocolType: 'consumer', members: 1, generation: joined.memberEpoch });
    // Its page: the group epoch, the server-side assignor, the member's partitions by topic name.
    const page848 = await json('/api/groups/admin-kip848');
    expect(page848).toMatchObject({ groupId: 'admin-kip848', state: 'Stable', generation: joined.memberEpoch, protocolType: 'consumer', protocol: 'uniform', leader: null });
    expect(page848.members).toMatchObject([{ memberId: 'm1', clientId: 'admin-test', assignment: [{ topic: TOPIC }] }]);
    expect((await get('/api/groups/no-such-group')).status).toBe(404);
  });

  it('serves the inspector page, its assets, and the chapters and sources it links to, and nothing else', async () => {
    expect(await (await get('/inspector/')).text()).toContain('<script src="inspector.js">');
    expect((await get('/inspector/inspector.js')).headers.get('content-type')).toContain('javascript');
    expect(await (await get('/source/src/broker.ts')).text()).toContain('export class Broker');
    expect((await get('/docs/01-wire-protocol.md')).status).toBe(200);
    expect((await get('/source/src/../package.json')).status).toBe(404);
    expect((await get('/package.json')).status).toBe(404);
  });
});

describe('admin server before start-up is done', () => {
  it('is alive but not ready until the logs and groups are loaded, and not ready while stopping', async () => {
    const admin = (await Admin.start(new BrokerConfig([['tafka.admin.listener', '127.0.0.1:0']]), systemClock, pino({ level: 'silent' })))!;
    try {
      const url = `http://${admin.address}`;
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).checks).toMatchObject({ logsLoaded: false, groupCoordinatorLoaded: false, listening: false });
      // Metrics are served from the first moment, without partitions yet.
      const page = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
      expect(sampleValue(page, 'kafka_server_kafkaserver_brokerstate')).toBe(1);
      admin.stopping();
      expect((await fetch(`${url}/health`)).status).toBe(503);
    } finally {
      await admin.close();
    }
  });

  it('refuses a port in use when it was asked for, and skips the default one with a warning', async () => {
    const first = (await Admin.start(new BrokerConfig([['tafka.admin.listener', '127.0.0.1:0']]), systemClock, pino({ level: 'silent' })))!;
    try {
      const taken = first.address;
      await expect(Admin.start(new BrokerConfig([['tafka.admin.listener', taken]]), systemClock, pino({ level: 'silent' })))
        .rejects.toThrow(`Cannot serve tafka.admin.listener ${taken}: the address is in use`);
      // Not set explicitly: the default's port in use is a warning, and the broker starts without it.
      const config = new BrokerConfig();
      Object.defineProperty(config, 'adminListener', { value: { host: '127.0.0.1', port: Number(taken.split(':')[1]) } });
      const warnings: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
      expect(await Admin.start(config, systemClock, logger)).toBeUndefined();
      expect(warnings[0]).toContain('admin server not started');
    } finally {
      await first.close();
    }
  });
});
