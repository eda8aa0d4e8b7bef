/**
 * Topic config values as CreateTopics, AlterConfigs and IncrementalAlterConfigs receive them:
 * checked against the key's row in topic-keys.ts as Kafka's ConfigDef would, and returned in
 * Kafka's printed form (what is stored and what DescribeConfigs shows).
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { INT_MAX, LONG_MAX, type KeyDefinition } from './definition.js';
import { topicKey } from './topic-keys.js';

/**
 * Parses and checks one topic value, returning it as Kafka prints it (`" 100 "` → `100`,
 * `"compact, delete"` → `compact,delete`). Throws KafkaError 40 INVALID_CONFIG naming the key.
 */
export function normalizeTopicConfig(name: string, value: string | null): string {
  const def = topicKey(name);
  if (!def) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
  if (value === null) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${name}`);
  return normalizeConfigValue(name, def, value, ErrorCode.INVALID_CONFIG);
}

/**
 * One value checked against its row as Kafka's ConfigDef parses and validates it, in Kafka's printed
 * form; a bad one throws `errorCode` with ConfigDef's message ("Invalid value x for configuration
 * name: ..."). Topic configs answer it with 40; broker configs with 42, as Kafka does (KAFKA-13609).
 */
export function normalizeConfigValue(name: string, def: KeyDefinition, value: string, errorCode: number): string {
  const invalid = (why: string) => new KafkaError(errorCode, `Invalid value ${value} for configuration ${name}: ${why}`);
  const text = value.trim();
  const inRange = (n: number, printed: string): string => {
    if (n === def.alsoAllowed) return printed;
    if (def.min !== undefined && n < def.min) throw invalid(`Value must be at least ${def.min}`);
    if (def.max !== undefined && n > def.max) throw invalid(`Value must be no more than ${def.max}`);
    return printed;
  };
  switch (def.type) {
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (!/^[+-]?\d+$/.test(text)) throw invalid(`Not a number of type ${def.type}`);
      const big = BigInt(text);
      const limit = def.type === 'LONG' ? BigInt(LONG_MAX) : def.type === 'INT' ? BigInt(INT_MAX) : 32767n;
      if (big > limit || big < -limit - 1n) throw invalid(`Not a number of type ${def.type}`);
      return inRange(Number(big), big.toString());
    }
    case 'DOUBLE': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) throw invalid('Not a number of type DOUBLE');
      return inRange(n, String(n));
    }
    case 'BOOLEAN': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw invalid('Expected value to be either true or false');
      return lower;
    }
    case 'STRING':
    case 'PASSWORD':
      if (def.oneOf && !def.oneOf.includes(text)) throw invalid(`String must be one of: ${def.oneOf.join(', ')}`);
      return text;
    case 'LIST': {
      const items = text === '' ? [] : text.split(',').map((s) => s.trim());
      for (const item of items) {
        if (def.oneOf && !def.oneOf.includes(item)) throw invalid(`String must be one of: ${def.oneOf.join(', ')}`);
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
