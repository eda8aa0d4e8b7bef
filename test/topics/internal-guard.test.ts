import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { CreatePartitions } from '../../protocol/messages/37-create-partitions.js';
import { CreateTopics } from '../../protocol/messages/19-create-topics.js';
import { DeleteRecords } from '../../protocol/messages/21-delete-records.js';
import { DeleteTopics } from '../../protocol/messages/20-delete-topics.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../../src/topics/internal.js';
import { batch } from '../log/helpers.js';
import { callHandler } from '../support/call-handler.js';

/** Issue 11 item 1: clients cannot create, delete, grow, write or trim the coordinators' topics. */
describe('internal topics are protected from clients', () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await Broker.start({ inMemory: true, config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0']]) });
    // The group coordinator's topic, registered as the coordinator does (whatever its partition count).
    if (!broker.services.topics.get(CONSUMER_OFFSETS_TOPIC)) await broker.services.topics.create(CONSUMER_OFFSETS_TOPIC, 1);
  });
  afterAll(() => broker.close());

  const createTopic = (name: string) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] });

  it('CreateTopics: 36 for the existing offsets topic, 42 for the other internal names, nothing created', async () => {
    const { response } = await callHandler(broker.services, CreateTopics, 7, {
      topics: [createTopic(CONSUMER_OFFSETS_TOPIC), createTopic(TRANSACTION_STATE_TOPIC), createTopic('__cluster_metadata')],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(response!.topics.map((t) => [t.name, t.errorCode, t.errorMessage])).toEqual([
      [CONSUMER_OFFSETS_TOPIC, ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${CONSUMER_OFFSETS_TOPIC}' already exists.`],
      [TRANSACTION_STATE_TOPIC, ErrorCode.INVALID_REQUEST, `Creation of internal topic ${TRANSACTION_STATE_TOPIC} is prohibited.`],
      ['__cluster_metadata', ErrorCode.INVALID_REQUEST, 'Creation of internal topic __cluster_metadata is prohibited.'],
    ]);
    expect(broker.services.topics.get(TRANSACTION_STATE_TOPIC)).toBeUndefined();
    expect(broker.services.topics.get('__cluster_metadata')).toBeUndefined();
  });

  it('DeleteTopics by name and by id: 42, and the coordinator keeps its log', async () => {
    const offsets = broker.services.topics.get(CONSUMER_OFFSETS_TOPIC)!;
    const log = broker.services.topics.partitionLog(CONSUMER_OFFSETS_TOPIC, 0);
    const byName = await callHandler(broker.services, DeleteTopics, 5, { topics: [], topicNames: [CONSUMER_OFFSETS_TOPIC], timeoutMs: 1000 });
    const byId = await callHandler(broker.services, DeleteTopics, 6, { topics: [{ name: null, topicId: offsets.id }], topicNames: [], timeoutMs: 1000 });
    for (const { response } of [byName, byId]) {
      expect(response!.responses[0]).toMatchObject({
        name: CONSUMER_OFFSETS_TOPIC,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Deletion of internal topic ${CONSUMER_OFFSETS_TOPIC} is prohibited.`,
      });
    }
    expect(broker.services.topics.get(CONSUMER_OFFSETS_TOPIC)).toBe(offsets);
    expect(broker.services.topics.partitionLog(CONSUMER_OFFSETS_TOPIC, 0)).toBe(log);
  });

  it('CreatePartitions: 42, the partition count unchanged', async () => {
    const before = broker.services.topics.get(CONSUMER_OFFSETS_TOPIC)!.partitions;
    const { response } = await callHandler(broker.services, CreatePartitions, 3, {
      topics: [{ name: CONSUMER_OFFSETS_TOPIC, count: before + 10, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(response!.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Adding partitions to internal topic ${CONSUMER_OFFSETS_TOPIC} is prohibited.` });
    expect(broker.services.topics.get(CONSUMER_OFFSETS_TOPIC)!.partitions).toBe(before);
  });

  it('Produce: 17 INVALID_TOPIC_EXCEPTION, nothing appended', async () => {
    const log = broker.services.topics.partitionLog(CONSUMER_OFFSETS_TOPIC, 0)!;
    const end = log.logEndOffset;
    const { response } = await callHandler(broker.services, Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: CONSUMER_OFFSETS_TOPIC, topicId: ZERO_UUID, partitionData: [{ index: 0, records: batch(1) }] }],
    });
    expect(response!.responses[0]!.partitionResponses[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
      errorMessage: `Cannot append to internal topic ${CONSUMER_OFFSETS_TOPIC}`,
    });
    expect(log.logEndOffset).toBe(end);
  });

  it('DeleteRecords: 17 INVALID_TOPIC_EXCEPTION, the log start unchanged', async () => {
    const log = broker.services.topics.partitionLog(CONSUMER_OFFSETS_TOPIC, 0)!;
    const { response } = await callHandler(broker.services, DeleteRecords, 2, {
      topics: [{ name: CONSUMER_OFFSETS_TOPIC, partitions: [{ partitionIndex: 0, offset: -1n }] }],
      timeoutMs: 1000,
    });
    expect(response!.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, lowWatermark: -1n });
    expect(log.logStartOffset).toBe(0n);
  });

  it('__transaction_state, once the transaction coordinator created it (50 partitions): no produce, trim or delete', async () => {
    expect(await broker.services.txn.findCoordinatorError()).toBe(ErrorCode.NONE);
    const state = broker.services.topics.get(TRANSACTION_STATE_TOPIC)!;
    expect(state).toMatchObject({ partitions: 50, internal: true });
    const log = broker.services.topics.partitionLog(TRANSACTION_STATE_TOPIC, 0)!;
    const produced = await callHandler(broker.services, Produce, 9, {
      transactionalId: null, acks: -1, timeoutMs: 1000,
      topicData: [{ name: TRANSACTION_STATE_TOPIC, topicId: ZERO_UUID, partitionData: [{ index: 0, records: batch(1) }] }],
    });
    expect(produced.response!.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const trimmed = await callHandler(broker.services, DeleteRecords, 2, {
      topics: [{ name: TRANSACTION_STATE_TOPIC, partitions: [{ partitionIndex: 0, offset: -1n }] }], timeoutMs: 1000,
    });
    expect(trimmed.response!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const deleted = await callHandler(broker.services, DeleteTopics, 5, { topics: [], topicNames: [TRANSACTION_STATE_TOPIC], timeoutMs: 1000 });
    expect(deleted.response!.responses[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(broker.services.topics.get(TRANSACTION_STATE_TOPIC)).toBe(state);
    expect(log.logEndOffset).toBe(0n);
  });
});
