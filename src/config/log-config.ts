/**
 * The log's typed settings (LogConfig), derived from the config table: each field follows one
 * `live` topic key, whose broker synonyms supply the broker-wide value. A partition log runs under
 * the broker's values with its topic's overrides on top (`topicLogConfig`).
 */
import { BrokerConfig } from './broker-config.js';
import { TOPIC_CONFIGS } from './topic-keys.js';

export interface LogConfig {
  /** segment.bytes (log.segment.bytes): roll when the active segment would exceed this. */
  segmentBytes: number;
  /** segment.ms (log.roll.ms, log.roll.hours): roll when the segment spans more time than this. */
  segmentMs: number;
  /** index.interval.bytes (log.index.interval.bytes): bytes between sparse index entries. */
  indexIntervalBytes: number;
  /** segment.index.bytes (log.index.size.max.bytes): roll when an index reaches this size. */
  maxIndexSize: number;
  /** retention.ms (log.retention.ms, .minutes, .hours); -1 = forever. */
  retentionMs: number;
  /** retention.bytes (log.retention.bytes), per partition; -1 = unlimited. */
  retentionBytes: number;
  /** flush.messages (log.flush.interval.messages): fsync after this many messages. */
  flushIntervalMessages: number;
  /** flush.ms (log.flush.interval.ms): fsync when unflushed data is older than this. */
  flushIntervalMs: number;
  /** max.message.bytes (message.max.bytes): largest batch accepted. */
  maxMessageBytes: number;
  /** message.timestamp.type (log.message.timestamp.type). */
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** message.timestamp.before.max.ms (log.message.timestamp.before.max.ms): how far in the past a CreateTime record may be; NEVER = unbounded. */
  messageTimestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms (log.message.timestamp.after.max.ms): how far in the future a CreateTime record may be. */
  messageTimestampAfterMaxMs: number;
  /** file.delete.delay.ms (log.segment.delete.delay.ms): how long a `.deleted` segment lingers so in-flight reads finish. */
  fileDeleteDelayMs: number;
  /** producer.id.expiration.ms (broker-wide only): idempotent-producer state idle this long is dropped. */
  producerIdExpirationMs: number;
  /** cleanup.policy (log.cleanup.policy) includes `compact`: the log cleaner keeps the latest record per key. */
  compact: boolean;
  /** delete.retention.ms (log.cleaner.delete.retention.ms): how long a cleaned tombstone (or transaction marker) is kept. */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio (log.cleaner.min.cleanable.ratio): dirty share of the log that makes it worth cleaning. */
  minCleanableRatio: number;
  /** min.compaction.lag.ms (log.cleaner.min.compaction.lag.ms): a record stays uncompacted at least this long. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms (log.cleaner.max.compaction.lag.ms): a record becomes cleanable at the latest this long after it was written. */
  maxCompactionLagMs: number;
}

/** Kafka's "never": Long.MAX_VALUE, as a safe JS number. */
export const NEVER = Number.MAX_SAFE_INTEGER;

type TopicField = Exclude<keyof LogConfig, 'producerIdExpirationMs'>;
type NumericField = Exclude<keyof LogConfig, 'messageTimestampType' | 'compact'>;

/** The topic key each field follows. */
const TOPIC_FIELDS: Readonly<Record<TopicField, string>> = {
  segmentBytes: 'segment.bytes',
  segmentMs: 'segment.ms',
  indexIntervalBytes: 'index.interval.bytes',
  maxIndexSize: 'segment.index.bytes',
  retentionMs: 'retention.ms',
  retentionBytes: 'retention.bytes',
  flushIntervalMessages: 'flush.messages',
  flushIntervalMs: 'flush.ms',
  maxMessageBytes: 'max.message.bytes',
  messageTimestampType: 'message.timestamp.type',
  messageTimestampBeforeMaxMs: 'message.timestamp.before.max.ms',
  messageTimestampAfterMaxMs: 'message.timestamp.after.max.ms',
  fileDeleteDelayMs: 'file.delete.delay.ms',
  compact: 'cleanup.policy',
  deleteRetentionMs: 'delete.retention.ms',
  minCleanableRatio: 'min.cleanable.dirty.ratio',
  minCompactionLagMs: 'min.compaction.lag.ms',
  maxCompactionLagMs: 'max.compaction.lag.ms',
};
/** The one fractional field (a DOUBLE key); every other numeric field is a whole number of bytes, records or ms. */
const FRACTIONAL: ReadonlySet<keyof LogConfig> = new Set(['minCleanableRatio']);

/** cleanup.policy is a list: `compact`, `delete`, or both. */
const hasPolicy = (policy: string, name: 'compact' | 'delete'): boolean => policy.split(',').some((p) => p.trim() === name);
/** The one field with no topic key. */
const PRODUCER_ID_EXPIRATION = 'producer.id.expiration.ms';

const FIELDS = Object.entries(TOPIC_FIELDS) as [TopicField, string][];

/** Long.MAX_VALUE and friends do not fit a double exactly; they all mean "never". */
const clamp = (n: number) => Math.min(n, NEVER);

/** The broker-wide values, read from the typed broker config through each field's synonyms. */
function brokerValues(config: BrokerConfig): LogConfig {
  const out = { producerIdExpirationMs: config.get(PRODUCER_ID_EXPIRATION) } as LogConfig;
  for (const [field, key] of FIELDS) {
    const value = config.firstOf(TOPIC_CONFIGS[key]!.synonyms!);
    if (field === 'messageTimestampType') out[field] = value as LogConfig['messageTimestampType'];
    else if (field === 'compact') out[field] = hasPolicy(value as string, 'compact');
    else out[field] = clamp(value as number);
  }
  return out;
}

/**
 * Retention deletes old segments only under cleanup.policy `delete`, as in Kafka: a compacted-only
 * log (`__consumer_offsets`, a changelog) keeps every record until compaction replaces it.
 */
function underCleanupPolicy(config: LogConfig, cleanupPolicy: string): LogConfig {
  return hasPolicy(cleanupPolicy, 'delete') ? config : { ...config, retentionMs: -1, retentionBytes: -1 };
}

/** The broker-wide settings, read from the typed broker config through each field's synonyms. */
export function brokerLogConfig(config: BrokerConfig): LogConfig {
  return underCleanupPolicy(brokerValues(config), config.get('log.cleanup.policy'));
}

/** The settings of a topic's partitions: the broker's, with the topic's overrides on top. */
export function topicLogConfig(config: BrokerConfig, overrides: Readonly<Record<string, string>>): LogConfig {
  const policy = overrides['cleanup.policy'] ?? config.get('log.cleanup.policy');
  return underCleanupPolicy(logConfigFromProperties(overrides, brokerValues(config)), policy);
}

/** Every property name that sets a field, topic key first, then its broker synonyms (Kafka's precedence), with its unit factor. */
const PROPERTY_NAMES: readonly [keyof LogConfig, (readonly [string, number])[]][] = [
  ...FIELDS.map(([field, key]): [keyof LogConfig, (readonly [string, number])[]] => [field, [[key, 1], ...TOPIC_CONFIGS[key]!.synonyms!]]),
  ['producerIdExpirationMs', [[PRODUCER_ID_EXPIRATION, 1]]],
];

/**
 * Applies Kafka-style properties (topic overrides as stored, or broker names) to `base`. For each
 * field the first name present wins, in Kafka's precedence: the topic key, then `.ms` over
 * `.minutes` over `.hours`. Unknown names are ignored (they belong to other subsystems); a
 * malformed value for a known name throws.
 */
export function logConfigFromProperties(props: Readonly<Record<string, string>>, base: LogConfig = defaultLogConfig): LogConfig {
  const config: LogConfig = { ...base };
  for (const [field, names] of PROPERTY_NAMES) {
    const found = names.find(([name]) => Object.hasOwn(props, name));
    if (!found) continue;
    const [name, factor] = found;
    const raw = props[name]!.trim();
    if (field === 'messageTimestampType') {
      if (raw !== 'CreateTime' && raw !== 'LogAppendTime') throw new Error(`${name}: expected CreateTime or LogAppendTime, got ${raw}`);
      config.messageTimestampType = raw;
      continue;
    }
    if (field === 'compact') {
      config.compact = hasPolicy(raw, 'compact');
      continue;
    }
    const value = Number(raw);
    const fractional = FRACTIONAL.has(field);
    if (fractional ? !Number.isFinite(value) : !Number.isInteger(value)) throw new Error(`${name}: expected ${fractional ? 'a number' : 'an integer'}, got ${raw}`);
    config[field as NumericField] = clamp(value * factor);
  }
  return config;
}

/** Kafka's defaults: the settings of a broker with nothing configured. */
export const defaultLogConfig: Readonly<LogConfig> = Object.freeze(brokerLogConfig(new BrokerConfig()));
