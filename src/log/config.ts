/**
 * Log settings, named after Kafka's and with Kafka's defaults. Broker-wide names (`log.*`) and
 * topic-level names (`segment.bytes`, ...) both map onto the same fields.
 */
export interface LogConfig {
  /** log.segment.bytes / segment.bytes: roll when the active segment would exceed this. */
  segmentBytes: number;
  /** log.roll.ms (log.roll.hours) / segment.ms: roll when the segment spans more time than this. */
  segmentMs: number;
  /** log.index.interval.bytes / index.interval.bytes: bytes between sparse index entries. */
  indexIntervalBytes: number;
  /** log.index.size.max.bytes / segment.index.bytes: roll when an index reaches this size. */
  maxIndexSize: number;
  /** log.retention.ms (log.retention.minutes, log.retention.hours) / retention.ms; -1 = forever. */
  retentionMs: number;
  /** log.retention.bytes / retention.bytes, per partition; -1 = unlimited. */
  retentionBytes: number;
  /** log.flush.interval.messages / flush.messages: fsync after this many messages. */
  flushIntervalMessages: number;
  /** log.flush.interval.ms / flush.ms: fsync when unflushed data is older than this. */
  flushIntervalMs: number;
  /** message.max.bytes / max.message.bytes: largest batch accepted. */
  maxMessageBytes: number;
  /** log.message.timestamp.type / message.timestamp.type. */
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** file.delete.delay.ms: how long a `.deleted` segment lingers so in-flight reads finish. */
  fileDeleteDelayMs: number;
  /** producer.id.expiration.ms (broker-wide): idempotent-producer state idle this long is dropped. */
  producerIdExpirationMs: number;
}

/** Kafka's "never": Long.MAX_VALUE, as a safe JS number. */
export const NEVER = Number.MAX_SAFE_INTEGER;

export const defaultLogConfig: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  indexIntervalBytes: 4096,
  maxIndexSize: 10 * 1024 * 1024,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  flushIntervalMessages: NEVER,
  flushIntervalMs: NEVER,
  maxMessageBytes: 1024 * 1024 + 12,
  messageTimestampType: 'CreateTime',
  fileDeleteDelayMs: 60_000,
  producerIdExpirationMs: 24 * 60 * 60 * 1000,
});

type NumericKey = Exclude<keyof LogConfig, 'messageTimestampType'>;

/** Kafka property name → field, with the unit multiplier for `.hours` / `.minutes` variants. */
const PROPERTY_NAMES: Record<string, [NumericKey, number]> = {
  'log.segment.bytes': ['segmentBytes', 1],
  'segment.bytes': ['segmentBytes', 1],
  'log.roll.ms': ['segmentMs', 1],
  'log.roll.hours': ['segmentMs', 3_600_000],
  'segment.ms': ['segmentMs', 1],
  'log.index.interval.bytes': ['indexIntervalBytes', 1],
  'index.interval.bytes': ['indexIntervalBytes', 1],
  'log.index.size.max.bytes': ['maxIndexSize', 1],
  'segment.index.bytes': ['maxIndexSize', 1],
  'log.retention.ms': ['retentionMs', 1],
  'log.retention.minutes': ['retentionMs', 60_000],
  'log.retention.hours': ['retentionMs', 3_600_000],
  'retention.ms': ['retentionMs', 1],
  'log.retention.bytes': ['retentionBytes', 1],
  'retention.bytes': ['retentionBytes', 1],
  'log.flush.interval.messages': ['flushIntervalMessages', 1],
  'flush.messages': ['flushIntervalMessages', 1],
  'log.flush.interval.ms': ['flushIntervalMs', 1],
  'flush.ms': ['flushIntervalMs', 1],
  'message.max.bytes': ['maxMessageBytes', 1],
  'max.message.bytes': ['maxMessageBytes', 1],
  'file.delete.delay.ms': ['fileDeleteDelayMs', 1],
  'log.segment.delete.delay.ms': ['fileDeleteDelayMs', 1],
  'producer.id.expiration.ms': ['producerIdExpirationMs', 1],
};

/**
 * Builds a config from Kafka-style properties. Kafka gives `.ms` precedence over `.minutes` over
 * `.hours`; we apply the coarse names first so the finer ones win. Unknown names are ignored (they
 * belong to other subsystems); a malformed value for a known name throws.
 */
export function logConfigFromProperties(props: Record<string, string>, base: LogConfig = defaultLogConfig): LogConfig {
  const config: LogConfig = { ...base };
  const precedence = (name: string) => (name.endsWith('.hours') ? 0 : name.endsWith('.minutes') ? 1 : 2);
  const names = Object.keys(props).sort((a, b) => precedence(a) - precedence(b));
  for (const name of names) {
    const raw = props[name]!.trim();
    if (name === 'log.message.timestamp.type' || name === 'message.timestamp.type') {
      if (raw !== 'CreateTime' && raw !== 'LogAppendTime') throw new Error(`${name}: expected CreateTime or LogAppendTime, got ${raw}`);
      config.messageTimestampType = raw;
      continue;
    }
    const mapping = PROPERTY_NAMES[name];
    if (!mapping) continue;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw new Error(`${name}: expected an integer, got ${raw}`);
    // Long.MAX_VALUE and friends do not fit a double exactly; clamp them to "never".
    config[mapping[0]] = Math.min(value * mapping[1], NEVER);
  }
  return config;
}
