import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { findTopic, requireTopic } from '../../src/topics/lookup.js';
import { TopicRegistry } from '../../src/topics/registry.js';

const registry = await TopicRegistry.open(undefined);
const orders = await registry.create('orders', 2);
const MISSING_ID = '6b0b6d2e-3c1a-4f7e-9a57-0f1f2a3b4c5d';

describe('topic lookup by id or by name', () => {
  it('finds a topic by name and by id', () => {
    expect(findTopic(registry, { name: 'orders' })).toEqual({ topic: orders, errorCode: ErrorCode.NONE, errorMessage: null });
    expect(findTopic(registry, { id: orders.id })).toEqual({ topic: orders, errorCode: ErrorCode.NONE, errorMessage: null });
  });

  it('answers 3 UNKNOWN_TOPIC_OR_PARTITION for a missing name', () => {
    expect(findTopic(registry, { name: 'nope' })).toEqual({
      topic: undefined,
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: 'Topic nope does not exist.',
    });
  });

  it('answers 100 UNKNOWN_TOPIC_ID for a missing id, even when a topic has that name', async () => {
    await registry.create(MISSING_ID, 1);
    expect(findTopic(registry, { id: MISSING_ID })).toEqual({
      topic: undefined,
      errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
      errorMessage: `Topic id ${MISSING_ID} does not exist.`,
    });
  });

  it('requireTopic returns the topic or throws the same error', () => {
    expect(requireTopic(registry, { id: orders.id })).toBe(orders);
    const thrown = (() => {
      try {
        requireTopic(registry, { name: 'nope' });
      } catch (err) {
        return err;
      }
    })();
    expect(thrown).toBeInstanceOf(KafkaError);
    expect(thrown).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'Topic nope does not exist.' });
  });
});
