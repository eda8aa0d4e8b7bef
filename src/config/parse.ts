/**
 * Start-up text into values: Java-properties files, and one broker value checked against its row.
 *
 * A bad value stops start-up with a message naming the key, as Kafka's KafkaConfig does. Start-up
 * checks the type and the valid strings; it does not enforce ranges (see broker-keys.ts).
 */
import { INT_MAX, type KeyDefinition } from './definition.js';

export class ConfigError extends Error {
  readonly code = 'TAFKA_ERR_CONFIG';
}

/** A broker value as Tafka holds it: numbers for INT/SHORT/LONG/DOUBLE, booleans, text otherwise. */
export type BrokerValue = number | boolean | string;

const INT_MIN = -INT_MAX - 1;

/** Parses one broker value (`key` only names it in the message). */
export function parseBrokerValue(key: string, def: KeyDefinition, text: string): BrokerValue {
  const value = text.trim();
  const invalid = (why: string) => new ConfigError(`Invalid value "${text}" for configuration ${key}: ${why}`);
  switch (def.type) {
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (!/^-?\d+$/.test(value)) throw invalid('not a number');
      const n = Number(value);
      if (def.type !== 'LONG' && (n > INT_MAX || n < INT_MIN)) throw invalid('out of int range');
      return n;
    }
    case 'DOUBLE': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) throw invalid('not a number');
      return n;
    }
    case 'BOOLEAN':
      if (value !== 'true' && value !== 'false') throw invalid('expected true or false');
      return value === 'true';
    case 'STRING':
    case 'PASSWORD':
    case 'LIST': {
      const allowed = def.oneOf && (def.type === 'LIST' ? spellings(def.oneOf) : def.oneOf);
      if (allowed && !allowed.includes(value)) throw invalid(`must be one of ${allowed.join(', ')}`);
      return value;
    }
  }
}

/**
 * The ways to write a list of distinct valid items, shortest first, then alphabetically
 * (`delete, compact, compact,delete, delete,compact`). The text is kept as written.
 */
function spellings(items: readonly string[]): string[] {
  const out: string[] = [];
  const extend = (prefix: string[]) => {
    for (const item of items) {
      if (prefix.includes(item)) continue;
      const next = [...prefix, item];
      out.push(next.join(','));
      extend(next);
    }
  };
  extend([]);
  return out.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
}

/** Parses Java-properties text: `key=value` or `key: value` lines, `#`/`!` comments. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) throw new ConfigError(`Malformed line in properties: "${line}"`);
    out.set(m[1], m[2]);
  }
  return out;
}
