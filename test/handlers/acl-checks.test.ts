/**
 * Handlers asking the authorizer, called directly against an in-memory broker with
 * StandardAuthorizer: per-resource refusals (29 topic, 30 group, 31 cluster) come before existence,
 * Metadata hides what a principal may not describe, and without an authorizer nothing changes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import { Metadata } from '../../protocol/messages/03-metadata.js';
import { JoinGroup } from '../../protocol/messages/11-join-group.js';
import { CreateTopics } from '../../protocol/messages/19-create-topics.js';
import { ConsumerGroupHeartbeat } from '../../protocol/messages/68-consumer-group-heartbeat.js';
import { ConsumerGroupDescribe } from '../../protocol/messages/69-consumer-group-describe.js';
import { CreateAcls } from '../../protocol/messages/30-create-acls.js';
import { DescribeUserScramCredentials } from '../../protocol/messages/50-describe-user-scram-credentials.js';
import { AlterUserScramCredentials } from '../../protocol/messages/51-alter-user-scram-credentials.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { produceBatch } from '../../src/client/records.js';
import { OperationCode, PatternTypeCode, PermissionCode, ResourceTypeCode } from '../../src/security/acl/acl.js';
import { user } from '../../src/security/principal-names.js';
import { callHandler } from '../support/call-handler.js';

const alice = user('alice');
const bob = user('bob');
const batch = () => produceBatch([{ key: null, value: Buffer.from('v'), headers: [], timestamp: 0 }], 'none');
const produce = (topic: string) => ({
  transactionalId: null, acks: 1, timeoutMs: 1000,
  topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: 0, records: batch() }] }],
});
const join = (groupId: string) => ({
  groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null,
});

async function start(authorizer: boolean): Promise<Broker> {
  const settings: [string, string][] = [['listeners', 'PLAINTEXT://127.0.0.1:0'], ['group.initial.rebalance.delay.ms', '0']];
  if (authorizer) settings.push(['authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'], ['super.users', 'User:admin']);
  const broker = await Broker.start({ inMemory: true, config: new BrokerConfig(settings) });
  await broker.services.topics.create('orders', 1);
  await broker.services.topics.create('secret', 1);
  return broker;
}

describe('ACL checks in handlers (StandardAuthorizer)', () => {
  let broker: Broker;
  beforeEach(async () => {
    broker = await start(true);
    await broker.services.acls!.create([
      { resourceType: ResourceTypeCode.TOPIC, resourceName: 'orders', patternType: PatternTypeCode.LITERAL, principal: 'User:alice', host: '*', operation: OperationCode.WRITE, permissionType: PermissionCode.ALLOW },
      { resourceType: ResourceTypeCode.GROUP, resourceName: 'g-', patternType: PatternTypeCode.PREFIXED, principal: 'User:alice', host: '*', operation: OperationCode.READ, permissionType: PermissionCode.ALLOW },
    ]);
  });
  afterEach(async () => broker.close());

  it('Produce: 29 for a principal without WRITE, whether or not the topic exists; the principal with it appends', async () => {
    const codes = async (topic: string, who = bob) =>
      (await callHandler(broker.services, Produce, 9, produce(topic), 'c', who)).response!.responses[0]!.partitionResponses[0]!.errorCode;
    expect(await codes('orders')).toBe(29);
    expect(await codes('no-such-topic')).toBe(29);
    expect(await codes('orders', alice)).toBe(0);
    expect(broker.services.topics.partitionLog('orders', 0)!.highWatermark).toBe(1n);
  });

  it('Metadata: all topics lists only what the principal may DESCRIBE (WRITE implies it); a named one it may not is 29', async () => {
    const meta = (who: typeof alice, topics: { name: string; topicId: string }[] | null) =>
      callHandler(broker.services, Metadata, 12, { topics, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 'c', who).then((r) => r.response!.topics);
    expect((await meta(alice, null)).map((t) => t.name)).toEqual(['orders']);
    expect(await meta(bob, null)).toEqual([]);
    const named = await meta(alice, [{ name: 'secret', topicId: ZERO_UUID }, { name: 'not-there', topicId: ZERO_UUID }]);
    expect(named.map((t) => [t.name, t.errorCode])).toEqual([['secret', 29], ['not-there', 29]]);
    // Nothing was auto-created for a principal without CREATE.
    expect(broker.services.topics.get('not-there')).toBeUndefined();
  });

  it('JoinGroup: 30 without READ on the group; a prefixed ACL covers g-*', async () => {
    const code = async (groupId: string) => (await callHandler(broker.services, JoinGroup, 5, join(groupId), 'c', alice)).response!.errorCode;
    expect(await code('other')).toBe(30);
    expect(await code('g-orders')).not.toBe(30);
  });

  it('ConsumerGroupHeartbeat: 30 without READ on the group, 29 for a subscribed topic it may not describe; ConsumerGroupDescribe: 30 without DESCRIBE', async () => {
    const heartbeat = async (groupId: string, topics: string[]) => (await callHandler(broker.services, ConsumerGroupHeartbeat, 1, {
      groupId, memberId: 'm-1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: topics, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    }, 'c', alice)).response!;
    expect((await heartbeat('other', ['orders'])).errorCode).toBe(30);
    expect((await heartbeat('g-1', ['secret'])).errorCode).toBe(29);
    const joined = await heartbeat('g-1', ['orders']);
    expect(joined.errorCode).toBe(0);
    expect(joined.memberEpoch).toBeGreaterThan(0);
    const describe = async (who: typeof alice) =>
      (await callHandler(broker.services, ConsumerGroupDescribe, 1, { groupIds: ['g-1'], includeAuthorizedOperations: false }, 'c', who)).response!.groups[0]!;
    expect((await describe(bob)).errorCode).toBe(30);
    expect((await describe(bob)).members).toEqual([]);
    // READ on a group implies DESCRIBE.
    expect((await describe(alice)).members.map((m) => m.memberId)).toEqual(['m-1']);
  });

  it('CreateAcls: 31 without ALTER on the cluster; super.users may', async () => {
    const creation = { resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:bob', host: '*', operation: 3, permissionType: 3 };
    const as = async (who: typeof alice) => (await callHandler(broker.services, CreateAcls, 3, { creations: [creation] }, 'c', who)).response!.results[0]!.errorCode;
    expect(await as(alice)).toBe(31);
    expect(await as(user('admin'))).toBe(0);
  });

  it('SCRAM credentials admin (50, 51): a super user adds a user that DescribeUserScramCredentials then lists; others get 31', async () => {
    const upsertion = { name: 'carol', mechanism: 2, iterations: 8192, salt: Buffer.alloc(16, 1), saltedPassword: Buffer.alloc(64, 2) };
    const alter = (who: typeof alice) => callHandler(broker.services, AlterUserScramCredentials, 0, { deletions: [], upsertions: [upsertion] }, 'c', who)
      .then((r) => r.response!.results.map((x) => [x.user, x.errorCode]));
    expect(await alter(alice)).toEqual([['carol', 31]]);
    expect(await alter(user('admin'))).toEqual([['carol', 0]]);
    const described = await callHandler(broker.services, DescribeUserScramCredentials, 0, { users: [{ name: 'carol' }] }, 'c', user('admin'));
    expect(described.response!.results).toMatchObject([{ user: 'carol', errorCode: 0, credentialInfos: [{ mechanism: 2, iterations: 8192 }] }]);
    expect((await callHandler(broker.services, DescribeUserScramCredentials, 0, { users: null }, 'c', alice)).response!.errorCode).toBe(31);
  });

  it('CreateTopics: 29 without CREATE', async () => {
    const r = await callHandler(broker.services, CreateTopics, 7, { topics: [{ name: 'new', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false }, 'c', alice);
    expect(r.response!.topics[0]!.errorCode).toBe(29);
    expect(broker.services.topics.get('new')).toBeUndefined();
  });
});

describe('without an authorizer (the default)', () => {
  it('everyone, User:ANONYMOUS included, may do everything, and the ACL requests answer 54 SECURITY_DISABLED', async () => {
    const broker = await start(false);
    try {
      const r = await callHandler(broker.services, Produce, 9, produce('secret'));
      expect(r.response!.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
      const acl = { resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:bob', host: '*', operation: 3, permissionType: 3 };
      const created = await callHandler(broker.services, CreateAcls, 3, { creations: [acl] });
      expect(created.response!.results[0]!.errorCode).toBe(54);
    } finally {
      await broker.close();
    }
  });
});
