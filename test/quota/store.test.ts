import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientQuotaStore, QUOTA_FILE, QuotaFilterError, type FilterComponent } from '../../src/quota/store.js';

const dir = mkdtempSync(join(tmpdir(), 'tafka-quotas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const e = (pairs: Record<string, string | null>) => Object.entries(pairs).map(([entityType, entityName]) => ({ entityType, entityName }));
const set = (key: string, value: number) => ({ key, value, remove: false });
const exact = (entityType: string, match: string): FilterComponent => ({ entityType, matchType: 0, match });
const byDefault = (entityType: string): FilterComponent => ({ entityType, matchType: 1, match: null });
const specified = (entityType: string): FilterComponent => ({ entityType, matchType: 2, match: null });

describe('ClientQuotaStore', () => {
  it('validates each entry on its own, as Kafka\'s ClientQuotaControlManager does', async () => {
    const store = await ClientQuotaStore.open(undefined);
    const results = await store.alter([
      { entity: e({ user: 'alice' }), ops: [set('producer_byte_rate', 1024)] },
      { entity: [], ops: [set('producer_byte_rate', 1)] },
      { entity: e({ group: 'g' }), ops: [set('producer_byte_rate', 1)] },
      { entity: e({ user: '' }), ops: [set('producer_byte_rate', 1)] },
      { entity: e({ user: 'bob', ip: '10.0.0.1' }), ops: [set('producer_byte_rate', 1)] },
      { entity: e({ ip: 'not-an-ip' }), ops: [set('connection_creation_rate', 1)] },
      { entity: e({ user: 'carol' }), ops: [set('no_such_quota', 1)] },
      { entity: e({ user: 'dave' }), ops: [set('producer_byte_rate', 0)] },
      { entity: e({ user: 'erin' }), ops: [set('producer_byte_rate', 1.5)] },
      { entity: e({ user: 'frank' }), ops: [set('request_percentage', 12.5), set('request_percentage', 13)] },
      { entity: e({ user: 'alice' }), ops: [set('consumer_byte_rate', 1)] },
      { entity: e({ ip: null }), ops: [set('connection_creation_rate', 10)] },
    ], false);
    expect(results.map((r) => [r.entity.map((p) => `${p.entityType}=${p.entityName}`).join(','), r.errorCode, r.errorMessage])).toEqual([
      ['user=alice', 42, 'Ignoring duplicate entity user=alice'],
      ['', 42, 'Invalid empty client quota entity'],
      ['group=g', 42, 'Unhandled client quota entity type: group'],
      ['user=', 42, 'Empty user not supported'],
      ['user=bob,ip=10.0.0.1', 42, 'Invalid quota entity combination, IP entity should not be combined with User or ClientId'],
      ['ip=not-an-ip', 42, 'not-an-ip is not a valid IP or resolvable host.'],
      ['user=carol', 42, 'Invalid configuration key no_such_quota'],
      ['user=dave', 42, 'Quota producer_byte_rate must be greater than 0'],
      ['user=erin', 42, 'producer_byte_rate cannot be a fractional value.'],
      ['user=frank', 42, 'Duplicate quota key request_percentage not updating quota for this entity user=frank'],
      ['ip=null', 0, null],
    ]);
    // As in Kafka, the first entry of a repeated entity was applied; the invalid ones were not.
    expect(store.describe([], false).map((d) => d.entity)).toEqual([e({ user: 'alice' }), e({ ip: null })]);
  });

  it('describes by exact name, default entity or any name, strictly or not', async () => {
    const store = await ClientQuotaStore.open(undefined);
    await store.alter([
      { entity: e({ user: 'alice' }), ops: [set('producer_byte_rate', 100)] },
      { entity: e({ user: 'alice', 'client-id': 'app' }), ops: [set('producer_byte_rate', 200), set('request_percentage', 50)] },
      { entity: e({ user: null }), ops: [set('consumer_byte_rate', 300)] },
      { entity: e({ 'client-id': null }), ops: [set('consumer_byte_rate', 400)] },
    ], false);
    const names = (components: FilterComponent[], strict = false) => store.describe(components, strict).map((d) => d.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(','));
    expect(names([exact('user', 'alice')])).toEqual(['user=alice', 'user=alice,client-id=app']);
    expect(names([exact('user', 'alice')], true)).toEqual(['user=alice']);
    expect(names([byDefault('user')])).toEqual(['user=<default>']);
    expect(names([specified('client-id')])).toEqual(['user=alice,client-id=app', 'client-id=<default>']);
    expect(names([specified('client-id')], true)).toEqual(['client-id=<default>']);
    expect(names([], true)).toEqual([]);
    expect(store.describe([exact('client-id', 'app')], false)[0].values).toEqual([{ key: 'producer_byte_rate', value: 200 }, { key: 'request_percentage', value: 50 }]);
  });

  it.each([
    [[exact('user', 'a'), specified('user')], 42, 'Entity type user cannot appear more than once in the filter.'],
    [[{ entityType: '', matchType: 0, match: 'x' }], 42, 'Invalid empty entity type.'],
    [[{ entityType: 'group', matchType: 0, match: 'x' }], 35, 'Unsupported entity type group'],
    [[{ entityType: 'user', matchType: 0, match: null }], 42, 'Request specified MATCH_TYPE_EXACT, but set match string to null.'],
    [[{ entityType: 'user', matchType: 1, match: 'x' }], 42, 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.'],
    [[{ entityType: 'user', matchType: 7, match: null }], 42, 'Unknown match type 7'],
    [[specified('ip'), exact('user', 'u')], 42, 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.'],
  ] as [FilterComponent[], number, string][])('refuses the filter %j with %i', async (components, code, message) => {
    const store = await ClientQuotaStore.open(undefined);
    let thrown: unknown;
    try {
      store.describe(components, false);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(QuotaFilterError);
    expect([(thrown as QuotaFilterError).errorCode, (thrown as Error).message]).toEqual([code, message]);
  });

  it('persists changes across a restart, removals included; validate_only changes nothing', async () => {
    const first = await ClientQuotaStore.open(dir);
    await first.alter([
      { entity: e({ user: null }), ops: [set('producer_byte_rate', 1048576)] },
      { entity: e({ user: 'alice', 'client-id': null }), ops: [set('consumer_byte_rate', 2048), set('request_percentage', 25.5)] },
    ], false);
    await first.alter([{ entity: e({ user: 'alice', 'client-id': null }), ops: [{ key: 'request_percentage', value: 0, remove: true }] }], false);
    const generation = first.generation;
    const checked = await first.alter([{ entity: e({ user: 'bob' }), ops: [set('producer_byte_rate', 1)] }], true);
    expect(checked[0].errorCode).toBe(0);
    expect(first.generation).toBe(generation);
    expect(JSON.parse(readFileSync(join(dir, QUOTA_FILE), 'utf8'))).toEqual({
      version: 1,
      quotas: [
        { entity: { user: null }, values: { producer_byte_rate: 1048576 } },
        { entity: { user: 'alice', 'client-id': null }, values: { consumer_byte_rate: 2048 } },
      ],
    });
    const second = await ClientQuotaStore.open(dir);
    expect(second.describe([], false)).toEqual(first.describe([], false));
    expect(second.has('producer_byte_rate')).toBe(true);
    expect(second.has('request_percentage')).toBe(false);
  });
});
