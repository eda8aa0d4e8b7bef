/**
 * The transaction APIs asking the authorizer as Kafka's KafkaApis does, called directly against an
 * in-memory broker with StandardAuthorizer: WRITE on the transactional id (53) before anything,
 * READ on the group (30) and on topics (29), CLUSTER_ACTION for the broker-to-broker forms (31),
 * DESCRIBE to see a transactional id or a transaction's topics.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { InitProducerId } from '../../protocol/messages/22-init-producer-id.js';
import { AddPartitionsToTxn } from '../../protocol/messages/24-add-partitions-to-txn.js';
import { AddOffsetsToTxn } from '../../protocol/messages/25-add-offsets-to-txn.js';
import { EndTxn } from '../../protocol/messages/26-end-txn.js';
import { WriteTxnMarkers } from '../../protocol/messages/27-write-txn-markers.js';
import { TxnOffsetCommit } from '../../protocol/messages/28-txn-offset-commit.js';
import { DescribeTransactions } from '../../protocol/messages/65-describe-transactions.js';
import { ListTransactions } from '../../protocol/messages/66-list-transactions.js';
import { OperationCode, PatternTypeCode, PermissionCode, ResourceTypeCode } from '../../src/security/acl/acl.js';
import { user } from '../../src/security/principal-names.js';
import type { KafkaPrincipal } from '../../src/security/principal.js';
import { callHandler } from '../support/call-handler.js';

const alice = user('alice');
const bob = user('bob');
const admin = user('admin');

const allow = (resourceType: number, resourceName: string, operation: number, principal = 'User:alice') =>
  ({ resourceType, resourceName, patternType: PatternTypeCode.LITERAL, principal, host: '*', operation, permissionType: PermissionCode.ALLOW });

type Topics = { name: string; partitions: number[] }[];
type Producer = { producerId: bigint; producerEpoch: number };

describe('transaction APIs under StandardAuthorizer', () => {
  let broker: Broker;
  let producer: Producer;
  beforeEach(async () => {
    const config = new BrokerConfig([
      ['listeners', 'PLAINTEXT://127.0.0.1:0'],
      ['authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'],
      ['super.users', 'User:admin'],
    ]);
    broker = await Broker.start({ inMemory: true, config });
    await broker.services.topics.create('orders', 1);
    await broker.services.topics.create('secret', 1);
    await broker.services.acls!.create([
      allow(ResourceTypeCode.TRANSACTIONAL_ID, 'tx-a', OperationCode.WRITE),
      allow(ResourceTypeCode.TOPIC, 'orders', OperationCode.WRITE),
      allow(ResourceTypeCode.TOPIC, 'orders', OperationCode.READ),
      allow(ResourceTypeCode.GROUP, 'g-1', OperationCode.READ),
    ]);
    producer = await init('tx-a', alice);
  });
  afterEach(async () => broker.close());

  async function init(transactionalId: string, who: KafkaPrincipal): Promise<Producer> {
    const r = (await callHandler(broker.services, InitProducerId, 4, {
      transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false,
    }, 'c', who)).response!;
    expect(r.errorCode).toBe(0);
    return { producerId: r.producerId, producerEpoch: r.producerEpoch };
  }
  const addPartitions = async (who: KafkaPrincipal, topics: Topics, transactionalId = 'tx-a', p = producer) =>
    (await callHandler(broker.services, AddPartitionsToTxn, 3, {
      transactions: [], v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: p.producerId,
      v3AndBelowProducerEpoch: p.producerEpoch, v3AndBelowTopics: topics,
    }, 'c', who)).response!.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((r) => [t.name, r.partitionErrorCode]));

  it('AddPartitionsToTxn v0-3: 53 without WRITE on the id; 29 for a topic without WRITE (and an internal one), 55 for the rest', async () => {
    expect(await addPartitions(bob, [{ name: 'orders', partitions: [0] }])).toEqual([['orders', 53]]);
    expect(await addPartitions(alice, [{ name: 'orders', partitions: [0] }, { name: 'secret', partitions: [0] }, { name: 'nope', partitions: [0] }]))
      .toEqual([['orders', 55], ['secret', 29], ['nope', 29]]);
    expect(await addPartitions(alice, [{ name: '__consumer_offsets', partitions: [0] }])).toEqual([['__consumer_offsets', 29]]);
    expect(await addPartitions(alice, [{ name: 'orders', partitions: [0] }])).toEqual([['orders', 0]]);
  });

  it('AddPartitionsToTxn v4+ (broker to broker): top-level 31 without CLUSTER_ACTION; a principal with it is answered', async () => {
    const batched = async (who: KafkaPrincipal) => (await callHandler(broker.services, AddPartitionsToTxn, 4, {
      transactions: [{ transactionalId: 'tx-a', ...producer, verifyOnly: true, topics: [{ name: 'orders', partitions: [0] }] }],
      v3AndBelowTransactionalId: '', v3AndBelowProducerId: 0n, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [],
    }, 'c', who)).response!;
    const refused = await batched(alice);
    expect(refused.errorCode).toBe(31);
    expect(refused.resultsByTransaction).toEqual([]);
    await broker.services.acls!.create([allow(ResourceTypeCode.CLUSTER, 'kafka-cluster', OperationCode.CLUSTER_ACTION, 'User:broker')]);
    const answered = await batched(user('broker'));
    expect(answered.errorCode).toBe(0);
    expect(answered.resultsByTransaction.map((t) => t.transactionalId)).toEqual(['tx-a']);
  });

  it('AddOffsetsToTxn: 53 without WRITE on the id, then 30 without READ on the group', async () => {
    const addOffsets = async (who: KafkaPrincipal, groupId: string) =>
      (await callHandler(broker.services, AddOffsetsToTxn, 3, { transactionalId: 'tx-a', ...producer, groupId }, 'c', who)).response!.errorCode;
    expect(await addOffsets(bob, 'g-1')).toBe(53);
    expect(await addOffsets(alice, 'other')).toBe(30);
    expect(await addOffsets(alice, 'g-1')).toBe(0);
  });

  it('EndTxn: 53 without WRITE on the id, and the transaction stays open; its owner commits it', async () => {
    expect(await addPartitions(alice, [{ name: 'orders', partitions: [0] }])).toEqual([['orders', 0]]);
    const end = async (who: KafkaPrincipal) =>
      (await callHandler(broker.services, EndTxn, 3, { transactionalId: 'tx-a', ...producer, committed: true }, 'c', who)).response!.errorCode;
    expect(await end(bob)).toBe(53);
    expect((await broker.services.txn.describe('tx-a')).state).toBe('Ongoing');
    expect(await end(alice)).toBe(0);
  });

  it('TxnOffsetCommit: 53 for every partition without WRITE on the id, 30 without READ on the group, 29 for a topic without READ', async () => {
    const commit = async (who: KafkaPrincipal, groupId: string) => (await callHandler(broker.services, TxnOffsetCommit, 3, {
      transactionalId: 'tx-a', groupId, ...producer, generationId: -1, memberId: '', groupInstanceId: null,
      topics: ['orders', 'secret', 'nope'].map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] })),
    }, 'c', who)).response!.topics.map((t) => [t.name, t.partitions[0]!.errorCode]);
    expect(await commit(bob, 'g-1')).toEqual([['orders', 53], ['secret', 53], ['nope', 53]]);
    expect(await commit(alice, 'other')).toEqual([['orders', 30], ['secret', 30], ['nope', 30]]);
    expect((await callHandler(broker.services, AddOffsetsToTxn, 3, { transactionalId: 'tx-a', ...producer, groupId: 'g-1' }, 'c', alice)).response!.errorCode).toBe(0);
    expect(await commit(alice, 'g-1')).toEqual([['orders', 0], ['secret', 29], ['nope', 29]]);
  });

  it('WriteTxnMarkers: 31 for every partition without CLUSTER_ACTION, and nothing is written; a super user writes', async () => {
    const markers = async (who: KafkaPrincipal) => (await callHandler(broker.services, WriteTxnMarkers, 1, {
      markers: [{ ...producer, transactionResult: false, coordinatorEpoch: 0, transactionVersion: 0, topics: [{ name: 'orders', partitionIndexes: [0] }] }],
    }, 'c', who)).response!.markers[0]!.topics[0]!.partitions[0]!.errorCode;
    expect(await markers(alice)).toBe(31);
    expect(broker.services.topics.partitionLog('orders', 0)!.highWatermark).toBe(0n);
    expect(await markers(admin)).toBe(0);
    expect(broker.services.topics.partitionLog('orders', 0)!.highWatermark).toBe(1n);
  });

  it('DescribeTransactions: 53 without DESCRIBE on the id; the topics the principal may not describe are left out', async () => {
    const owner = await init('tx-admin', admin);
    expect(await addPartitions(admin, [{ name: 'orders', partitions: [0] }, { name: 'secret', partitions: [0] }], 'tx-admin', owner))
      .toEqual([['orders', 0], ['secret', 0]]);
    await broker.services.acls!.create([allow(ResourceTypeCode.TRANSACTIONAL_ID, 'tx-admin', OperationCode.DESCRIBE)]);
    const describeAs = async (who: KafkaPrincipal) =>
      (await callHandler(broker.services, DescribeTransactions, 0, { transactionalIds: ['tx-admin'] }, 'c', who)).response!.transactionStates[0]!;
    const refused = await describeAs(bob);
    expect(refused).toMatchObject({ errorCode: 53, transactionalId: 'tx-admin', transactionState: '', producerId: 0n, topics: [] });
    expect(await describeAs(alice)).toMatchObject({ errorCode: 0, transactionState: 'Ongoing', topics: [{ topic: 'orders', partitions: [0] }] });
    expect((await describeAs(admin)).topics.map((t) => t.topic).sort()).toEqual(['orders', 'secret']);
  });

  it('ListTransactions: only the ids the principal may DESCRIBE (WRITE implies it)', async () => {
    await init('tx-admin', admin);
    const list = async (who: KafkaPrincipal) => (await callHandler(broker.services, ListTransactions, 1, {
      stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null,
    }, 'c', who)).response!.transactionStates.map((t) => t.transactionalId).sort();
    expect(await list(bob)).toEqual([]);
    expect(await list(alice)).toEqual(['tx-a']);
    expect(await list(admin)).toEqual(['tx-a', 'tx-admin']);
  });
});
