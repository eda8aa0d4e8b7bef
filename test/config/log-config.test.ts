import { describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { brokerLogConfig, defaultLogConfig, NEVER, topicLogConfig } from '../../src/config/log-config.js';

describe("the log's typed settings", () => {
  it("default to Kafka's", () => {
    expect(defaultLogConfig).toEqual({
      segmentBytes: 1073741824,
      segmentMs: 604800000,
      indexIntervalBytes: 4096,
      maxIndexSize: 10485760,
      retentionMs: 604800000,
      retentionBytes: -1,
      flushIntervalMessages: NEVER,
      flushIntervalMs: NEVER,
      maxMessageBytes: 1048588,
      messageTimestampType: 'CreateTime',
      messageTimestampBeforeMaxMs: NEVER,
      messageTimestampAfterMaxMs: 3600000,
      fileDeleteDelayMs: 60000,
      producerIdExpirationMs: 86400000,
      compact: false,
      deleteRetentionMs: 86400000,
      minCleanableRatio: 0.5,
      minCompactionLagMs: 0,
      maxCompactionLagMs: NEVER,
    });
  });

  it('take the broker values through the synonyms, in the topic key\'s unit', () => {
    const config = new BrokerConfig([
      ['log.roll.hours', '2'],
      ['log.retention.minutes', '3'],
      ['log.retention.hours', '1'],
      ['log.flush.interval.messages', '9223372036854775807'],
      ['log.flush.interval.ms', '500'],
      ['message.max.bytes', '5000'],
      ['log.message.timestamp.type', 'LogAppendTime'],
      ['log.message.timestamp.before.max.ms', '86400000'],
      ['log.message.timestamp.after.max.ms', '60000'],
      ['producer.id.expiration.ms', '42'],
    ]);
    expect(brokerLogConfig(config)).toEqual({
      ...defaultLogConfig,
      segmentMs: 7_200_000,
      retentionMs: 180_000,
      flushIntervalMessages: NEVER,
      flushIntervalMs: 500,
      maxMessageBytes: 5000,
      messageTimestampType: 'LogAppendTime',
      messageTimestampBeforeMaxMs: 86_400_000,
      messageTimestampAfterMaxMs: 60_000,
      producerIdExpirationMs: 42,
    });
  });

  it("put a topic's overrides on top of the broker's values", () => {
    const config = new BrokerConfig([['log.retention.hours', '1'], ['log.segment.bytes', '2097152']]);
    expect(topicLogConfig(config, { 'retention.ms': '9', 'index.interval.bytes': '0', 'cleanup.policy': 'compact,delete' })).toEqual({
      ...defaultLogConfig,
      segmentBytes: 2097152,
      retentionMs: 9,
      indexIntervalBytes: 0,
      compact: true,
    });
  });

  it('retention deletes nothing from a log whose cleanup.policy lacks delete (compacted only), as in Kafka', () => {
    const config = new BrokerConfig([['log.retention.hours', '1'], ['log.retention.bytes', '1000']]);
    expect(topicLogConfig(config, { 'cleanup.policy': 'compact', 'retention.ms': '9' })).toMatchObject({ retentionMs: -1, retentionBytes: -1 });
    expect(topicLogConfig(config, {})).toMatchObject({ retentionMs: 3_600_000, retentionBytes: 1000 });
    const compacting = new BrokerConfig([['log.cleanup.policy', 'compact']]);
    expect(topicLogConfig(compacting, {})).toMatchObject({ retentionMs: -1, retentionBytes: -1 });
    expect(topicLogConfig(compacting, { 'cleanup.policy': 'delete' }).retentionMs).toBe(defaultLogConfig.retentionMs);
  });
});
