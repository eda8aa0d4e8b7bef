/**
 * group.consumer.* settings are checked at start-up as Kafka's GroupCoordinatorConfig checks them,
 * before the broker opens anything.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../../src/broker.js';
import { BrokerConfig } from '../../../src/config/broker-config.js';
import { ConfigError } from '../../../src/config/parse.js';
import { consumerGroupsConfig } from '../../../src/group/consumer/config.js';

const HB = 'group.consumer.heartbeat.interval.ms';
const MIN_HB = 'group.consumer.min.heartbeat.interval.ms';
const MAX_HB = 'group.consumer.max.heartbeat.interval.ms';
const ST = 'group.consumer.session.timeout.ms';
const MIN_ST = 'group.consumer.min.session.timeout.ms';
const MAX_ST = 'group.consumer.max.session.timeout.ms';

const configOf = (settings: Record<string, string>) => new BrokerConfig(Object.entries(settings));
const refusal = (settings: Record<string, string>): string => {
  try {
    consumerGroupsConfig(configOf(settings));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  return 'accepted';
};

describe('group.consumer.* bounds', () => {
  it("accepts Kafka's defaults and values inside their bounds", () => {
    expect(consumerGroupsConfig(new BrokerConfig())).toMatchObject({ enabled: true, sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000 });
    expect(consumerGroupsConfig(configOf({ [ST]: '50000', [HB]: '15000' }))).toMatchObject({ sessionTimeoutMs: 50_000, heartbeatIntervalMs: 15_000 });
  });

  it("refuses each of Kafka's requirements broken, naming both keys", () => {
    expect(refusal({ [MIN_HB]: '20000' })).toBe(`${MAX_HB} must be greater than or equal to ${MIN_HB}`);
    expect(refusal({ [HB]: '4000' })).toBe(`${HB} must be greater than or equal to ${MIN_HB}`);
    expect(refusal({ [HB]: '16000' })).toBe(`${HB} must be less than or equal to ${MAX_HB}`);
    expect(refusal({ [MIN_ST]: '70000' })).toBe(`${MAX_ST} must be greater than or equal to ${MIN_ST}`);
    expect(refusal({ [ST]: '30000' })).toBe(`${ST} must be greater than or equal to ${MIN_ST}`);
    expect(refusal({ [ST]: '61000' })).toBe(`${ST} must be less than or equal to ${MAX_ST}`);
    // Inside both ranges, yet a member would time out between two heartbeats.
    expect(refusal({ [MIN_ST]: '5000', [ST]: '10000', [MAX_HB]: '20000', [HB]: '10000' })).toBe(`${HB} must be less than ${ST}`);
  });

  it('refuses an empty, repeated or unknown group.consumer.assignors', () => {
    expect(refusal({ 'group.consumer.assignors': ' , ' })).toBe('group.consumer.assignors must name at least one assignor');
    expect(refusal({ 'group.consumer.assignors': 'uniform,range,uniform' })).toBe('group.consumer.assignors names uniform twice');
    expect(refusal({ 'group.consumer.assignors': 'range,sticky' })).toMatch(/unknown assignor sticky/);
  });

  it('stops a broker before it writes anything in its data directory but the lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tafka-group-config-'));
    try {
      const settings = (extra: [string, string][]) => new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0'], ['log.dirs', dir], ...extra]);
      await expect(Broker.start({ config: settings([[HB, '45000'], [MAX_HB, '60000']]) })).rejects.toThrow(`${HB} must be less than ${ST}`);
      // Only the data-directory lock (src/log/data-dir-lock.ts), taken first and released: no meta.properties, no logs.
      expect(readdirSync(dir)).toEqual(['.lock']);
      // The directory is not left locked: a broker with good settings starts on it.
      const broker = await Broker.start({ config: settings([]) });
      await broker.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
