/**
 * Client quota entities and keys: what `kafka-configs --entity-type users --entity-name alice
 * --alter --add-config producer_byte_rate=1024` names (Kafka's ClientQuotaEntity and QuotaConfig).
 *
 * An entity names a user, a client id, both, or an IP address; a name of null is the `<default>`
 * entity of its type (`--entity-default`). Each kind of entity accepts its own quota keys.
 */
import { isIP } from 'node:net';

export const USER = 'user';
export const CLIENT_ID = 'client-id';
export const IP = 'ip';
export const ENTITY_TYPES: readonly string[] = [USER, CLIENT_ID, IP];

/** Entity type → name, or null for the type's default entity. Only the types present are named. */
export type QuotaEntity = Readonly<Partial<Record<string, string | null>>>;

export const PRODUCER_BYTE_RATE = 'producer_byte_rate';
export const CONSUMER_BYTE_RATE = 'consumer_byte_rate';
export const REQUEST_PERCENTAGE = 'request_percentage';
export const CONTROLLER_MUTATION_RATE = 'controller_mutation_rate';
export const CONNECTION_CREATION_RATE = 'connection_creation_rate';

type QuotaKeyType = 'LONG' | 'DOUBLE' | 'INT';

/** The keys of user and client-id entities, typed as in Kafka's QuotaConfig. */
const USER_CLIENT_KEYS: Readonly<Record<string, QuotaKeyType>> = {
  [PRODUCER_BYTE_RATE]: 'LONG',
  [CONSUMER_BYTE_RATE]: 'LONG',
  [REQUEST_PERCENTAGE]: 'DOUBLE',
  [CONTROLLER_MUTATION_RATE]: 'DOUBLE',
};
const IP_KEYS: Readonly<Record<string, QuotaKeyType>> = { [CONNECTION_CREATION_RATE]: 'INT' };

/** A canonical string for an entity (its types in a fixed order; absent, default and named differ). */
export function entityKey(entity: QuotaEntity): string {
  return JSON.stringify(ENTITY_TYPES.map((t) => (entity[t] === undefined ? 0 : entity[t])));
}

/** The entity of a key made by entityKey. */
export function entityOf(key: string): QuotaEntity {
  const parts = JSON.parse(key) as (string | null | 0)[];
  const out: Record<string, string | null> = {};
  ENTITY_TYPES.forEach((t, i) => {
    if (parts[i] !== 0) out[t] = parts[i] as string | null;
  });
  return out;
}

/** Why a list of (type, name) pairs is not a valid entity for AlterClientQuotas, or the entity. */
export function parseEntity(pairs: readonly { entityType: string; entityName: string | null }[]): QuotaEntity | string {
  if (pairs.length === 0) return 'Invalid empty client quota entity';
  const out: Record<string, string | null> = {};
  for (const { entityType, entityName } of pairs) {
    if (Object.hasOwn(out, entityType)) return `Invalid client quota entity, duplicate entity entry ${entityType}`;
    if (!ENTITY_TYPES.includes(entityType)) return `Unhandled client quota entity type: ${entityType}`;
    if (entityName === '') return `Empty ${entityType} not supported`;
    out[entityType] = entityName;
  }
  if (out[IP] !== undefined) {
    if (out[USER] !== undefined || out[CLIENT_ID] !== undefined) {
      return 'Invalid quota entity combination, IP entity should not be combined with User or ClientId';
    }
    // Kafka also accepts a resolvable host name; Tafka takes addresses only (no DNS in a request).
    if (out[IP] !== null && !isIP(out[IP]!)) return `${out[IP]} is not a valid IP or resolvable host.`;
  }
  return out;
}

/** Why `value` is not acceptable for `key` on `entity` (ClientQuotaControlManager), or null. */
export function invalidQuotaValue(entity: QuotaEntity, key: string, value: number): string | null {
  const keys = entity[IP] !== undefined ? IP_KEYS : USER_CLIENT_KEYS;
  const type = Object.hasOwn(keys, key) ? keys[key] : undefined;
  if (!type) return `Invalid configuration key ${key}`;
  if (!(value > 0)) return `Quota ${key} must be greater than 0`;
  if (type === 'INT' && value > 2147483647) return `Proposed value for ${key} is too large for an INT.`;
  if (type === 'LONG' && value > 2 ** 63) return `Proposed value for ${key} is too large for a LONG.`;
  if (type !== 'DOUBLE' && Math.abs(value % 1) > 1e-6) return `${key} cannot be a fractional value.`;
  return null;
}
