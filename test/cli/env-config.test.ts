import { describe, expect, it } from 'vitest';
import { configNameOf, settingsFromEnv } from '../../src/cli/env-config.js';
import { settingsFromArgs } from '../../src/cli/start-args.js';

describe('KAFKA_* variables, as the apache/kafka image maps them', () => {
  it('maps _ to ., __ to _ and ___ to -', () => {
    expect(configNameOf('KAFKA_LOG_RETENTION_MS')).toBe('log.retention.ms');
    expect(configNameOf('KAFKA_ADVERTISED_LISTENERS')).toBe('advertised.listeners');
    expect(configNameOf('KAFKA_ABC__DEF')).toBe('abc_def');
    expect(configNameOf('KAFKA_ABC___DEF')).toBe('abc-def');
    expect(configNameOf('KAFKA_A___B__C_D')).toBe('a-b_c.d');
    // Four underscores: Kafka replaces "..." first, left to right, so "-" then ".".
    expect(configNameOf('KAFKA_A____B')).toBe('a-.b');
  });

  it('leaves out what is not a config: other prefixes, the JVM and log4j variables', () => {
    for (const v of ['PATH', 'KAFKA_', 'KAFKA_HEAP_OPTS', 'KAFKA_OPTS', 'KAFKA_LOG4J_ROOT_LOGLEVEL', 'KAFKA_JMX_HOSTNAME', 'MY_KAFKA_X']) {
      expect([v, configNameOf(v)]).toEqual([v, undefined]);
    }
  });

  it('gives settings sorted by name, read only with --config-from-env, below --override', () => {
    const env = { KAFKA_NUM_PARTITIONS: '3', KAFKA_LOG_RETENTION_MS: '60000', KAFKA_HEAP_OPTS: '-Xmx1G', HOME: '/root' };
    expect(settingsFromEnv(env)).toEqual([['log.retention.ms', '60000'], ['num.partitions', '3']]);
    const base = { 'log-level': 'info', override: ['num.partitions=5'] };
    expect(settingsFromArgs(base, env)).toEqual([['num.partitions', '5']]);
    expect(settingsFromArgs({ ...base, 'config-from-env': true }, env)).toEqual([['log.retention.ms', '60000'], ['num.partitions', '3'], ['num.partitions', '5']]);
  });
});
