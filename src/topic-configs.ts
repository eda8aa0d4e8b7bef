/**
 * Kafka's topic configs, in one table: name, type, default, validation, and the broker configs
 * ("synonyms") a topic falls back to when it has no override of its own. CreateTopics, DescribeConfigs,
 * AlterConfigs and IncrementalAlterConfigs all read this table, so they can never disagree.
 *
 * The names, types, defaults and ranges are Kafka 4.x's (LogConfig), and the synonym chains are
 * ServerTopicConfigSynonyms'. A config marked `live` changes how Tafka's log behaves the moment it is
 * altered; the others are validated, stored and described exactly as Kafka would, but have nothing to
 * act on in a single-node broker without compaction, replication or tiered storage.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { DEFINITIONS, type BrokerConfig } from './config.js';

/** Kafka's ConfigDef types, numbered as DescribeConfigs v3+ reports them (ConfigType). */
export const ConfigType = { UNKNOWN: 0, BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as const;
type TypeName = 'BOOLEAN' | 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'LIST';

/** Where a described value comes from (DescribeConfigsResponse.ConfigSource), highest precedence first. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** Kafka's Long.MAX_VALUE as Kafka prints it. Tafka's numbers stop at MAX_SAFE_INTEGER, which means the same. */
const LONG_MAX = '9223372036854775807';
const INT_MAX = 2147483647;

interface Definition {
  readonly type: TypeName;
  /** Kafka's default, as ConfigDef.convertToString prints it. */
  readonly default: string;
  /** Numeric bounds (ConfigDef.Range) or the allowed strings / list items (ValidString, ValidList). */
  readonly min?: number;
  readonly max?: number;
  readonly oneOf?: readonly string[];
  /** A value accepted outside min..max (gzip's -1, "the codec's default"). */
  readonly alsoAllowed?: number;
  /** Broker configs that supply the default, in Kafka's order, with the factor that turns them into this config's unit. */
  readonly synonyms?: readonly (readonly [name: string, factor: number])[];
  /** Tafka's log acts on it (through src/log/config.ts). */
  readonly live?: boolean;
}

const HOUR = 3_600_000;
const same = (name: string): [string, number][] => [[name, 1]];
const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'];
const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];

export const TOPIC_CONFIGS: Readonly<Record<string, Definition>> = {
  'cleanup.policy': { type: 'LIST', default: 'delete', oneOf: ['compact', 'delete'], synonyms: same('log.cleanup.policy') },
  'compression.gzip.level': { type: 'INT', default: '-1', min: 1, max: 9, alsoAllowed: -1, synonyms: same('compression.gzip.level') },
  'compression.lz4.level': { type: 'INT', default: '9', min: 1, max: 17, synonyms: same('compression.lz4.level') },
  'compression.type': { type: 'STRING', default: 'producer', oneOf: COMPRESSION_TYPES, synonyms: same('compression.type') },
  'compression.zstd.level': { type: 'INT', default: '3', min: -131072, max: 22, synonyms: same('compression.zstd.level') },
  'delete.retention.ms': { type: 'LONG', default: '86400000', min: 0, synonyms: same('log.cleaner.delete.retention.ms') },
  'file.delete.delay.ms': { type: 'LONG', default: '60000', min: 0, synonyms: same('log.segment.delete.delay.ms'), live: true },
  'flush.messages': { type: 'LONG', default: LONG_MAX, min: 1, synonyms: same('log.flush.interval.messages'), live: true },
  'flush.ms': {
    type: 'LONG', default: LONG_MAX, min: 0, live: true,
    synonyms: [['log.flush.interval.ms', 1], ['log.flush.scheduler.interval.ms', 1]],
  },
  'follower.replication.throttled.replicas': { type: 'LIST', default: '' },
  'index.interval.bytes': { type: 'INT', default: '4096', min: 0, synonyms: same('log.index.interval.bytes'), live: true },
  'leader.replication.throttled.replicas': { type: 'LIST', default: '' },
  'local.retention.bytes': { type: 'LONG', default: '-2', min: -2, synonyms: same('log.local.retention.bytes') },
  'local.retention.ms': { type: 'LONG', default: '-2', min: -2, synonyms: same('log.local.retention.ms') },
  'max.compaction.lag.ms': { type: 'LONG', default: LONG_MAX, min: 1, synonyms: same('log.cleaner.max.compaction.lag.ms') },
  'max.message.bytes': { type: 'INT', default: '1048588', min: 0, synonyms: same('message.max.bytes'), live: true },
  'message.timestamp.after.max.ms': { type: 'LONG', default: '3600000', min: 0, synonyms: same('log.message.timestamp.after.max.ms') },
  'message.timestamp.before.max.ms': { type: 'LONG', default: LONG_MAX, min: 0, synonyms: same('log.message.timestamp.before.max.ms') },
  'message.timestamp.type': { type: 'STRING', default: 'CreateTime', oneOf: TIMESTAMP_TYPES, synonyms: same('log.message.timestamp.type'), live: true },
  'min.cleanable.dirty.ratio': { type: 'DOUBLE', default: '0.5', min: 0, max: 1, synonyms: same('log.cleaner.min.cleanable.ratio') },
  'min.compaction.lag.ms': { type: 'LONG', default: '0', min: 0, synonyms: same('log.cleaner.min.compaction.lag.ms') },
  'min.insync.replicas': { type: 'INT', default: '1', min: 1, synonyms: same('min.insync.replicas') },
  'preallocate': { type: 'BOOLEAN', default: 'false', synonyms: same('log.preallocate') },
  'remote.log.copy.disable': { type: 'BOOLEAN', default: 'false' },
  'remote.log.delete.on.disable': { type: 'BOOLEAN', default: 'false' },
  'remote.storage.enable': { type: 'BOOLEAN', default: 'false' },
  'retention.bytes': { type: 'LONG', default: '-1', synonyms: same('log.retention.bytes'), live: true },
  'retention.ms': {
    type: 'LONG', default: '604800000', min: -1, live: true,
    synonyms: [['log.retention.ms', 1], ['log.retention.minutes', 60_000], ['log.retention.hours', HOUR]],
  },
  'segment.bytes': { type: 'INT', default: '1073741824', min: 1024 * 1024, synonyms: same('log.segment.bytes'), live: true },
  'segment.index.bytes': { type: 'INT', default: '10485760', min: 4, synonyms: same('log.index.size.max.bytes'), live: true },
  'segment.jitter.ms': { type: 'LONG', default: '0', min: 0, synonyms: [['log.roll.jitter.ms', 1], ['log.roll.jitter.hours', HOUR]] },
  'segment.ms': { type: 'LONG', default: '604800000', min: 1, synonyms: [['log.roll.ms', 1], ['log.roll.hours', HOUR]], live: true },
  'unclean.leader.election.enable': { type: 'BOOLEAN', default: 'false', synonyms: same('unclean.leader.election.enable') },
};

/** Kafka's defaults for the broker synonyms that Tafka's own config (src/config.ts) does not define. */
const KAFKA_ONLY_BROKER_DEFAULTS: Readonly<Record<string, string | null>> = {
  'compression.type': 'producer',
  'compression.gzip.level': '-1',
  'compression.lz4.level': '9',
  'compression.zstd.level': '3',
  'log.cleaner.delete.retention.ms': '86400000',
  'log.cleaner.max.compaction.lag.ms': LONG_MAX,
  'log.cleaner.min.cleanable.ratio': '0.5',
  'log.cleaner.min.compaction.lag.ms': '0',
  'log.flush.scheduler.interval.ms': LONG_MAX,
  'log.local.retention.bytes': '-2',
  'log.local.retention.ms': '-2',
  'log.message.timestamp.after.max.ms': '3600000',
  'log.message.timestamp.before.max.ms': LONG_MAX,
  'log.preallocate': 'false',
  'log.roll.jitter.hours': '0',
  'log.roll.jitter.ms': null,
  'log.segment.delete.delay.ms': '60000',
  'unclean.leader.election.enable': 'false',
};

export const topicConfigNames = (): string[] => Object.keys(TOPIC_CONFIGS).sort();

export function typeIdOf(name: string): number {
  const def = TOPIC_CONFIGS[name];
  return def ? ConfigType[def.type] : ConfigType.UNKNOWN;
}

const invalid = (name: string, value: string, why: string) =>
  new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${name}: ${why}`);

/**
 * Parses and checks one value as Kafka's ConfigDef would, returning it in Kafka's printed form
 * (what DescribeConfigs shows and what is stored). Throws KafkaError 40 INVALID_CONFIG naming the key.
 */
export function normalizeTopicConfig(name: string, value: string | null): string {
  const def = TOPIC_CONFIGS[name];
  if (!def) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
  if (value === null) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${name}`);
  const text = value.trim();
  const inRange = (n: number, printed: string): string => {
    if (n === def.alsoAllowed) return printed;
    if (def.min !== undefined && n < def.min) throw invalid(name, value, `Value must be at least ${def.min}`);
    if (def.max !== undefined && n > def.max) throw invalid(name, value, `Value must be no more than ${def.max}`);
    return printed;
  };
  switch (def.type) {
    case 'INT':
    case 'LONG': {
      if (!/^[+-]?\d+$/.test(text)) throw invalid(name, value, `Not a number of type ${def.type}`);
      const big = BigInt(text);
      const limit = def.type === 'INT' ? BigInt(INT_MAX) : BigInt(LONG_MAX);
      if (big > limit || big < -limit - 1n) throw invalid(name, value, `Not a number of type ${def.type}`);
      return inRange(Number(big), big.toString());
    }
    case 'DOUBLE': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) throw invalid(name, value, 'Not a number of type DOUBLE');
      return inRange(n, String(n));
    }
    case 'BOOLEAN': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw invalid(name, value, 'Expected value to be either true or false');
      return lower;
    }
    case 'STRING':
      if (def.oneOf && !def.oneOf.includes(text)) throw invalid(name, value, `String must be one of: ${def.oneOf.join(', ')}`);
      return text;
    case 'LIST': {
      const items = text === '' ? [] : text.split(',').map((s) => s.trim());
      for (const item of items) {
        if (def.oneOf && !def.oneOf.includes(item)) throw invalid(name, value, `String must be one of: ${def.oneOf.join(', ')}`);
      }
      return items.join(',');
    }
  }
}

/** Validates a whole set of overrides (CreateTopics, AlterConfigs), returning them normalized. */
export function normalizeTopicConfigs(configs: Iterable<{ name: string; value: string | null }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, value } of configs) out[name] = normalizeTopicConfig(name, value);
  return out;
}

// ----------------------------------------------------------------------------- broker side

const printed = (v: number | boolean | string | null): string | null =>
  v === null ? null : typeof v === 'number' && v >= Number.MAX_SAFE_INTEGER ? LONG_MAX : String(v);

/** A broker config value in force, as Kafka prints it, or null when unset. */
function brokerValue(config: BrokerConfig, name: string): string | null {
  if (!(name in DEFINITIONS)) return KAFKA_ONLY_BROKER_DEFAULTS[name] ?? null;
  return printed(config.get(name as keyof typeof DEFINITIONS) as number | boolean | string | null);
}

/** A broker config's default, as Kafka prints it, or null when it has none. */
function brokerDefault(name: string): string | null {
  const def = (DEFINITIONS as Record<string, { default: number | boolean | string | null }>)[name];
  return def ? printed(def.default) : (KAFKA_ONLY_BROKER_DEFAULTS[name] ?? null);
}

export interface Synonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
}

/**
 * Kafka's synonym list for one broker config (ConfigHelper.configSynonyms): every name of the chain
 * that is set, static settings before defaults (a key set statically is listed twice, with its default
 * too), then everything before `name` itself dropped. Tafka
 * has no dynamic broker configs, so only STATIC_BROKER_CONFIG and DEFAULT_CONFIG ever appear.
 */
export function brokerSynonyms(config: BrokerConfig, name: string, chain: readonly string[] = brokerChain(name)): Synonym[] {
  const out: Synonym[] = [];
  for (const n of chain) {
    if (config.explicit.has(n)) out.push({ name: n, value: brokerValue(config, n), source: ConfigSource.STATIC_BROKER_CONFIG });
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

export interface DescribedConfig {
  readonly name: string;
  readonly value: string;
  readonly source: number;
  readonly synonyms: Synonym[];
}

/**
 * One topic config as DescribeConfigs reports it (ConfigHelper.createTopicConfigEntry): the topic's
 * own override first, then the synonyms of its primary broker config; the source is the first of
 * those, or DEFAULT_CONFIG when there is none.
 */
export function describeTopicConfig(config: BrokerConfig, overrides: Readonly<Record<string, string>>, name: string): DescribedConfig {
  const def = TOPIC_CONFIGS[name]!;
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
  const def = TOPIC_CONFIGS[name]!;
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
