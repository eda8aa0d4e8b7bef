/**
 * The shape of one configuration key, as the tables in broker-keys.ts and topic-keys.ts write it.
 *
 * Every Kafka fact about a key lives in its one row: the Kafka ConfigDef type, Kafka's default as
 * Kafka prints it, the validator, and (for a topic key) the broker keys it falls back to. Everything
 * else (the broker config object, topic-config validation, DescribeConfigs, the log's typed
 * settings) is derived from the rows, so two parts of Tafka cannot disagree about a key.
 */

/** Kafka's ConfigDef types, numbered as DescribeConfigs v3+ reports them (ConfigType). */
export const ConfigType = { UNKNOWN: 0, BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as const;
/** PASSWORD: text Kafka never shows (DescribeConfigs answers it as sensitive, with no value). */
export type ConfigTypeName = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'PASSWORD';

/** Kafka's Long.MAX_VALUE as Kafka prints it ("never", "unlimited"). */
export const LONG_MAX = '9223372036854775807';
export const INT_MAX = 2147483647;

/** What every key has, broker or topic. */
export interface KeyDefinition {
  readonly type: ConfigTypeName;
  /** Kafka's default as ConfigDef prints it; null when the key has none (it is then unset). */
  readonly default: string | null;
  /** The validator: numeric bounds (ConfigDef.Range) ... */
  readonly min?: number;
  readonly max?: number;
  /** ... or the allowed strings (STRING: ValidString) or list items (LIST: ValidList) ... */
  readonly oneOf?: readonly string[];
  /** ... and a value accepted outside min..max (gzip's -1, "the codec's own default"). */
  readonly alsoAllowed?: number;
  /** Accepted, validated, stored and described as Kafka does, but nothing in Tafka acts on it. */
  readonly inert?: true;
  /** One line on what the key does, in Tafka's words. */
  readonly doc: string;
}

/**
 * Whether a broker key can change while the broker runs (Kafka's DynamicBrokerConfig): for one
 * broker only, or also as a cluster-wide default. A key without it is read-only: AlterConfigs on a
 * BROKER resource refuses it (src/config/dynamic.ts).
 */
export type DynamicMode = 'per-broker' | 'cluster-wide';

/**
 * Whether a broker key may also be given for one listener (Kafka's ListenerName.configPrefix):
 * `listener.name.<listener>.<key>`, or for one SASL mechanism on one listener,
 * `listener.name.<listener>.<mechanism>.<key>` (Kafka's saslMechanismConfigPrefix), both in lower
 * case. The scoped value wins over the plain key where Kafka reads it scoped (src/config/listener-keys.ts).
 */
export type ListenerScope = 'listener' | 'mechanism';

export interface BrokerKeyDefinition extends KeyDefinition {
  readonly dynamic?: DynamicMode;
  readonly scope?: ListenerScope;
  /**
   * A Kafka broker key Tafka does not accept at start-up: it is defined only because a topic key
   * falls back to it, so DescribeConfigs can show its default among the synonyms as Kafka does.
   */
  readonly synonymOnly?: true;
}

/** A broker key a topic key falls back to, and the factor that turns its unit into the topic key's. */
export type Synonym = readonly [brokerKey: string, factor: number];

export interface TopicKeyDefinition extends KeyDefinition {
  /** Every topic key has a default. */
  readonly default: string;
  /** The broker keys that supply the default, highest precedence first (ServerTopicConfigSynonyms). */
  readonly synonyms?: readonly Synonym[];
  /** A field of the log's LogConfig (src/config/log-config.ts): the log acts on a change at once. */
  readonly live?: true;
}

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
