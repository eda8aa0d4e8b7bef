import { describe, expect, it } from 'vitest';
import { ConfigType } from '../../src/config/definition.js';
import { brokerTypeIdOf } from '../../src/config/describe.js';

describe('broker config types in DescribeConfigs', () => {
  it('are reported as Tafka always has: a synonym as its topic key, SHORT as INT, a free-text LIST as STRING', () => {
    expect(brokerTypeIdOf('log.retention.hours')).toBe(ConfigType.LONG);
    expect(brokerTypeIdOf('log.cleanup.policy')).toBe(ConfigType.LIST);
    expect(brokerTypeIdOf('offsets.topic.replication.factor')).toBe(ConfigType.INT);
    expect(brokerTypeIdOf('process.roles')).toBe(ConfigType.STRING);
    expect(brokerTypeIdOf('num.partitions')).toBe(ConfigType.INT);
    expect(brokerTypeIdOf('auto.create.topics.enable')).toBe(ConfigType.BOOLEAN);
  });
});
