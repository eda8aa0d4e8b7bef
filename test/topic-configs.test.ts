import { describe, expect, it } from 'vitest';
import { BrokerConfig } from '../src/config/broker-config.js';
import { brokerSynonyms, ConfigSource, describeTopicConfig, effectiveTopicConfig } from '../src/config/describe.js';
import { defaultLogConfig, logConfigFromProperties } from '../src/config/log-config.js';
import { TOPIC_CONFIGS, topicConfigNames } from '../src/config/topic-keys.js';
import { normalizeTopicConfig } from '../src/config/topic-values.js';

const broker = (settings: Record<string, string> = {}) => new BrokerConfig(Object.entries(settings));

describe('topic config table', () => {
  it('normalizes values as Kafka prints them', () => {
    expect(normalizeTopicConfig('retention.ms', ' 100 ')).toBe('100');
    expect(normalizeTopicConfig('cleanup.policy', 'compact, delete')).toBe('compact,delete');
    expect(normalizeTopicConfig('preallocate', 'TRUE')).toBe('true');
    expect(normalizeTopicConfig('compression.gzip.level', '-1')).toBe('-1');
    expect(normalizeTopicConfig('min.cleanable.dirty.ratio', '.25')).toBe('0.25');
    expect(normalizeTopicConfig('retention.bytes', '9223372036854775807')).toBe('9223372036854775807');
  });

  it('refuses with 40 INVALID_CONFIG, naming the key', () => {
    const fails = (name: string, value: string | null) => {
      try {
        normalizeTopicConfig(name, value);
      } catch (err) {
        return [(err as { errorCode: number }).errorCode, (err as Error).message];
      }
      return null;
    };
    expect(fails('nope', '1')).toEqual([40, 'Unknown topic config name: nope']);
    expect(fails('segment.bytes', '1048575')).toEqual([40, 'Invalid value 1048575 for configuration segment.bytes: Value must be at least 1048576']);
    expect(fails('segment.bytes', '2147483648')).toEqual([40, 'Invalid value 2147483648 for configuration segment.bytes: Not a number of type INT']);
    expect(fails('compression.gzip.level', '0')?.[0]).toBe(40);
    expect(fails('min.cleanable.dirty.ratio', '1.5')?.[1]).toContain('no more than 1');
    expect(fails('cleanup.policy', 'delete,archive')?.[1]).toContain('compact, delete');
    expect(fails('retention.ms', null)?.[1]).toContain('retention.ms');
  });

  it('every default is itself a valid value', () => {
    for (const name of topicConfigNames()) expect(normalizeTopicConfig(name, TOPIC_CONFIGS[name]!.default)).toBe(TOPIC_CONFIGS[name]!.default);
  });

  it('marks live exactly the configs the log store acts on', () => {
    for (const name of topicConfigNames()) {
      const def = TOPIC_CONFIGS[name]!;
      const probe =
        def.type === 'STRING' ? def.oneOf!.at(-1)! : def.type === 'LIST' ? (def.oneOf?.[0] ?? 'x') : def.type === 'BOOLEAN' ? 'true'
          : def.type === 'DOUBLE' ? '0.25' : String(Math.max(def.min ?? 0, 1048576) + 7);
      const changed = JSON.stringify(logConfigFromProperties({ [name]: probe })) !== JSON.stringify(defaultLogConfig);
      expect([name, changed]).toEqual([name, def.live === true]);
    }
  });
});

describe('values in force and their sources', () => {
  it('falls back through the broker synonyms in Kafka order', () => {
    expect(effectiveTopicConfig(broker(), {}, 'retention.ms')).toBe('604800000');
    expect(effectiveTopicConfig(broker({ 'log.retention.hours': '1' }), {}, 'retention.ms')).toBe('3600000');
    expect(effectiveTopicConfig(broker({ 'log.retention.hours': '1', 'log.retention.minutes': '2' }), {}, 'retention.ms')).toBe('120000');
    expect(effectiveTopicConfig(broker({ 'log.retention.ms': '5' }), { 'retention.ms': '7' }, 'retention.ms')).toBe('7');
    expect(effectiveTopicConfig(broker(), {}, 'flush.messages')).toBe('9223372036854775807');
    expect(effectiveTopicConfig(broker(), {}, 'max.message.bytes')).toBe('1048588');
  });

  it('describes override, static and default sources with Kafka synonyms', () => {
    const cfg = broker({ 'log.retention.ms': '1000', 'log.retention.hours': '2' });
    expect(describeTopicConfig(cfg, { 'retention.ms': '9' }, 'retention.ms')).toEqual({
      name: 'retention.ms',
      value: '9',
      source: ConfigSource.TOPIC_CONFIG,
      synonyms: [
        { name: 'retention.ms', value: '9', source: 1 },
        { name: 'log.retention.ms', value: '1000', source: 4 },
        { name: 'log.retention.hours', value: '2', source: 4 },
        { name: 'log.retention.hours', value: '168', source: 5 },
      ],
    });
    // Kafka drops the chain before its primary name: hours alone leaves retention.ms without synonyms.
    expect(describeTopicConfig(broker({ 'log.retention.hours': '2' }), {}, 'retention.ms')).toEqual({
      name: 'retention.ms', value: '7200000', source: ConfigSource.DEFAULT_CONFIG, synonyms: [],
    });
    expect(describeTopicConfig(broker(), {}, 'leader.replication.throttled.replicas')).toEqual({
      name: 'leader.replication.throttled.replicas', value: '', source: ConfigSource.DEFAULT_CONFIG, synonyms: [],
    });
  });

  it('lists broker synonyms from the asked-for name on', () => {
    const cfg = broker({ 'log.roll.hours': '3' });
    expect(brokerSynonyms(cfg, 'log.roll.hours')).toEqual([
      { name: 'log.roll.hours', value: '3', source: 4 },
      { name: 'log.roll.hours', value: '168', source: 5 },
    ]);
    expect(brokerSynonyms(cfg, 'log.roll.ms')).toEqual([]);
    expect(brokerSynonyms(cfg, 'num.partitions')).toEqual([{ name: 'num.partitions', value: '1', source: 5 }]);
  });
});
