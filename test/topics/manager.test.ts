import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { LogManager } from '../../src/log/log-manager.js';
import { TopicManager } from '../../src/topics/manager.js';
import { TopicRegistry } from '../../src/topics/registry.js';

const logger = pino({ level: 'silent' });

async function open(registry?: TopicRegistry, logs?: LogManager) {
  registry ??= await TopicRegistry.open(undefined);
  logs ??= await LogManager.open({});
  const config = new BrokerConfig([['num.partitions', '3']]);
  return { registry, logs, topics: await TopicManager.open({ registry, logs, config, logger }) };
}

describe('TopicManager', () => {
  it('creates the logs a crash left missing between registry entry and logs', async () => {
    const registry = await TopicRegistry.open(undefined);
    await registry.create('half-made', 2);
    const { logs, topics } = await open(registry);
    expect(logs.getLog('half-made', 0)).toBeDefined();
    expect(topics.partitionLog('half-made', 1)).toBe(logs.getLog('half-made', 1));
  });

  it('auto-creates a topic once, with num.partitions, however many requests ask at once', async () => {
    const { registry, topics } = await open();
    const [a, b] = await Promise.all([topics.autoCreate('auto'), topics.autoCreate('auto')]);
    expect(a).toBe(b);
    expect(a.partitions).toBe(3);
    expect(registry.list()).toEqual([a]);
    expect(await topics.autoCreate('auto')).toBe(a);
  });

  it('serves partition logs only of registered topics and existing partitions', async () => {
    const { logs, topics } = await open();
    await topics.create('t', 1);
    expect(topics.partitionLog('t', 0)).toBeDefined();
    expect(topics.partitionLog('t', 1)).toBeUndefined();
    expect(topics.partitionLog('other', 0)).toBeUndefined();
    await topics.delete('t');
    expect(topics.partitionLog('t', 0)).toBeUndefined();
    expect(logs.getLog('t', 0)).toBeUndefined();
  });

  it('grows a topic, and refuses what Kafka refuses', async () => {
    const { topics } = await open();
    await topics.create('g', 1);
    await topics.createPartitions('g', 3);
    expect(topics.get('g')!.partitions).toBe(3);
    expect(topics.partitionLog('g', 2)).toBeDefined();
    await expect(topics.createPartitions('g', 3)).rejects.toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS });
    await expect(topics.createPartitions('none', 3)).rejects.toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    await expect(topics.create('g', 1)).rejects.toMatchObject({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS });
    await expect(topics.create('bad name', 1)).rejects.toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
    await expect(topics.setConfigs('none', {})).rejects.toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    await expect(topics.delete('none')).rejects.toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  });
});

/** Issue 11 item 5: one topic's creates and deletes run one at a time, never leaving half a topic. */
describe('concurrent mutations of one topic', () => {
  it('CreateTopics and DeleteTopics racing on one name answer Kafka codes and leave registry and logs in step', async () => {
    const { registry, logs, topics } = await open();
    const outcomes: string[] = [];
    const settle = (what: string, p: Promise<unknown>) =>
      p.then(
        () => outcomes.push(`${what}:ok`),
        (err: { errorCode?: number }) => outcomes.push(`${what}:${err.errorCode ?? 'crash'}`),
      );
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      ops.push(settle('create', topics.create('race', 4)), settle('delete', topics.delete('race')));
      if (i % 3 === 0) ops.push(settle('grow', topics.createPartitions('race', 6 + i)));
    }
    await Promise.all(ops);
    // Strictly alternating in arrival order: every create succeeds, every delete finds the topic.
    expect(outcomes.filter((o) => o.startsWith('create') || o.startsWith('delete'))).toEqual(
      Array.from({ length: 20 }, () => ['create:ok', 'delete:ok']).flat(),
    );
    expect(outcomes.filter((o) => o.startsWith('grow'))).toEqual(Array(7).fill(`grow:${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`));
    expect(registry.get('race')).toBeUndefined();
    expect(logs.allLogs().filter((l) => l.topic === 'race')).toEqual([]);
  });

  it('names that differ only by "." and "_" are one topic: two racing creates cannot both succeed', async () => {
    const { topics } = await open();
    const results = await Promise.allSettled([topics.create('a.b', 1), topics.create('a_b', 1)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
  });
});

/** Issue 11 item 2: max.broker.partitions, checked before anything is created. */
describe('max.broker.partitions', () => {
  async function limited(limit: number) {
    const registry = await TopicRegistry.open(undefined);
    const logs = await LogManager.open({});
    const config = new BrokerConfig([['num.partitions', '4'], ['max.broker.partitions', String(limit)]]);
    return { registry, logs, topics: await TopicManager.open({ registry, logs, config, logger }) };
  }

  it('refuses a create, a grow or an auto-creation past the limit with 44, creating nothing', async () => {
    const { logs, topics } = await limited(10);
    await topics.create('six', 6);
    await expect(topics.create('five', 5)).rejects.toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION });
    await expect(topics.createPartitions('six', 11)).rejects.toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION });
    await topics.create('four', 4);
    await expect(topics.autoCreate('auto')).rejects.toMatchObject({
      errorCode: ErrorCode.POLICY_VIOLATION,
      message: "Adding 4 partition(s) would exceed the broker's limit: 10 of max.broker.partitions=10 are in use.",
    });
    expect(() => topics.checkPartitionLimit(1)).toThrow();
    expect(topics.list().map((t) => t.name)).toEqual(['six', 'four']);
    expect(logs.allLogs()).toHaveLength(10);
    await topics.delete('four');
    await topics.createPartitions('six', 10);
    expect(topics.partitionCount()).toBe(10);
  });

  it('counts creations under way, so concurrent creates of different topics cannot pass it together', async () => {
    const { topics } = await limited(10);
    const results = await Promise.allSettled([topics.create('x', 6), topics.create('y', 6), topics.create('z', 4)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(topics.partitionCount()).toBe(10);
  });
});
