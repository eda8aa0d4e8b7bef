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
