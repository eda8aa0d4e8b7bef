/**
 * Listener-scoped config names, as Kafka reads them (ListenerName.configPrefix and
 * saslMechanismConfigPrefix):
 *
 *   listener.name.sasl_ssl.ssl.client.auth=required                         (one listener)
 *   listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=...               (one mechanism on one listener)
 *
 * The listener name and the mechanism are written in lower case. Which keys may be scoped, and how,
 * is a property of the key's row (`scope` in broker-keys.ts); a scoped name is valid exactly when
 * its last part is such a key, and is typed and checked by that row.
 */
import type { BrokerKeyDefinition } from './definition.js';

export interface ScopedKey {
  /** The listener, in lower case as written. */
  readonly listener: string;
  /** The SASL mechanism, in lower case, for `mechanism`-scoped keys. */
  readonly mechanism?: string;
  /** The plain key the scoped one overrides. */
  readonly key: string;
  readonly def: BrokerKeyDefinition;
}

const PREFIX = 'listener.name.';

/** The parts of a scoped name, or undefined when `name` is not one (or names no scopable key). */
export function parseScopedKey(name: string, rowOf: (key: string) => BrokerKeyDefinition | undefined): ScopedKey | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const rest = name.slice(PREFIX.length);
  const dot = rest.indexOf('.');
  if (dot <= 0) return undefined;
  const listener = rest.slice(0, dot);
  const tail = rest.slice(dot + 1);
  const plain = rowOf(tail);
  if (plain?.scope) return { listener, key: tail, def: plain };
  // A mechanism name has no dot (PLAIN, SCRAM-SHA-256, OAUTHBEARER, GSSAPI).
  const m = /^([a-z0-9_-]+)\.(.+)$/.exec(tail);
  const def = m ? rowOf(m[2]) : undefined;
  if (m && def?.scope === 'mechanism') return { listener, mechanism: m[1], key: m[2], def };
  return undefined;
}

/** The scoped name Kafka reads for `key` on `listener` (and `mechanism`). */
export function scopedKeyName(listener: string, key: string, mechanism?: string): string {
  return `${PREFIX}${listener.toLowerCase()}.${mechanism ? `${mechanism.toLowerCase()}.` : ''}${key}`;
}
