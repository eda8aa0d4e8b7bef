import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { CreatePartitions } from '../../protocol/messages/37-create-partitions.js';
import { CreateTopics } from '../../protocol/messages/19-create-topics.js';
import { Metadata } from '../../protocol/messages/03-metadata.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { callHandler } from '../support/call-handler.js';

/**
 * Issue 11 item 2: a request for more partitions than the broker will hold is answered with an
 * error before anything is created (today's main opened files until EMFILE).
 */
describe('partition limits on CreateTopics, CreatePartitions and auto-creation', () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await Broker.start({
      inMemory: true,
      config: new BrokerConfig([
        ['listeners', 'PLAINTEXT://127.0.0.1:0'],
        // With room for the group coordinator's topic, should it count one partition.
        ['max.broker.partitions', '61'],
        ['offsets.topic.num.partitions', '1'],
        ['num.partitions', '8'],
      ]),
    });
  });
  afterAll(() => broker.close());

  const topic = (name: string, numPartitions: number, configs: { name: string; value: string }[] = []) => ({
    name,
    numPartitions,
    replicationFactor: -1,
    assignments: [],
    configs,
  });
  const createTopics = (topics: ReturnType<typeof topic>[], validateOnly = false) =>
    callHandler(broker.services, CreateTopics, 7, { topics, timeoutMs: 1000, validateOnly }).then((r) => r.response!.topics);
  const BATCH_REFUSAL = [ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.'];

  it('a request of more than 10,000 metadata records fails whole with 44, as in Kafka 4', async () => {
    const huge = await createTopics([topic('huge', 100_000), topic('small', 1)]);
    expect(huge.map((t) => [t.errorCode, t.errorMessage])).toEqual([BATCH_REFUSAL, BATCH_REFUSAL]);
    // 1 topic record + 9,998 partitions + 2 configs = 10,001 records: one too many.
    const edge = await createTopics([topic('edge', 9_998, [{ name: 'retention.ms', value: '1000' }, { name: 'segment.ms', value: '100000' }])], true);
    expect([edge[0]!.errorCode, edge[0]!.errorMessage]).toEqual(BATCH_REFUSAL);
    expect(broker.services.topics.list().filter((t) => !t.internal)).toEqual([]);
  });

  it('beyond max.broker.partitions: 44 per topic, validate_only included; the topics that fit are created', async () => {
    const results = await createTopics([topic('fits', 40), topic('too-many', 30), topic('also-fits', 20)]);
    expect(results.map((t) => [t.name, t.errorCode])).toEqual([
      ['fits', ErrorCode.NONE],
      ['too-many', ErrorCode.POLICY_VIOLATION],
      ['also-fits', ErrorCode.NONE],
    ]);
    expect((await createTopics([topic('dry-run', 2)], true))[0]!.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    expect(broker.services.topics.list().filter((t) => !t.internal).map((t) => t.name)).toEqual(['fits', 'also-fits']);
  });

  it('CreatePartitions past the limit or past 10,000 new partitions: 44, the count unchanged', async () => {
    const grow = (count: number, validateOnly = false) =>
      callHandler(broker.services, CreatePartitions, 3, { topics: [{ name: 'fits', count, assignments: null }], timeoutMs: 1000, validateOnly }).then(
        (r) => r.response!.results[0]!,
      );
    expect(await grow(42, true)).toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION });
    expect(await grow(42)).toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION });
    expect(await grow(100_000)).toMatchObject({ errorCode: BATCH_REFUSAL[0], errorMessage: BATCH_REFUSAL[1] });
    expect(broker.services.topics.get('fits')!.partitions).toBe(40);
  });

  it('Metadata auto-creation past the limit answers 44 for the topic, and the connection stays', async () => {
    const { response, closed } = await callHandler(broker.services, Metadata, 12, {
      topics: [{ topicId: ZERO_UUID, name: 'auto-created' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(closed).toBeUndefined();
    expect(response!.topics[0]).toMatchObject({ name: 'auto-created', errorCode: ErrorCode.POLICY_VIOLATION, partitions: [] });
    expect(broker.services.topics.get('auto-created')).toBeUndefined();
  });
});
