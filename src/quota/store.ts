/**
 * The client quotas set with AlterClientQuotas, and their file.
 *
 * Kafka keeps them as ClientQuotaRecords in the KRaft metadata log. Tafka, one node, keeps them in
 * `<data dir>/tafka-client-quotas.json`, replaced atomically (write temp, fsync, rename) on each
 * change, and reads it at start-up, so quotas survive restarts:
 *
 *     {"version":1,"quotas":[{"entity":{"user":null},"values":{"producer_byte_rate":1048576}}]}
 *
 * (`null` is the `<default>` entity.) A change is written first and applied in memory after, so
 * what a client was told was altered is what a restart finds. The quota managers read the values
 * synchronously from memory on the request path (see client-quota-manager.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../../protocol/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ENTITY_TYPES, IP, CLIENT_ID, USER, entityKey, entityOf, invalidQuotaValue, parseEntity, type QuotaEntity } from './entity.js';

export const QUOTA_FILE = 'tafka-client-quotas.json';

/** DescribeClientQuotas' match types. */
export const MatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export interface EntityPair {
  entityType: string;
  entityName: string | null;
}

export interface FilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

export interface DescribedQuotas {
  readonly entity: EntityPair[];
  readonly values: { key: string; value: number }[];
}

export interface QuotaAlteration {
  readonly entity: readonly EntityPair[];
  readonly ops: readonly { key: string; value: number; remove: boolean }[];
}

export interface AlterationResult {
  readonly entity: EntityPair[];
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** A bad DescribeClientQuotas filter: Kafka answers it with an error code and no entries. */
export class QuotaFilterError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

type Quotas = Map<string, Map<string, number>>;

export class ClientQuotaStore {
  private quotas: Quotas = new Map();
  private saving: Promise<unknown> = Promise.resolve();
  /** Bumped on every change, so readers can cache what they derived from the values. */
  generation = 0;

  private constructor(private readonly file: string | undefined) {}

  /** Loads the quotas of `dataDir`; with no data dir (an in-memory broker) they live in memory only. */
  static async open(dataDir: string | undefined): Promise<ClientQuotaStore> {
    const store = new ClientQuotaStore(dataDir ? join(dataDir, QUOTA_FILE) : undefined);
    if (!store.file) return store;
    let text: string;
    try {
      text = await readFile(store.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw err;
    }
    const saved = JSON.parse(text) as { quotas: { entity: QuotaEntity; values: Record<string, number> }[] };
    for (const { entity, values } of saved.quotas) store.quotas.set(entityKey(entity), new Map(Object.entries(values)));
    return store;
  }

  /** The value of `key` on exactly this entity, if set. */
  get(key: string, entity: string): number | undefined {
    return this.quotas.get(entity)?.get(key);
  }

  /** Whether any entity has `key` set. */
  has(key: string): boolean {
    for (const values of this.quotas.values()) if (values.has(key)) return true;
    return false;
  }

  /** DescribeClientQuotas: the entities matching every filter component (ClientQuotasImage.describe). */
  describe(components: readonly FilterComponent[], strict: boolean): DescribedQuotas[] {
    const exact = new Map<string, string | null>();
    const specified = new Set<string>();
    for (const c of components) {
      if (c.entityType === '') throw new QuotaFilterError(ErrorCode.INVALID_REQUEST, 'Invalid empty entity type.');
      if (exact.has(c.entityType) || specified.has(c.entityType)) {
        throw new QuotaFilterError(ErrorCode.INVALID_REQUEST, `Entity type ${c.entityType} cannot appear more than once in the filter.`);
      }
      if (!ENTITY_TYPES.includes(c.entityType)) {
        throw new QuotaFilterError(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${c.entityType}`);
      }
      if (c.matchType === MatchType.EXACT) {
        if (c.match === null) throw new QuotaFilterError(ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.');
        exact.set(c.entityType, c.match);
      } else if (c.matchType === MatchType.DEFAULT || c.matchType === MatchType.SPECIFIED) {
        if (c.match !== null) throw new QuotaFilterError(ErrorCode.INVALID_REQUEST, `Request specified ${c.matchType === MatchType.DEFAULT ? 'MATCH_TYPE_DEFAULT' : 'MATCH_TYPE_SPECIFIED'}, but also specified a match string.`);
        if (c.matchType === MatchType.DEFAULT) exact.set(c.entityType, null);
        else specified.add(c.entityType);
      } else {
        throw new QuotaFilterError(ErrorCode.INVALID_REQUEST, `Unknown match type ${c.matchType}`);
      }
    }
    const names = (t: string) => exact.has(t) || specified.has(t);
    if (names(IP) && (names(USER) || names(CLIENT_ID))) {
      throw new QuotaFilterError(ErrorCode.INVALID_REQUEST, 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.');
    }
    const out: DescribedQuotas[] = [];
    for (const [key, values] of this.quotas) {
      const entity = entityOf(key);
      const types = Object.keys(entity);
      if (strict && types.length !== exact.size + specified.size) continue;
      if ([...exact].some(([t, name]) => !(t in entity) || entity[t] !== name)) continue;
      if ([...specified].some((t) => !(t in entity))) continue;
      out.push({ entity: pairsOf(entity), values: [...values].map(([k, value]) => ({ key: k, value })) });
    }
    return out;
  }

  /**
   * AlterClientQuotas: validates each entry on its own (ClientQuotaControlManager), then writes
   * the valid changes and applies them, unless `validateOnly`. One result per distinct entity.
   */
  alter(alterations: readonly QuotaAlteration[], validateOnly: boolean): Promise<AlterationResult[]> {
    const run = this.saving.then(() => this.applyAlterations(alterations, validateOnly));
    this.saving = run.catch(() => {});
    return run;
  }

  private async applyAlterations(alterations: readonly QuotaAlteration[], validateOnly: boolean): Promise<AlterationResult[]> {
    const next: Quotas = new Map([...this.quotas].map(([k, v]) => [k, new Map(v)]));
    const results = new Map<string, AlterationResult>();
    const fail = (key: string, entity: EntityPair[], message: string) =>
      results.set(key, { entity, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message });
    for (const { entity: pairs, ops } of alterations) {
      const parsed = parseEntity(pairs);
      const echo = pairs.map((p) => ({ entityType: p.entityType, entityName: p.entityName }));
      if (typeof parsed === 'string') {
        fail(JSON.stringify(echo), echo, parsed);
        continue;
      }
      const key = entityKey(parsed);
      if (results.has(key)) {
        fail(key, echo, `Ignoring duplicate entity ${describeEntity(parsed)}`);
        continue;
      }
      const error = this.changeEntity(next, key, parsed, ops);
      if (error) fail(key, echo, error);
      else results.set(key, { entity: echo, errorCode: ErrorCode.NONE, errorMessage: null });
    }
    if (!validateOnly) {
      await this.save(next);
      this.quotas = next;
      this.generation++;
    }
    return [...results.values()];
  }

  /** Applies one entity's ops to `next`, or says why they are invalid (then `next` is untouched). */
  private changeEntity(next: Quotas, key: string, entity: QuotaEntity, ops: QuotaAlteration['ops']): string | null {
    const seen = new Set<string>();
    for (const op of ops) {
      if (seen.has(op.key)) return `Duplicate quota key ${op.key} not updating quota for this entity ${describeEntity(entity)}`;
      seen.add(op.key);
      if (!op.remove) {
        const invalid = invalidQuotaValue(entity, op.key, op.value);
        if (invalid) return invalid;
      }
    }
    const values = new Map(next.get(key));
    for (const op of ops) {
      if (op.remove) values.delete(op.key);
      else values.set(op.key, op.value);
    }
    if (values.size === 0) next.delete(key);
    else next.set(key, values);
    return null;
  }

  private async save(quotas: Quotas): Promise<void> {
    if (!this.file) return;
    const entries = [...quotas].map(([key, values]) => ({ entity: entityOf(key), values: Object.fromEntries(values) }));
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, quotas: entries }) + '\n');
  }
}

function pairsOf(entity: QuotaEntity): EntityPair[] {
  return Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName: entityName ?? null }));
}

/** "user=alice, client-id=<default>": how Kafka's tools print an entity. */
export function describeEntity(entity: QuotaEntity): string {
  return Object.entries(entity).map(([t, n]) => `${t}=${n ?? '<default>'}`).join(', ');
}
