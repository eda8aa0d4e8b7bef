/**
 * Security with real clients (issue 13): one broker with four listeners —
 *
 *   PLAINTEXT (User:ANONYMOUS), SASL_PLAINTEXT and SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512),
 *   SSL with client certificates required (mTLS; the certificate's CN is the principal)
 *
 * — and StandardAuthorizer with `super.users=User:admin`. KafkaJS authenticates with PLAIN and SCRAM
 * over SASL_PLAINTEXT and SASL_SSL and administers the ACLs; kcat (librdkafka) uses SCRAM over
 * SASL_SSL and mTLS. Certificates are made at test time by scripts/make-certs.sh (openssl) in a
 * temporary directory; SCRAM users are added before the first start with `tafka format --add-scram`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, logLevel, ResourcePatternTypes, type logCreator, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, kafkajs, resolveTarget, ROOT, runCommand, startBroker, waitForPort, type BrokerHandle } from './harness.js';

const target = await resolveTarget();
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const PLAIN_USERS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_alice="alice-secret" user_bob="bob-secret";';

describe.skipIf(target.kind !== 'tafka')('security with real clients: SASL, TLS and ACLs', () => {
  let broker: BrokerHandle;
  let certs: string;
  let ca: string;
  const ports = { saslPlaintext: 0, saslSsl: 0, ssl: 0 };

  /** A KafkaJS client for one listener and user. */
  const client = (listener: 'saslPlaintext' | 'saslSsl', sasl: SASLOptions) =>
    kafkajs(broker, {
      brokers: [`127.0.0.1:${ports[listener]}`],
      sasl,
      ssl: listener === 'saslSsl' ? { ca: [ca] } : undefined,
      retry: { retries: 0 },
    });
  const admin = () => client('saslPlaintext', { mechanism: 'scram-sha-256', username: 'admin', password: 'admin-secret' });
  /** kcat on the SASL_SSL listener with SCRAM-SHA-512, or on the SSL listener with a client certificate. */
  const kcatAs = (who: { scram: [string, string] } | { cert: string }, args: string[], input?: string) => {
    const security = 'scram' in who
      ? ['-b', `127.0.0.1:${ports.saslSsl}`, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', `sasl.username=${who.scram[0]}`, '-X', `sasl.password=${who.scram[1]}`]
      : ['-b', `127.0.0.1:${ports.ssl}`, '-X', 'security.protocol=SSL', '-X', `ssl.certificate.location=${join(certs, `${who.cert}.pem`)}`, '-X', `ssl.key.location=${join(certs, `${who.cert}.key`)}`];
    return runCommand('kcat', [...security, '-X', `ssl.ca.location=${join(certs, 'ca.pem')}`, ...args], { input, timeoutMs: 30_000 });
  };
  /** A KafkaJS error of Kafka's `type`, thrown as is or as the cause of a "non retriable" wrapper. */
  const failsWith = async (op: Promise<unknown>, type: string) => {
    const err = await op.then(() => undefined, (e: { type?: string; cause?: { type?: string } }) => e);
    expect(err?.type ?? err?.cause?.type).toBe(type);
  };
  const allow = (
    resourceType: AclResourceTypes, resourceName: string, principal: string, operation: AclOperationTypes,
    patternType = ResourcePatternTypes.LITERAL, permission = AclPermissionTypes.ALLOW,
  ) => ({
    resourceType, resourceName, resourcePatternType: patternType, principal, host: '*', operation, permissionType: permission,
  });

  beforeAll(async () => {
    certs = mkdtempSync(join(tmpdir(), 'tafka-certs-'));
    const made = spawnSync('bash', [join(ROOT, 'scripts', 'make-certs.sh'), certs]);
    if (made.status !== 0) throw new Error(`make-certs.sh failed: ${made.stderr.toString()}`);
    ca = readFileSync(join(certs, 'ca.pem'), 'utf8');
    const dataDir = mkdtempSync(join(tmpdir(), 'tafka-it-security-'));
    const format = await runCommand(process.execPath, [
      MAIN, 'format', '--data-dir', dataDir,
      '--add-scram', 'SCRAM-SHA-256=[name=admin,password=admin-secret]',
      '--add-scram', 'SCRAM-SHA-256=[name=alice,password=alice-secret]',
      '--add-scram', 'SCRAM-SHA-512=[name=alice,password=alice-secret]',
      '--add-scram', 'SCRAM-SHA-512=[name=bob,password=bob-secret]',
    ]);
    expect(format.status, format.stderr).toBe(0);
    ports.saslPlaintext = await freePort();
    ports.saslSsl = await freePort();
    ports.ssl = await freePort();
    broker = await startBroker({
      dataDir,
      overrides: {
        // The PLAINTEXT entry is moved to the harness's port; the others stay as written.
        listeners: `PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:${ports.saslPlaintext},SASL_SSL://127.0.0.1:${ports.saslSsl},SSL://127.0.0.1:${ports.ssl}`,
        // OAUTHBEARER without a callback handler: Kafka's unsecured JWS validator (local use).
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_USERS,
        'listener.name.sasl_ssl.plain.sasl.jaas.config': PLAIN_USERS,
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': join(certs, 'broker-keystore.pem'),
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': join(certs, 'ca.pem'),
        'listener.name.ssl.ssl.client.auth': 'required',
        'listener.name.ssl.ssl.principal.mapping.rules': 'RULE:^CN=([^,]*),.*$/$1/L,DEFAULT',
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:admin',
        // Short quota windows, so a quota bites within a few sends.
        'quota.window.num': '3',
        'quota.window.size.seconds': '1',
      },
    });
  }, 90_000);

  afterAll(async () => {
    await broker?.stop();
    if (certs) rmSync(certs, { recursive: true, force: true });
  });

  it('KafkaJS with SCRAM-SHA-256 (super user) administers ACLs: createAcls, describeAcls, deleteAcls', async () => {
    const a = admin().admin();
    await a.connect();
    try {
      await a.createTopics({ topics: [{ topic: 'alice-orders' }, { topic: 'alice-denied' }, { topic: 'shared' }] });
      await a.createAcls({
        acl: [
          // Prefixed: every topic whose name starts with "alice-".
          allow(AclResourceTypes.TOPIC, 'alice-', 'User:alice', AclOperationTypes.ALL, ResourcePatternTypes.PREFIXED),
          allow(AclResourceTypes.GROUP, 'alice-group', 'User:alice', AclOperationTypes.READ),
          // alice may find and describe alice-watch (DESCRIBE) but not commit in it (READ).
          allow(AclResourceTypes.GROUP, 'alice-watch', 'User:alice', AclOperationTypes.DESCRIBE),
          // DENY beats ALLOW: alice may do everything on alice-* except write alice-denied.
          allow(AclResourceTypes.TOPIC, 'alice-denied', 'User:alice', AclOperationTypes.WRITE, ResourcePatternTypes.LITERAL, AclPermissionTypes.DENY),
          allow(AclResourceTypes.TOPIC, 'shared', 'User:bob', AclOperationTypes.READ),
          allow(AclResourceTypes.TOPIC, 'doomed', 'User:bob', AclOperationTypes.DESCRIBE),
        ],
      });
      const described = await a.describeAcls({
        resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, principal: 'User:alice',
        operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
      });
      const flat = described.resources.flatMap((r) => r.acls.map((acl) => `${r.resourceType}:${r.resourcePatternType}:${r.resourceName} ${acl.operation} ${acl.permissionType}`)).sort();
      expect(flat).toEqual([
        `${AclResourceTypes.GROUP}:${ResourcePatternTypes.LITERAL}:alice-group ${AclOperationTypes.READ} ${AclPermissionTypes.ALLOW}`,
        `${AclResourceTypes.GROUP}:${ResourcePatternTypes.LITERAL}:alice-watch ${AclOperationTypes.DESCRIBE} ${AclPermissionTypes.ALLOW}`,
        `${AclResourceTypes.TOPIC}:${ResourcePatternTypes.LITERAL}:alice-denied ${AclOperationTypes.WRITE} ${AclPermissionTypes.DENY}`,
        `${AclResourceTypes.TOPIC}:${ResourcePatternTypes.PREFIXED}:alice- ${AclOperationTypes.ALL} ${AclPermissionTypes.ALLOW}`,
      ].sort());
      const deleted = await a.deleteAcls({
        filters: [{
          resourceType: AclResourceTypes.TOPIC, resourceName: 'doomed', resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: 'User:bob', host: '*', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
        }],
      });
      expect(deleted.filterResponses[0].errorCode).toBe(0);
      expect(deleted.filterResponses[0].matchingAcls.map((m) => m.resourceName)).toEqual(['doomed']);
      const left = await a.describeAcls({
        resourceType: AclResourceTypes.TOPIC, resourceName: 'doomed', resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
      });
      expect(left.resources).toEqual([]);
    } finally {
      await a.disconnect();
    }
  });

  it('KafkaJS with SASL PLAIN over SASL_PLAINTEXT and SCRAM-SHA-256/512 over SASL_SSL: a principal with the ACLs produces and consumes', async () => {
    const clients = [
      client('saslPlaintext', { mechanism: 'plain', username: 'alice', password: 'alice-secret' }),
      client('saslSsl', { mechanism: 'plain', username: 'alice', password: 'alice-secret' }),
      client('saslSsl', { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' }),
      client('saslSsl', { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' }),
    ];
    for (const [i, kafka] of clients.entries()) {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'alice-orders', messages: [{ key: `k${i}`, value: `order ${i}` }] });
      await producer.disconnect();
    }
    const consumer = clients[3].consumer({ groupId: 'alice-group' });
    await consumer.connect();
    const seen: string[] = [];
    await consumer.subscribe({ topic: 'alice-orders', fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === clients.length) resolve();
        },
      }).catch(reject);
    });
    await consumer.disconnect();
    expect(seen.sort()).toEqual(['order 0', 'order 1', 'order 2', 'order 3']);
  }, 60_000);

  it('a wrong password: SASL_AUTHENTICATION_FAILED (58) and the connection closed, for KafkaJS and kcat', async () => {
    const wrong = client('saslSsl', { mechanism: 'scram-sha-256', username: 'alice', password: 'not-her-password' }).producer();
    await expect(wrong.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    const plain = client('saslPlaintext', { mechanism: 'plain', username: 'mallory', password: 'guess' }).producer();
    await expect(plain.connect()).rejects.toThrow(/Authentication failed/);
    const r = await kcatAs({ scram: ['alice', 'not-her-password'] }, ['-L']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Authentication failed|SASL authentication error/);
  }, 60_000);

  it('ACL denials answer Kafka\'s codes: 29 on produce without WRITE (DENY beats ALLOW), 30 without READ on the group, 31 on a cluster resource', async () => {
    // bob may READ "shared" only: WRITE there is 29, while alice (prefixed ALLOW ALL) writes alice-orders above.
    const bob = client('saslSsl', { mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' });
    const producer = bob.producer();
    await producer.connect();
    await failsWith(producer.send({ topic: 'shared', messages: [{ value: 'x' }] }), 'TOPIC_AUTHORIZATION_FAILED');
    await producer.disconnect();
    const alice = client('saslSsl', { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' });
    const aliceProducer = alice.producer();
    await aliceProducer.connect();
    await failsWith(aliceProducer.send({ topic: 'alice-denied', messages: [{ value: 'x' }] }), 'TOPIC_AUTHORIZATION_FAILED');
    await aliceProducer.disconnect();
    // alice may read her topics but not commit in a group she has no READ on (30); a group she may
    // not even DESCRIBE is refused by FindCoordinator (30 too), which KafkaJS reports as "not found".
    const a = alice.admin();
    await a.connect();
    try {
      await expect(a.setOffsets({ groupId: 'someone-elses-group', topic: 'alice-orders', partitions: [{ partition: 0, offset: '0' }] }))
        .rejects.toMatchObject({ name: 'KafkaJSGroupCoordinatorNotFound' });
      // A broker's configs need DESCRIBE_CONFIGS on the cluster.
      await failsWith(a.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }], includeSynonyms: false }), 'CLUSTER_AUTHORIZATION_FAILED');
      // Metadata hides what alice may not describe.
      const { topics } = await a.fetchTopicMetadata();
      expect(topics.map((t) => t.name).sort()).toEqual(['alice-denied', 'alice-orders']);
    } finally {
      await a.disconnect();
    }
    // JoinGroup in alice-watch (DESCRIBE, no READ): 30, which crashes the KafkaJS consumer.
    const consumer = alice.consumer({ groupId: 'alice-watch', retry: { retries: 0, restartOnFailure: async () => false } });
    await consumer.connect();
    await consumer.subscribe({ topic: 'alice-orders' });
    const crashed = new Promise<unknown>((resolve) => consumer.on(consumer.events.CRASH, (e) => resolve(e.payload.error)));
    await consumer.run({ eachMessage: async () => {} });
    expect(await crashed).toMatchObject({ type: 'GROUP_AUTHORIZATION_FAILED' });
    await consumer.disconnect();
  }, 60_000);

  it('transactions: a KafkaJS transactional producer needs WRITE on its transactional id (53 without); with it, a read_committed consumer reads its commit; without it again, AddPartitionsToTxn and AddOffsetsToTxn are 53', async () => {
    const a = admin().admin();
    await a.connect();
    try {
      await a.createTopics({ topics: [{ topic: 'bob-txn' }] });
      await a.createAcls({
        acl: [
          allow(AclResourceTypes.TOPIC, 'bob-txn', 'User:bob', AclOperationTypes.WRITE),
          allow(AclResourceTypes.TOPIC, 'bob-txn', 'User:bob', AclOperationTypes.READ),
          allow(AclResourceTypes.GROUP, 'bob-reader', 'User:bob', AclOperationTypes.READ),
        ],
      });
      const bob = client('saslSsl', { mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' });
      const transactional = () => bob.producer({ transactionalId: 'bob-app', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50 } });
      // WRITE on the topic is not enough. Without even DESCRIBE on the id, FindCoordinator answers 53,
      // which KafkaJS reports as "coordinator not found"; with DESCRIBE, InitProducerId answers 53.
      const refused = transactional();
      await refused.connect();
      await expect(refused.transaction()).rejects.toMatchObject({ name: 'KafkaJSGroupCoordinatorNotFound' });
      await a.createAcls({ acl: [allow(AclResourceTypes.TRANSACTIONAL_ID, 'bob-app', 'User:bob', AclOperationTypes.DESCRIBE)] });
      await failsWith(refused.transaction(), 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
      await refused.disconnect();

      await a.createAcls({ acl: [allow(AclResourceTypes.TRANSACTIONAL_ID, 'bob-app', 'User:bob', AclOperationTypes.WRITE)] });
      const producer = transactional();
      await producer.connect();
      const txn = await producer.transaction();
      await txn.send({ topic: 'bob-txn', messages: [{ value: 'committed' }] });
      await txn.commit();
      // The id's WRITE taken away (DENY beats ALLOW) after InitProducerId: the next AddPartitionsToTxn is refused.
      await a.createAcls({
        acl: [allow(AclResourceTypes.TRANSACTIONAL_ID, 'bob-app', 'User:bob', AclOperationTypes.WRITE, ResourcePatternTypes.LITERAL, AclPermissionTypes.DENY)],
      });
      const next = await producer.transaction();
      await failsWith(next.send({ topic: 'bob-txn', messages: [{ value: 'refused' }] }), 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
      // And AddOffsetsToTxn (before TxnOffsetCommit) is refused alike.
      await failsWith(next.sendOffsets({ consumerGroupId: 'bob-reader', topics: [{ topic: 'bob-txn', partitions: [{ partition: 0, offset: '1' }] }] }), 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
      await producer.disconnect();

      const consumer = bob.consumer({ groupId: 'bob-reader', readUncommitted: false, maxWaitTimeInMs: 200 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'bob-txn', fromBeginning: true });
      const seen: string[] = [];
      await new Promise<void>((resolve, reject) => {
        consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            resolve();
          },
        }).catch(reject);
      });
      await consumer.disconnect();
      expect(seen).toEqual(['committed']);
    } finally {
      await a.disconnect();
    }
  }, 60_000);

  it('kcat (librdkafka) with SCRAM-SHA-512 over SASL_SSL, and with a client certificate over SSL (mTLS)', async () => {
    const produced = await kcatAs({ scram: ['alice', 'alice-secret'] }, ['-P', '-t', 'alice-kcat'], 'one\ntwo\n');
    expect(produced.status, produced.stderr).toBe(0);
    // The certificate's CN, mapped by ssl.principal.mapping.rules, is User:alice: the same ACLs apply.
    const consumed = await kcatAs({ cert: 'alice' }, ['-C', '-t', 'alice-kcat', '-o', 'beginning', '-e', '-q']);
    expect(consumed.status, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(['one', 'two']);
    // bob's certificate: no ACL on the topic.
    const refused = await kcatAs({ cert: 'bob' }, ['-C', '-t', 'alice-kcat', '-o', 'beginning', '-e', '-q']);
    expect(refused.stderr).toMatch(/Topic authorization failed|TOPIC_AUTHORIZATION_FAILED/i);
    // A self-signed certificate the broker's trust store does not know: the handshake fails.
    const stranger = await kcatAs({ cert: 'mallory' }, ['-L', '-m', '5']);
    expect(stranger.status).not.toBe(0);
  }, 90_000);

  it('bad input: a request before authentication and garbage instead of a TLS handshake close the connection unanswered', async () => {
    /** Sends `bytes` on a fresh connection; resolves with what came back before the broker closed it. */
    const send = (port: number, bytes: Buffer) => new Promise<Buffer>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const got: Buffer[] = [];
      socket.on('data', (d) => got.push(d));
      socket.once('error', reject);
      socket.once('close', () => resolve(Buffer.concat(got)));
      socket.write(bytes);
    });
    // Metadata v1 (all topics) from client "x", with no SASL exchange first.
    const metadata = Buffer.from('00000010000300010000000100017800ffffffff', 'hex');
    metadata.writeInt32BE(metadata.length - 4, 0);
    expect(await send(ports.saslPlaintext, metadata)).toEqual(Buffer.alloc(0));
    // Not a TLS ClientHello: the handshake fails (the broker may send a TLS alert, never a Kafka answer).
    const answer = await send(ports.saslSsl, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(answer.length === 0 || answer[0] === 0x15).toBe(true);
  });

  it('bad input: a TLS handshake that stops half-way and a SASL client that never authenticates are closed after connections.max.idle.ms', async () => {
    const idle = { saslPlaintext: await freePort(), ssl: await freePort() };
    const short = await startBroker({
      overrides: {
        listeners: `PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:${idle.saslPlaintext},SSL://127.0.0.1:${idle.ssl}`,
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_USERS,
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': join(certs, 'broker-keystore.pem'),
        'connections.max.idle.ms': '1500',
      },
    });
    try {
      for (const port of Object.values(idle)) await waitForPort(port);
      /** Opens a connection, writes `bytes`, and resolves once the broker closes it (or rejects after `ms`). */
      const closedBy = (port: number, bytes: Buffer, ms: number) => new Promise<Buffer>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        const got: Buffer[] = [];
        const timer = setTimeout(() => (socket.destroy(), reject(new Error(`port ${port}: still open after ${ms} ms`))), ms);
        socket.on('data', (d) => got.push(d));
        socket.once('error', () => {});
        socket.once('close', () => (clearTimeout(timer), resolve(Buffer.concat(got))));
        socket.write(bytes);
      });
      // The first 5 bytes of a TLS record carrying a 512-byte ClientHello, then nothing.
      const halfHello = Buffer.from('1603010200', 'hex');
      // A Kafka client that connected to a SASL listener and never sent its SaslHandshake.
      const [tls, sasl] = await Promise.all([closedBy(idle.ssl, halfHello, 30_000), closedBy(idle.saslPlaintext, Buffer.alloc(0), 30_000)]);
      expect(tls.length === 0 || tls[0] === 0x15).toBe(true);
      expect(sasl).toEqual(Buffer.alloc(0));
      expect(short.logLines().join('\n')).not.toContain('handler failed');
    } finally {
      await short.stop();
    }
  }, 60_000);

  it('@platformatic/kafka with OAUTHBEARER (unsecured JWS) and SCRAM-SHA-512; a user quota holds the SASL principal, not its client id', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none' })}.${b64({ sub: 'alice', iat: now, exp: now + 3600 })}.`;
    const asAlice = new Admin({ clientId: 'oauth-alice', bootstrapBrokers: [`127.0.0.1:${ports.saslPlaintext}`], sasl: { mechanism: 'OAUTHBEARER', token } });
    try {
      // The token's sub is the principal: alice sees her topics only.
      expect((await asAlice.listTopics()).filter((t) => !t.startsWith('__')).sort()).toEqual(['alice-denied', 'alice-kcat', 'alice-orders']);
    } finally {
      await asAlice.close();
    }
    const asAdmin = new Admin({ clientId: 'scram-admin', bootstrapBrokers: [`127.0.0.1:${ports.saslPlaintext}`], sasl: { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'bob-secret' } });
    try {
      // bob is no super user: 31 for quota changes (ALTER_CONFIGS on the cluster).
      const refused = await asAdmin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] }] })
        .then((entries) => entries.map((e) => e.errorCode), (err: Error) => err);
      expect(refused instanceof Error ? JSON.stringify(refused, Object.getOwnPropertyNames(refused)) : refused).toMatch(/31|CLUSTER_AUTHORIZATION_FAILED|[Aa]uthoriz/);
    } finally {
      await asAdmin.close();
    }
    const superUser = new Admin({ clientId: 'scram-admin', bootstrapBrokers: [`127.0.0.1:${ports.saslPlaintext}`], sasl: { mechanism: 'SCRAM-SHA-256', username: 'admin', password: 'admin-secret' } });
    try {
      const set = await superUser.alterClientQuotas({ entries: [{ entities: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 65536, remove: false }] }] });
      expect(set.map((r) => r.errorCode)).toEqual([0]);
    } finally {
      await superUser.close();
    }
    // The same client id as everyone else: only the principal can select alice's quota.
    const throttled: string[] = [];
    const capture: logCreator = () => ({ log }) => {
      if (String(log.message).includes('Client side throttling in effect')) throttled.push(log.message);
    };
    const producer = kafkajs(broker, {
      brokers: [`127.0.0.1:${ports.saslPlaintext}`], sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' }, logLevel: logLevel.DEBUG, logCreator: capture,
    }).producer();
    await producer.connect();
    for (let i = 0; i < 6; i++) await producer.send({ topic: 'alice-orders', acks: 1, messages: [{ value: Buffer.alloc(64 * 1024, i) }] });
    await producer.disconnect();
    expect(throttled.length).toBeGreaterThan(0);
  }, 60_000);

  it('ACLs and SCRAM credentials survive a restart', async () => {
    await broker.restart();
    // The harness waits for the PLAINTEXT listener; the others are bound right after it.
    for (const port of Object.values(ports)) await waitForPort(port);
    const a = admin().admin();
    await a.connect();
    try {
      const described = await a.describeAcls({
        resourceType: AclResourceTypes.TOPIC, resourcePatternType: ResourcePatternTypes.ANY, principal: 'User:alice',
        operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
      });
      expect(described.resources.map((r) => r.resourceName).sort()).toEqual(['alice-', 'alice-denied']);
    } finally {
      await a.disconnect();
    }
  }, 60_000);
});
