/**
 * Issue "Foundation": connect, negotiate versions, list the broker and topics — with kcat
 * (librdkafka), KafkaJS and hand-made frames.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiVersions } from '../protocol/messages/18-api-versions.js';
import { Metadata } from '../protocol/messages/03-metadata.js';
import { codecFor } from '../src/codec/interpret.js';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, kafkajs, kcat, resolveTarget, ROOT, startBroker, type BrokerHandle } from './harness.js';
import { RawClient } from './raw-client.js';

const target = await resolveTarget();

describe.skipIf(target.skipReason !== undefined)('foundation', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': '2' } });
  });
  afterAll(async () => broker?.stop());

  it('kcat -L lists the broker and auto-created topics', () => {
    const created = kcat(broker, ['-L', '-t', 'kcat-auto']);
    expect(created.status).toBe(0);
    const all = kcat(broker, ['-L']);
    expect(all.status).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`broker \\d+ at ${broker.host}:${broker.port}`));
    expect(all.stdout).toContain('topic "kcat-auto" with 2 partitions');
    expect(all.stdout).toMatch(/partition 1, leader \d+, replicas: \d+, isrs: \d+/);
  });

  it('KafkaJS admin: describeCluster, listTopics, fetchTopicMetadata', async () => {
    const admin = kafkajs(broker).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers).toEqual([{ nodeId: cluster.controller, host: broker.host, port: broker.port }]);
      expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      // KafkaJS's admin client does not auto-create: an unknown topic is an error...
      await expect(admin.fetchTopicMetadata({ topics: ['kafkajs-unknown'] })).rejects.toThrow(/does not host this topic-partition/);
      // ...while the one kcat's metadata request created above is there.
      const meta = await admin.fetchTopicMetadata({ topics: ['kcat-auto'] });
      expect(meta.topics[0].name).toBe('kcat-auto');
      expect(meta.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1]);
      for (const p of meta.topics[0].partitions) {
        expect(p.leader).toBe(cluster.controller);
        expect(p.replicas).toEqual([cluster.controller]);
        expect(p.isr).toEqual([cluster.controller]);
      }
      expect(await admin.listTopics()).toEqual(expect.arrayContaining(['kcat-auto']));
    } finally {
      await admin.disconnect();
    }
  });

  it('answers an ApiVersions version it does not know with a v0 body, error 35 and its range', async () => {
    const c = await RawClient.connect(broker.port);
    c.write(RawClient.frame(18, 99, 7, []));
    const frame = (await c.readFrame())!;
    expect(frame.readInt32BE(0)).toBe(7);
    const body = codecFor(ApiVersions.response, 0).decode(frame, 4);
    expect(body.errorCode).toBe(35);
    expect(body.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    c.end();
  });

  it('answers ApiVersions v3 (flexible, as librdkafka sends it) with header v0 and a full list', async () => {
    const c = await RawClient.connect(broker.port);
    c.send(ApiVersions.request, 3, 1, { clientSoftwareName: 'raw-client', clientSoftwareVersion: '1.0' });
    const frame = (await c.readFrame())!;
    const body = codecFor(ApiVersions.response, 3).decode(frame, 4);
    expect(body.errorCode).toBe(0);
    const keys = new Map(body.apiKeys.map((k) => [k.apiKey, k]));
    expect(keys.get(3)).toMatchObject({ minVersion: 0, maxVersion: 13 });
    expect(keys.get(18)).toMatchObject({ minVersion: 0, maxVersion: 4 });
    c.send(ApiVersions.request, 3, 2, { clientSoftwareName: '-bad name-', clientSoftwareVersion: '1.0' });
    const bad = codecFor(ApiVersions.response, 3).decode((await c.readFrame())!, 4);
    expect(bad.errorCode).toBe(42);
    c.end();
  });

  it('Metadata: invalid names get 17, unknown ones 3 when creation is not allowed', async () => {
    const c = await RawClient.connect(broker.port);
    c.send(Metadata.request, 12, 1, {
      topics: [
        { topicId: '00000000-0000-0000-0000-000000000000', name: 'bad/name' },
        { topicId: '00000000-0000-0000-0000-000000000000', name: 'x'.repeat(250) },
        { topicId: '00000000-0000-0000-0000-000000000000', name: 'not-created' },
      ],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const frame = (await c.readFrame())!;
    const body = codecFor(Metadata.response, 12).decode(frame, 5);
    expect(body.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['bad/name', 17],
      ['x'.repeat(250), 17],
      ['not-created', 3],
    ]);
    c.end();
  });

  it('closes only the offending connection on garbage, truncated, oversized and unknown-key frames', async () => {
    const healthy = await RawClient.connect(broker.port);
    const bad = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), // size 0x47455420: oversized
      Buffer.from([0xff, 0xff, 0xff, 0xfe, 1, 2, 3]), // negative size
      RawClient.frame(3, 12, 1, [Buffer.from([0x05])]), // truncated Metadata body
      RawClient.frame(999, 0, 1, []), // unknown API key
      RawClient.frame(3, 14, 1, []), // Metadata version above the advertised range
      Buffer.from([0, 0, 0, 3, 0, 1, 2]), // shorter than a request header
    ];
    for (const frame of bad) {
      const c = await RawClient.connect(broker.port);
      c.write(frame);
      expect(await c.waitClosed()).toBe(true);
    }
    healthy.send(ApiVersions.request, 2, 9, { clientSoftwareName: '', clientSoftwareVersion: '' });
    const frame = await healthy.readFrame();
    expect(frame?.readInt32BE(0)).toBe(9);
    healthy.end();
  });

  it('answers pipelined requests in request order', async () => {
    const c = await RawClient.connect(broker.port);
    for (let i = 0; i < 20; i++) {
      if (i % 2) c.send(ApiVersions.request, 2, i, { clientSoftwareName: '', clientSoftwareVersion: '' });
      else c.send(Metadata.request, 4, i, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: `pipelined-${i}` }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    }
    for (let i = 0; i < 20; i++) expect((await c.readFrame())!.readInt32BE(0)).toBe(i);
    c.end();
  });

  it.runIf(target.kind === 'tafka')('keeps topics, ids and the cluster id across a restart', async () => {
    const admin = kafkajs(broker).admin();
    await admin.connect();
    const before = await admin.describeCluster();
    await admin.disconnect();
    const c1 = await RawClient.connect(broker.port);
    c1.send(Metadata.request, 12, 1, {
      topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    });
    const m1 = codecFor(Metadata.response, 12).decode((await c1.readFrame())!, 5);
    c1.end();

    await broker.restart();

    const c2 = await RawClient.connect(broker.port);
    c2.send(Metadata.request, 12, 1, {
      topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    });
    const m2 = codecFor(Metadata.response, 12).decode((await c2.readFrame())!, 5);
    c2.end();
    expect(m2.clusterId).toBe(before.clusterId);
    const ids = (m: typeof m1) => Object.fromEntries(m.topics.map((t) => [t.name, t.topicId]));
    expect(ids(m2)).toEqual(ids(m1));
    expect(Object.values(ids(m1))).not.toContain('00000000-0000-0000-0000-000000000000');
  });

  it.runIf(target.kind === 'tafka')('start-up stops on a malformed value of a key it uses, in one line naming it', () => {
    const main = join(ROOT, 'dist', 'src', 'main.js');
    for (const [override, message] of [
      ['num.partitions=three', 'Invalid value "three" for configuration num.partitions: not a number'],
      ['auto.create.topics.enable=yes', 'Invalid value "yes" for configuration auto.create.topics.enable: expected true or false'],
      ['listeners=nowhere', 'Error creating broker listeners from \'nowhere\' (listeners): Unable to parse nowhere to a broker endpoint'],
    ]) {
      const r = spawnSync(process.execPath, [main, 'start', '--port', '0', '--data-dir', join(tmpdir(), 'never-created'), '--override', override], { timeout: 10_000 });
      expect(r.status).toBe(1);
      expect(r.stderr.toString()).toBe(`tafka: ${message}\n`);
    }
  });

  it.runIf(target.kind === 'tafka')('starts from a real Kafka server.properties, logging the keys it does not use as ignored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tafka-kafka-props-'));
    const port = await freePort();
    // Apache Kafka 4's config/server.properties (KRaft, combined mode), plus keys a real
    // deployment adds that mean nothing to Tafka, and one misspelt key.
    const properties = [
      'process.roles=broker,controller',
      'node.id=1',
      'controller.quorum.bootstrap.servers=localhost:9093',
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://:9093`,
      'inter.broker.listener.name=PLAINTEXT',
      `advertised.listeners=PLAINTEXT://localhost:${port},CONTROLLER://localhost:9093`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL',
      'num.network.threads=3',
      'num.io.threads=8',
      'socket.send.buffer.bytes=102400',
      'socket.receive.buffer.bytes=102400',
      'socket.request.max.bytes=104857600',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=1',
      'num.recovery.threads.per.data.dir=1',
      'offsets.topic.replication.factor=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'log.retention.hours=168',
      'log.segment.bytes=1073741824',
      'log.retention.check.interval.ms=300000',
      'ssl.keystore.location=/var/private/ssl/kafka.server.keystore.jks',
      'metric.reporters=org.apache.kafka.common.metrics.JmxReporter',
      'compression.type=producer',
      'num.partitons=3',
    ].join('\n');
    writeFileSync(join(dir, 'server.properties'), properties + '\n');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js'), 'start', '--config', join(dir, 'server.properties'), '--log-format', 'json']);
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('listening')) resolve(out.split('\n').filter(Boolean));
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const ignored = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40).map((l) => [l.key, l.msg]);
      expect(ignored).toEqual(
        // ssl.keystore.location is a key Tafka knows (TLS listeners); this file has none, so it is not read.
        ['metric.reporters', 'compression.type', 'num.partitons'].map((key) => [
          key,
          `The configuration '${key}' was supplied but isn't a known config; ignored.`,
        ]),
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(target.kind === 'tafka')('a port in use: one line naming the port and who holds it, no usage text, no stack', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'main.js'), 'start', '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(tmpdir(), `tafka-busy-${port}`)], { timeout: 20_000 });
      expect(r.status).toBe(1);
      const stderr = r.stderr.toString();
      expect(stderr.split('\n')).toHaveLength(2); // one line and its newline
      expect(stderr).toMatch(new RegExp(`^tafka: port ${port} is already in use by pid ${process.pid} \\(.*node.*\\): stop that process or start Tafka with --port <another port>\n$`));
    } finally {
      holder.close();
      rmSync(join(tmpdir(), `tafka-busy-${port}`), { recursive: true, force: true });
    }
  });

  it.runIf(target.kind === 'tafka')('logs one line at start saying where it listens and where data lives', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tafka-log-line-'));
    const main = join(ROOT, 'dist', 'src', 'main.js');
    const child = spawn(process.execPath, [main, 'start', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dir]);
    const line = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const found = out.split('\n').find((l) => l.includes('listening'));
        if (found) resolve(found);
      });
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
    const banner = JSON.parse(line);
    expect(banner.msg).toBe(`Tafka listening on 127.0.0.1:${port}, data in ${dir}`);
    expect(banner).toMatchObject({ listen: `127.0.0.1:${port}`, dataDir: dir, clusterId: expect.stringMatching(/^[\w-]{22}$/), topics: 0, partitions: 0, groups: 0 });
  });
});
