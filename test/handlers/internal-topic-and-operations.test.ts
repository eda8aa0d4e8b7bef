/**
 * Handlers called directly against an in-memory broker: `__consumer_offsets` comes into existence
 * with the first group FindCoordinator and is then listed among all topics as internal; the
 * authorized-operations fields (KIP-430) of Metadata, DescribeGroups and DescribeCluster carry the
 * bits of the operations the authorizer allows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import metadata from '../../src/handlers/03-metadata.js';
import findCoordinator from '../../src/handlers/10-find-coordinator.js';
import describeGroups from '../../src/handlers/15-describe-groups.js';
import describeCluster from '../../src/handlers/60-describe-cluster.js';
import type { Handler, Request } from '../../src/server/handler.js';
import { callHandler } from '../support/call-handler.js';
import type { ApiSpec, MessageOf } from '../../protocol/schema.js';
import type { Authorizer } from '../../src/auth/authorizer.js';
import { AclOperation } from '../../src/auth/authorizer.js';

const NOT_REQUESTED = -2147483648;
/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS (Kafka's AclEntry for TOPIC). */
const TOPIC_OPS = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
/** READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
const GROUP_OPS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);
/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE. */
const CLUSTER_OPS = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

describe('internal topic and authorized operations', () => {
  let broker: Broker;
  beforeEach(async () => {
    broker = await Broker.start({ inMemory: true, config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0'], ['offsets.topic.num.partitions', '7']]) });
    await broker.services.topics.create('t', 2);
  });
  afterEach(async () => broker.close());

  const call = async <A extends ApiSpec>(handler: Handler<A>, apiVersion: number, req: Partial<MessageOf<A['request']>>, services = broker.services) =>
    (await callHandler(services, handler.api, apiVersion, req as unknown as Request<A>)).response!;

  const allTopics = (v = 12) => call(metadata, v, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });

  it('creates __consumer_offsets with offsets.topic.num.partitions partitions on the first group FindCoordinator; Metadata lists it as internal', async () => {
    expect((await allTopics()).topics.map((t) => t.name)).toEqual(['t']);
    const found = await call(findCoordinator, 3, { key: 'g', keyType: 0 });
    expect(found.errorCode).toBe(0);
    const topics = (await allTopics()).topics;
    const offsets = topics.find((t) => t.name === '__consumer_offsets')!;
    expect(offsets).toMatchObject({ isInternal: true, errorCode: 0 });
    expect(offsets.partitions.map((p) => p.partitionIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(topics.find((t) => t.name === 't')!.isInternal).toBe(false);
    // By name too, and never auto-created as an ordinary topic.
    const named = await call(metadata, 4, { topics: [{ name: '__consumer_offsets', topicId: '' }], allowAutoTopicCreation: true });
    expect(named.topics[0]).toMatchObject({ name: '__consumer_offsets', isInternal: true, errorCode: 0 });
  });

  it('Metadata naming __consumer_offsets: is_internal even when unknown; with auto-creation, the group coordinator creates it', async () => {
    const ask = (allowAutoTopicCreation: boolean) => call(metadata, 12, { topics: [{ name: '__consumer_offsets', topicId: '' }], allowAutoTopicCreation });
    expect((await ask(false)).topics[0]).toMatchObject({ errorCode: 3, isInternal: true });
    const created = (await ask(true)).topics[0]!;
    expect(created).toMatchObject({ errorCode: 0, isInternal: true });
    expect(created.partitions).toHaveLength(7);
    expect(broker.services.topics.get('__consumer_offsets')!.configs['cleanup.policy']).toBe('compact');
  });

  it('Metadata naming __transaction_state with auto-creation: the transaction coordinator creates it, compacted, with its own partition count', async () => {
    const ask = (allowAutoTopicCreation: boolean) => call(metadata, 12, { topics: [{ name: '__transaction_state', topicId: '' }], allowAutoTopicCreation });
    expect((await ask(false)).topics[0]).toMatchObject({ errorCode: 3, isInternal: true });
    const created = (await ask(true)).topics[0]!;
    expect(created).toMatchObject({ errorCode: 0, isInternal: true });
    expect(created.partitions).toHaveLength(broker.services.config.get('transaction.state.log.num.partitions'));
    expect(broker.services.topics.get('__transaction_state')!.configs['cleanup.policy']).toBe('compact');
  });

  it('Metadata v8-10: the cluster\'s and each topic\'s operations when asked, MIN_VALUE when not; v11+ has no cluster field', async () => {
    const asked = await call(metadata, 10, {
      topics: [{ name: 't', topicId: '' }, { name: 'missing', topicId: '' }], allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true,
    });
    expect(asked.clusterAuthorizedOperations).toBe(CLUSTER_OPS);
    expect(asked.topics.map((t) => [t.name, t.errorCode, t.topicAuthorizedOperations])).toEqual([['t', 0, TOPIC_OPS], ['missing', 3, TOPIC_OPS]]);
    const notAsked = await call(metadata, 10, {
      topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    });
    expect(notAsked.clusterAuthorizedOperations).toBe(NOT_REQUESTED);
    expect(notAsked.topics[0]!.topicAuthorizedOperations).toBe(NOT_REQUESTED);
    const v12 = await call(metadata, 12, {
      topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true,
    });
    expect(v12.clusterAuthorizedOperations).toBe(NOT_REQUESTED);
    expect(v12.topics[0]!.topicAuthorizedOperations).toBe(TOPIC_OPS);
  });

  it('DescribeGroups v3+ and DescribeCluster answer the allowed operations; an authorizer decides them', async () => {
    await broker.services.groups.commitOffsets('g', {
      memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1, apiVersion: 8,
      entries: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }],
    });
    const groups = await call(describeGroups, 5, { groups: ['g', ''], includeAuthorizedOperations: true });
    expect(groups.groups.map((g) => [g.groupId, g.errorCode, g.authorizedOperations])).toEqual([['g', 0, GROUP_OPS], ['', 24, NOT_REQUESTED]]);
    expect((await call(describeGroups, 5, { groups: ['g'], includeAuthorizedOperations: false })).groups[0]!.authorizedOperations).toBe(NOT_REQUESTED);
    expect((await call(describeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })).clusterAuthorizedOperations).toBe(CLUSTER_OPS);

    // An authorizer that denies deletes and cluster DESCRIBE: the fields follow it.
    const noDeletes: Authorizer = { authorize: (_r, op, type) => op !== AclOperation.DELETE && !(type === 'CLUSTER' && op === AclOperation.DESCRIBE), authorizeByResourceType: () => true };
    const services = { ...broker.services, authorizer: noDeletes };
    expect((await call(describeGroups, 5, { groups: ['g'], includeAuthorizedOperations: true }, services)).groups[0]!.authorizedOperations).toBe(GROUP_OPS & ~(1 << 6));
    expect((await call(describeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 }, services)).clusterAuthorizedOperations).toBe(0);
    const meta = await call(metadata, 9, { topics: [{ name: 't', topicId: '' }], includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: true }, services);
    expect(meta.topics[0]!.topicAuthorizedOperations).toBe(TOPIC_OPS & ~(1 << 6));
    expect(meta.clusterAuthorizedOperations).toBe(0);
  });
});
