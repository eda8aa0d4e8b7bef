import { describe, expect, it } from 'vitest';
import { ClientQuotaManager } from '../../src/quota/client-quota-manager.js';
import { Rate } from '../../src/quota/rate.js';
import { ClientQuotaStore, type EntityPair } from '../../src/quota/store.js';
import { ManualClock } from '../support/manual-clock.js';

const KAFKA_DEFAULT = { samples: 11, windowMs: 1000 };

/** Sets `producer_byte_rate` on an entity ({ user: null } is the default user); undefined removes it. */
async function setQuota(store: ClientQuotaStore, entity: Record<string, string | null>, value: number | undefined): Promise<void> {
  const pairs: EntityPair[] = Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName }));
  const [result] = await store.alter([{ entity: pairs, ops: [{ key: 'producer_byte_rate', value: value ?? 0, remove: value === undefined }] }], false);
  expect(result.errorCode).toBe(0);
}

describe('Rate: Kafka\'s sampled rate and throttle time', () => {
  it('spreads a first burst over samples - 1 windows', () => {
    const rate = new Rate(KAFKA_DEFAULT);
    rate.record(1000, 5_000);
    expect(rate.windowSize(5_000)).toBe(10_000);
    expect(rate.measure(5_000)).toBe(100);
  });

  it('throttles a spike for the time that brings the rate back to the quota (Kafka\'s testQuotaViolation)', () => {
    const clock = new ManualClock(1_000_000);
    const rate = new Rate(KAFKA_DEFAULT);
    // 400 B/s for ten seconds, under a 500 B/s quota.
    for (let i = 0; i < 10; i++) {
      rate.record(400, clock.now());
      expect(rate.throttleTime(500, clock.now())).toBe(0);
      clock.advance(1000);
    }
    // A spike half a second into the next window: 6300 B over 10.5 s = 600 B/s; (600-500)/500 * 10.5 s.
    clock.advance(500);
    rate.record(2300, clock.now());
    expect(rate.throttleTime(500, clock.now())).toBe(2100);
    // Once the spike's sample has rolled out of the window, no more throttling.
    for (let i = 0; i < 11; i++) {
      clock.advance(1000);
      rate.record(400, clock.now());
    }
    expect(rate.throttleTime(500, clock.now())).toBe(0);
  });

  it('forgets samples older than the whole window, and takes back an unrecorded value', () => {
    const rate = new Rate({ samples: 2, windowMs: 1000 });
    rate.record(5000, 0);
    expect(rate.measure(500)).toBeCloseTo(5000 / 1.5); // 500 ms elapsed, counted as at least one whole window: 1.5 s
    expect(rate.measure(2000)).toBe(0);
    rate.record(300, 3000);
    rate.record(-300, 3000);
    expect(rate.measure(3000)).toBe(0);
  });
});

describe('ClientQuotaManager: which quota applies, and who shares it (Kafka\'s testQuotaConfigPrecedence)', () => {
  it('follows the eight-step precedence and shares budgets by the matched entity', async () => {
    const clock = new ManualClock(0);
    const store = await ClientQuotaStore.open(undefined);
    const m = new ClientQuotaManager('producer_byte_rate', store, KAFKA_DEFAULT, clock);
    await setQuota(store, { user: null }, 1000);
    await setQuota(store, { 'client-id': null }, 2000);
    await setQuota(store, { user: null, 'client-id': null }, 3000);
    await setQuota(store, { user: 'userA' }, 4000);
    await setQuota(store, { user: 'userA', 'client-id': 'client1' }, 5000);
    await setQuota(store, { user: 'userB' }, 6000);
    await setQuota(store, { user: 'userB', 'client-id': 'client1' }, 7000);
    await setQuota(store, { user: 'userB', 'client-id': null }, 8000);
    await setQuota(store, { user: 'userC' }, 10000);
    await setQuota(store, { 'client-id': 'client1' }, 9000);

    /** Records value × 11 (the rate over the 10 s minimum window is then value × 1.1). */
    const check = (user: string, clientId: string, bound: number, value: number, throttled: boolean) => {
      const sensor = m.sensorFor(user, clientId);
      expect([user, clientId, sensor.limit]).toEqual([user, clientId, bound]);
      expect(m.maxValueInQuotaWindow(sensor)).toBe(bound * 10);
      const ms = m.record(sensor, value * 11, clock.now());
      expect([user, clientId, value, ms > 0]).toEqual([user, clientId, value, throttled]);
    };
    check('userA', 'client1', 5000, 4500, false); // <user, client> before <user>
    check('userA', 'client2', 4000, 4500, true); // <user> before <client> and the defaults
    check('userA', 'client3', 4000, 0, true); // <user> is shared by the user's clients
    check('userA', 'client1', 5000, 0, false); // <user, client> is its own budget
    check('userB', 'client1', 7000, 8000, true);
    check('userB', 'client2', 8000, 7000, false); // <user, default client>: one budget per client
    check('userB', 'client3', 8000, 7000, false);
    check('userD', 'client1', 3000, 3500, true); // <default user, default client>
    check('userD', 'client2', 3000, 2500, false);
    check('userE', 'client1', 3000, 2500, false);

    await setQuota(store, { user: null, 'client-id': null }, undefined);
    check('userD', 'client1', 1000, 0, false); // now <default user>: a new budget
    check('userE', 'client4', 1000, 1500, true);
    check('userF', 'client4', 1000, 800, false); // <default user> is shared by the user's clients
    check('userF', 'client5', 1000, 800, true);

    await setQuota(store, { user: null }, undefined);
    check('userF', 'client4', 2000, 0, false); // <default client>: per client id, across users
    check('userF', 'client5', 2000, 0, false);
    check('userF', 'client5', 2000, 2500, true);
    check('userG', 'client5', 2000, 0, true);

    await setQuota(store, { user: 'userA' }, 8000);
    await setQuota(store, { user: 'userA', 'client-id': 'client1' }, 10000);
    check('userA', 'client2', 8000, 0, false);
    check('userA', 'client2', 8000, 4500, true); // a changed quota keeps the usage so far
    check('userA', 'client1', 10000, 0, false);
    check('userA', 'client1', 10000, 6000, true);
    m.close();
  });

  it('measures but never throttles a client no quota applies to', async () => {
    const store = await ClientQuotaStore.open(undefined);
    const m = new ClientQuotaManager('producer_byte_rate', store, KAFKA_DEFAULT, new ManualClock(0));
    expect(m.enabled).toBe(false);
    await setQuota(store, { user: 'someone-else' }, 1);
    expect(m.enabled).toBe(true);
    const sensor = m.sensorFor('ANONYMOUS', 'c');
    expect(sensor.limit).toBe(Infinity);
    expect(m.record(sensor, 1e12, 0)).toBe(0);
    m.close();
  });

  it('caps the throttle time when asked (request quotas: one window)', async () => {
    const store = await ClientQuotaStore.open(undefined);
    await setQuota(store, { user: null }, 1);
    const m = new ClientQuotaManager('producer_byte_rate', store, KAFKA_DEFAULT, new ManualClock(0), 1000);
    expect(m.record(m.sensorFor('u', 'c'), 1e6, 0)).toBe(1000);
    m.close();
  });

  it('drops a budget unused for an hour', async () => {
    const clock = new ManualClock(0);
    const store = await ClientQuotaStore.open(undefined);
    await setQuota(store, { user: null }, 100);
    const m = new ClientQuotaManager('producer_byte_rate', store, KAFKA_DEFAULT, clock);
    m.record(m.sensorFor('u1', 'c'), 10, clock.now());
    clock.advance(1800_000);
    m.record(m.sensorFor('u2', 'c'), 10, clock.now());
    expect(m.sensorCount).toBe(2);
    clock.advance(1800_000);
    expect([m.sensorCount, m.purges]).toEqual([1, 1]);
    clock.advance(3600_000);
    expect(m.sensorCount).toBe(0);
    expect(clock.size).toBe(0); // nothing left scheduled
  });
});
