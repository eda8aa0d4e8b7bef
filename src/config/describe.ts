/**
 * Values in force and where they come from, as DescribeConfigs (and CreateTopics) report them:
 * a topic config's override, else its broker synonyms in Kafka's order, else its default; and the
 * synonym lists Kafka's ConfigHelper builds. Everything is read from the rows in broker-keys.ts and
 * topic-keys.ts.
 */
import { ACCEPTED_BROKER_KEYS, brokerKey, type BrokerKey } from './broker-keys.js';
import type { BrokerConfig, DynamicScope } from './broker-config.js';
import { ConfigType, LONG_MAX, type ConfigTypeName } from './definition.js';
import { TOPIC_CONFIGS, topicConfigNames, topicKey } from './topic-keys.js';

/** Where a described value comes from (DescribeConfigsResponse.ConfigSource), highest precedence first. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** One entry of a DescribeConfigs synonym list. */
export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
}

export interface DescribedConfig {
  readonly name: string;
  readonly value: string;
  readonly source: number;
  readonly synonyms: ConfigSynonym[];
}

/** A topic config's DescribeConfigs type id (ConfigType). */
export function typeIdOf(name: string): number {
  const def = topicKey(name);
  return def ? ConfigType[def.type] : ConfigType.UNKNOWN;
}

/**
 * The type id DescribeConfigs gives a broker key. Kafka gives the key's own type. Tafka has always
 * given a key that stands for a topic config that config's type (so log.retention.hours shows
 * LONG, as retention.ms), SHORT as INT and a LIST it takes as plain text as STRING; this is kept
 * while the config table is being unified, so that the answers stay byte for byte the same.
 */
export function brokerTypeIdOf(name: string): number {
  const topic = Object.values(TOPIC_CONFIGS).find((d) => d.synonyms?.some(([n]) => n === name));
  if (topic) return ConfigType[topic.type];
  const type = brokerKey(name)?.type;
  if (type === undefined) return ConfigType.UNKNOWN;
  const shown: Partial<Record<ConfigTypeName, ConfigTypeName>> = { SHORT: 'INT', LIST: 'STRING' };
  return ConfigType[shown[type] ?? type];
}

// ----------------------------------------------------------------------------- broker side

const printed = (v: number | boolean | string | null): string | null =>
  v === null ? null : typeof v === 'number' && v >= Number.MAX_SAFE_INTEGER ? LONG_MAX : String(v);

/** A name whose value DescribeConfigs never shows: one Kafka does not know, or a PASSWORD. */
function isSensitive(name: string): boolean {
  const type = brokerKey(name)?.type;
  return type === undefined || type === 'PASSWORD';
}

/** A broker key's value in force, as Kafka prints it, or null when unset, unknown or a secret. */
function brokerValue(config: BrokerConfig, name: string): string | null {
  return isSensitive(name) ? null : printed(config.get(name as BrokerKey));
}

/** A broker key's static value (server.properties, an override), as Kafka prints it. */
const staticValue = (config: BrokerConfig, name: string): string | null => (isSensitive(name) ? null : printed(config.staticValue(name)));

/** A broker key's default, as Kafka prints it, or null when it has none. */
const brokerDefault = (name: string): string | null => brokerKey(name)?.default ?? null;

/**
 * Kafka's synonym list for one broker key (ConfigHelper.configSynonyms): every name of the chain
 * that is set, by source in precedence order — this broker's dynamic value, the cluster-wide dynamic
 * default, the static setting, the default (a key set at several levels is listed at each) — then
 * everything before `name` itself dropped. A name Kafka does not know is sensitive: no value.
 */
export function brokerSynonyms(config: BrokerConfig, name: string, chain: readonly string[] = brokerChain(name)): ConfigSynonym[] {
  const out: ConfigSynonym[] = [];
  const dynamic: [DynamicScope, number][] = [['this-broker', ConfigSource.DYNAMIC_BROKER_CONFIG], ['cluster-default', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG]];
  for (const [scope, source] of dynamic) {
    for (const n of chain) {
      const value = config.dynamic(scope).get(n);
      if (value !== undefined) out.push({ name: n, value: isSensitive(n) ? null : value, source });
    }
  }
  for (const n of chain) {
    if (config.explicit.has(n)) out.push({ name: n, value: staticValue(config, n), source: ConfigSource.STATIC_BROKER_CONFIG });
  }
  for (const n of chain) {
    const value = brokerDefault(n);
    if (value !== null) out.push({ name: n, value, source: ConfigSource.DEFAULT_CONFIG });
  }
  // Kafka keeps only the part from the asked-for name on: a retention that comes from
  // log.retention.hours is not listed under log.retention.ms.
  const first = out.findIndex((s) => s.name === name);
  return first < 0 ? [] : out.slice(first);
}

/** The broker names that stand for one setting (DynamicBrokerConfig.brokerConfigSynonyms). */
export function brokerChain(name: string): string[] {
  for (const def of Object.values(TOPIC_CONFIGS)) {
    const names = def.synonyms?.map(([n]) => n) ?? [];
    if (names.length > 1 && names.includes(name)) return names;
  }
  return [name];
}

/** A broker config as DescribeConfigs reports it. */
export interface DescribedBrokerConfig {
  readonly name: string;
  /** Null when unset, or sensitive. */
  readonly value: string | null;
  readonly source: number;
  readonly synonyms: ConfigSynonym[];
  /** Not changeable at runtime (not dynamic in Kafka), or a name Kafka does not know. */
  readonly readOnly: boolean;
  /** A PASSWORD, or a name Kafka does not know, whose type it cannot tell: Kafka then treats the value as a secret. */
  readonly sensitive: boolean;
}

/**
 * The broker configs DescribeConfigs lists for a BROKER resource, in name order: for this broker
 * every key Tafka accepts plus any other with a dynamic value, with its value in force; for the
 * cluster-wide default ("") only the keys set there, with their synonyms from that level alone
 * (Kafka's ConfigHelper.createBrokerConfigEntry).
 */
export function describeBrokerConfigs(config: BrokerConfig, scope: DynamicScope): DescribedBrokerConfig[] {
  if (scope === 'cluster-default') {
    return [...config.dynamic('cluster-default').keys()].sort((a, b) => a.localeCompare(b)).map((name) => {
      const synonyms = brokerSynonyms(config, name).filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
      return { ...flags(name), name, value: synonyms[0]?.value ?? null, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, synonyms };
    });
  }
  const names = new Set<string>([...ACCEPTED_BROKER_KEYS, ...config.dynamic('this-broker').keys(), ...config.dynamic('cluster-default').keys()]);
  return [...names].sort((a, b) => a.localeCompare(b)).map((name) => {
    const synonyms = brokerSynonyms(config, name);
    const value = brokerValue(config, name);
    return {
      ...flags(name),
      name,
      value: value === null ? null : (synonyms.find((s) => s.name === name)?.value ?? value),
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      synonyms,
    };
  });
}

const flags = (name: string) => ({ readOnly: brokerKey(name)?.dynamic === undefined, sensitive: isSensitive(name) });

// ----------------------------------------------------------------------------- topic side

/**
 * One topic config as DescribeConfigs reports it (ConfigHelper.createTopicConfigEntry): the topic's
 * own override first, then the synonyms of its primary broker key; the source is the first of
 * those, or DEFAULT_CONFIG when there is none.
 */
export function describeTopicConfig(config: BrokerConfig, overrides: Readonly<Record<string, string>>, name: string): DescribedConfig {
  const def = topicKey(name)!;
  const primary = def.synonyms?.[0]?.[0];
  const synonyms = primary ? brokerSynonyms(config, primary, def.synonyms!.map(([n]) => n)) : [];
  const override = overrides[name];
  if (override !== undefined) synonyms.unshift({ name, value: override, source: ConfigSource.TOPIC_CONFIG });
  return {
    name,
    value: effectiveTopicConfig(config, overrides, name),
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    synonyms,
  };
}

/**
 * The value in force: the topic's override, else the first broker synonym that has a value (in
 * Kafka's order, so log.retention.ms beats .minutes beats .hours), else Kafka's topic default.
 */
export function effectiveTopicConfig(config: BrokerConfig, overrides: Readonly<Record<string, string>>, name: string): string {
  const override = overrides[name];
  if (override !== undefined) return override;
  const def = topicKey(name)!;
  for (const [broker, factor] of def.synonyms ?? []) {
    const v = brokerValue(config, broker);
    if (v === null) continue;
    if (factor === 1) return v;
    const ms = BigInt(v) * BigInt(factor);
    return ms > BigInt(LONG_MAX) ? LONG_MAX : ms.toString();
  }
  return def.default;
}

/** Every topic config's value in force for a topic. */
export function effectiveTopicConfigs(config: BrokerConfig, overrides: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of topicConfigNames()) out[name] = effectiveTopicConfig(config, overrides, name);
  return out;
}
