import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../protocol/errors.js';
import { CreateTopics } from '../protocol/messages/19-create-topics.js';
import { DeleteTopics } from '../protocol/messages/20-delete-topics.js';
import { Fetch } from '../protocol/messages/01-fetch.js';
import { InitProducerId } from '../protocol/messages/22-init-producer-id.js';
import { Metadata } from '../protocol/messages/03-metadata.js';
import { OffsetCommit } from '../protocol/messages/08-offset-commit.js';
import { Produce } from '../protocol/messages/00-produce.js';
import { ZERO_UUID } from '../protocol/schema.js';
import { Broker } from '../src/broker.js';
import { BrokerConfig } from '../src/config/broker-config.js';
import { MemoryStorage } from '../src/log/memory-storage.js';
import { CONSUMER_OFFSETS_TOPIC } from '../src/topics/internal.js';
import { batch } from './log/helpers.js';
import { callHandler } from './support/call-handler.js';
import { FaultyStorage } from './support/faulty-storage.js';
import { ManualClock } from './support/manual-clock.js';

/**
 * Issue 11 item 7, through the request handlers: while the disk is full every request that needs
 * space answers an error code (the connection stays), nothing half-made is left behind, and once
 * space is freed the broker serves again without a restart, with every acknowledged record.
 */
describe('a broker whose disk fills up', () => {
  const clock = new ManualClock(1_000_000);
  const storage = new FaultyStorage(new MemoryStorage(clock));
  let broker: Broker;
  beforeAll(async () => {
    broker = await Broker.start({
      inMemory: true,
      storage,
      clock,
      config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0'], ['num.partitions', '2']]),
    });
  });
  afterAll(() => broker.close());

  const call = <A extends Parameters<typeof callHandler>[1]>(api: A, version: number, request: Parameters<typeof callHandler<A>>[3]) =>
    callHandler(broker.services, api, version, request);
  const produce = (topic: string, partition: number) =>
    call(Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: partition, records: batch(2) }] }],
    }).then((r) => r.response!.responses[0]!.partitionResponses[0]!);
  const fetchAll = (topic: string, partition: number) =>
    call(Fetch, 12, {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: ZERO_UUID,
          partitions: [
            {
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: 0n,
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: 1 << 20,
              replicaDirectoryId: ZERO_UUID,
              highWatermark: 0n,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    }).then((r) => r.response!.responses[0]!.partitions[0]!);
  const commit = (offset: bigint) =>
    call(OffsetCommit, 8, {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{ name: 'orders', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }],
    }).then((r) => r.response!.topics[0]!.partitions[0]!.errorCode);

  const createTopic = (name: string, partitions: number) =>
    call(CreateTopics, 7, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    }).then((r) => r.response!.topics[0]!.errorCode);
  const deleteTopic = (name: string) =>
    call(DeleteTopics, 6, { topics: [{ name, topicId: ZERO_UUID }], topicNames: [], timeoutMs: 1000 }).then((r) => r.response!.responses[0]!.errorCode);

  it('before: a topic with data and a committed offset', async () => {
    for (const name of ['orders', 'big', 'doomed']) expect(await createTopic(name, 2)).toBe(ErrorCode.NONE);
    expect(await produce('big', 1)).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await produce('orders', 0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await commit(2n)).toBe(ErrorCode.NONE);
  });

  it('while full: Metadata auto-creation, CreateTopics, DeleteTopics, Produce, Fetch and OffsetCommit answer error codes', async () => {
    storage.full = true;
    const metadata = await call(Metadata, 12, {
      topics: [{ topicId: ZERO_UUID, name: 'new-while-full' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(metadata.closed).toBeUndefined();
    expect(metadata.response!.topics[0]).toMatchObject({ name: 'new-while-full', errorCode: ErrorCode.KAFKA_STORAGE_ERROR });

    expect(await createTopic('also-new', 3)).toBe(ErrorCode.KAFKA_STORAGE_ERROR);

    // Its logs are removed, but too little space comes free to record the deletion: 56, retry later.
    expect(await deleteTopic('doomed')).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(broker.services.topics.get('doomed')).toBeDefined();
    expect(await produce('doomed', 0)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });

    expect(await produce('orders', 0)).toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR });
    expect((await fetchAll('orders', 0)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    // Kafka's coordinator answers a failed offset write with a retriable coordinator error.
    expect([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]).toContain(await commit(4n));

    // Nothing half-made: no new topic, no directory of one, the deleted-while-full topic intact.
    expect(broker.services.topics.list().map((t) => t.name).filter((n) => n !== CONSUMER_OFFSETS_TOPIC)).toEqual(['orders', 'big', 'doomed']);
    expect((await storage.listDirs()).filter((d) => d.startsWith('new-while-full') || d.startsWith('also-new'))).toEqual([]);
  });

  it('while full: InitProducerId whose new block of ids cannot be recorded answers 14, as Kafka while it waits for a block', async () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const services = { ...broker.services, producerIds: { generate: () => Promise.reject(enospc) } };
    const { response, closed } = await callHandler(services, InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
      enable2Pc: false,
      keepPreparedTxn: false,
    });
    expect(closed).toBeUndefined();
    expect(response).toMatchObject({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, producerId: -1n });
  });

  it('while full: deleting a topic is how space is freed, so its logs go first and the deletion is recorded after', async () => {
    storage.freedByRemovingDirs = true;
    expect(await deleteTopic('big')).toBe(ErrorCode.NONE);
    expect(storage.full).toBe(false);
    expect(broker.services.topics.get('big')).toBeUndefined();
    expect((await storage.listDirs()).filter((d) => d.startsWith('big-'))).toEqual([]);
  });

  it('after space is freed: the partitions come back by themselves, with what was acknowledged', async () => {
    clock.advance(1000);
    for (const p of [0, 1]) await broker.services.topics.partitionLog('orders', p)!.recoveryAttempt;
    await broker.services.topics.partitionLog(CONSUMER_OFFSETS_TOPIC, 0)?.recoveryAttempt;
    const fetched = await fetchAll('orders', 0);
    expect(fetched).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2n });
    expect(await produce('orders', 0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    expect(await commit(4n)).toBe(ErrorCode.NONE);
    expect(await createTopic('also-new', 3)).toBe(ErrorCode.NONE);
    expect(await deleteTopic('doomed')).toBe(ErrorCode.NONE);
    expect(broker.services.topics.get('doomed')).toBeUndefined();
  });
});
