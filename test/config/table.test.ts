import { describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { BROKER_CONFIGS, brokerKey } from '../../src/config/broker-keys.js';
import { LONG_MAX, type KeyDefinition } from '../../src/config/definition.js';
import { effectiveTopicConfig } from '../../src/config/describe.js';
import { TOPIC_CONFIGS } from '../../src/config/topic-keys.js';
import { normalizeTopicConfig } from '../../src/config/topic-values.js';

/**
 * A topic key and the broker keys it falls back to describe one setting twice (Kafka's LogConfig and
 * KafkaConfig). These tests walk the table so the two halves cannot drift apart.
 */

/** Broker keys Kafka defines without a validator although their topic key has one. */
const UNCHECKED_IN_KAFKA = new Set([
  'log.roll.ms',
  'log.roll.jitter.ms',
  'log.retention.ms',
  'log.retention.minutes',
  'log.retention.hours',
  'log.flush.interval.ms',
  'log.flush.scheduler.interval.ms',
]);

const validator = (d: KeyDefinition) => ({ min: d.min, max: d.max, oneOf: d.oneOf, alsoAllowed: d.alsoAllowed });

/** A broker default in the topic key's unit, as Kafka prints it (Long.MAX_VALUE caps a product). */
function inTopicUnit(value: string, factor: number): string {
  if (factor === 1) return value;
  const product = BigInt(value) * BigInt(factor);
  return product > BigInt(LONG_MAX) ? LONG_MAX : product.toString();
}

const synonymPairs = Object.entries(TOPIC_CONFIGS).flatMap(([topic, t]) =>
  (t.synonyms ?? []).map(([broker, factor]) => ({ topic, t, broker, factor, b: brokerKey(broker) })),
);

describe('broker keys and their topic synonyms', () => {
  it('every synonym a topic key names is a broker key', () => {
    for (const { topic, broker, b } of synonymPairs) expect(b, `${topic} falls back to ${broker}`).toBeDefined();
  });

  it.each(synonymPairs.map((p) => [p.broker, p.topic, p] as const))('%s and %s have the same default', (_b, _t, { t, b, factor }) => {
    if (b!.default !== null) expect(inTopicUnit(b!.default, factor)).toBe(t.default);
  });

  it.each(synonymPairs.map((p) => [p.broker, p.topic, p] as const))('%s and %s have the same validator', (broker, _t, { t, b, factor }) => {
    if (UNCHECKED_IN_KAFKA.has(broker)) {
      expect(validator(b!)).toEqual(validator({ type: 'INT', default: null, doc: '' }));
    } else if (factor === 1) {
      expect(b!.type).toBe(t.type);
      expect(validator(b!)).toEqual(validator(t));
    } else {
      // Hours into milliseconds: every valid broker value must give a valid topic value.
      expect([b!.type, t.type]).toEqual(['INT', 'LONG']);
      expect(b!.max).toBeUndefined();
      expect(b!.min! * factor).toBeGreaterThanOrEqual(t.min!);
    }
  });

  it('with nothing configured, every topic key resolves to its own default through its synonyms', () => {
    const config = new BrokerConfig();
    for (const [name, t] of Object.entries(TOPIC_CONFIGS)) expect([name, effectiveTopicConfig(config, {}, name)]).toEqual([name, t.default]);
  });

  it('every synonym-only broker key is some topic key\'s synonym', () => {
    const named = new Set(synonymPairs.map((p) => p.broker));
    for (const [name, b] of Object.entries(BROKER_CONFIGS)) {
      if ('synonymOnly' in b) expect(named.has(name), name).toBe(true);
    }
  });

  it('a topic key is live or inert, never both', () => {
    for (const [name, t] of Object.entries(TOPIC_CONFIGS)) expect([name, t.live && t.inert]).toEqual([name, undefined]);
  });
});

describe('key lookup', () => {
  it('knows only its own keys, not names inherited by every object', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(() => normalizeTopicConfig(name, '1')).toThrow(expect.objectContaining({ errorCode: 40, message: `Unknown topic config name: ${name}` }));
      expect(new BrokerConfig([[name, '1']]).ignored).toEqual([name]);
    }
  });

  it('ignores a synonym-only broker key at start-up (Tafka does not use it), keeping its default', () => {
    const c = new BrokerConfig([['compression.type', 'gzip']]);
    expect(c.ignored).toEqual(['compression.type']);
    expect(c.explicit.has('compression.type')).toBe(false);
  });
});
