/**
 * Drift guard, after franz-go's validate_test: Tafka's schemas in `protocol/messages/` must say what
 * Apache Kafka's JSON specs say. Both are compared version by version, so "3+" and "3-99" spellings do
 * not matter but every fact that changes bytes does: field order, names (camelCase of Kafka's),
 * types, which versions have a field, nullability, tagging and tags, flexible versions, defaults, and
 * ignorability.
 *
 * Tafka serves the union of two Kafka releases' ranges (issue 10): Kafka 4.3's, and the older versions
 * Kafka 3.9 still served (KIP-896 removed them in 4.0). So each message is compared twice:
 * - with Kafka 4.3's spec (`../shared/kafka-protocol/messages-4.3`) at every version 4.3 has, on every
 *   fact above;
 * - with the older trunk copy (`../shared/kafka-protocol/messages`, Kafka 3.9's ranges) at every version
 *   it has, on the facts that shape the bytes of that version: which fields it has and in what order,
 *   their types, nullability, tags, flexibility, and the defaults of tagged fields. (Kafka 4 later
 *   marked some old fields ignorable and moved a field of later versions, which changes no byte of
 *   an old version.)
 * Tafka's `validVersions` must be exactly the union: 3.9's floor, 4.3's ceiling. For APIs 4.3 lacks,
 * the older copy is the only reference and is compared on every fact.
 *
 * A missing directory is reported as ONE skipped test (and one line on stderr), not one per API;
 * TAFKA_REQUIRE_KAFKA_SPECS=1 makes it a failure instead. TAFKA_KAFKA_SPECS=<dir> and
 * TAFKA_KAFKA_OLDER_SPECS=<dir> (relative to the repo root) compare against other copies. The
 * comparator itself is tested on inline specs, so it runs everywhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ApiSpec, FieldSpec, MessageSpec } from '../../protocol/schema.js';
import { API_SPECS } from '../../protocol/apis.js';
import { RequestHeader } from '../../protocol/messages/request-header.js';
import { ResponseHeader } from '../../protocol/messages/response-header.js';
import { inRange, parseRange } from '../../src/codec/versions.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KAFKA_DIR = resolve(ROOT, process.env.TAFKA_KAFKA_SPECS ?? '../shared/kafka-protocol/messages-4.3');
const KAFKA_OLDER_DIR = resolve(ROOT, process.env.TAFKA_KAFKA_OLDER_SPECS ?? '../shared/kafka-protocol/messages');
const SPECS_REQUIRED = process.env.TAFKA_REQUIRE_KAFKA_SPECS === '1';

// --- Kafka's side ----------------------------------------------------------------------------

interface KafkaField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  ignorable?: boolean;
  flexibleVersions?: string;
  fields?: KafkaField[];
}

interface KafkaMessage {
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: KafkaField[];
  commonStructs?: { name: string; fields: KafkaField[] }[];
}

/** Kafka's specs are JSON with `//` comment lines. */
function readKafka(path: string): KafkaMessage {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('//'))
    .join('\n');
  return JSON.parse(text) as KafkaMessage;
}

const PRIMITIVES = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64', 'bool', 'uuid', 'string', 'bytes', 'records']);

// --- One comparable view of a field at one version ---------------------------------------------

interface View {
  name: string;
  type: string;
  present: boolean;
  nullable: boolean;
  tag: number | null;
  default: unknown;
  ignorable: boolean;
  classicInFlexible: boolean;
  fields?: View[];
}

const fmt = (v: unknown) => (typeof v === 'bigint' ? `${v}n` : JSON.stringify(v));

/** Kafka's default text as the typed value a Tafka schema carries (undefined when none). */
function kafkaDefault(d: KafkaField['default'], type: string): unknown {
  if (d === undefined) return undefined;
  if (d === 'null') return null;
  if (type === 'bool') return d === true || d === 'true';
  if (type === 'string') return String(d);
  if (type === 'int64') return BigInt(d);
  if (/^(u?int|float)/.test(type)) return Number(d); // Number() also reads "0x7fffffff"
  return d;
}

function kafkaView(fields: KafkaField[], common: Map<string, KafkaField[]>, v: number): View[] {
  return fields.map((f) => {
    let type = f.type;
    let sub = f.fields;
    const elem = type.startsWith('[]') ? type.slice(2) : type;
    if (!PRIMITIVES.has(elem)) {
      sub = sub ?? common.get(elem);
      type = type.startsWith('[]') ? '[]' : '{}';
    }
    const tagged = inRange(v, f.taggedVersions);
    return {
      name: f.name[0]!.toLowerCase() + f.name.slice(1),
      type,
      present: inRange(v, f.versions),
      nullable: inRange(v, f.nullableVersions),
      tag: tagged ? (f.tag ?? -1) : null,
      default: kafkaDefault(f.default, type),
      ignorable: f.ignorable === true,
      classicInFlexible: f.flexibleVersions === 'none',
      ...(sub ? { fields: kafkaView(sub, common, v) } : {}),
    };
  });
}

function tafkaView(fields: readonly FieldSpec[], v: number): View[] {
  return fields.map((f) => ({
    name: f.name,
    type: f.type,
    present: inRange(v, f.versions),
    nullable: inRange(v, f.nullableVersions),
    tag: inRange(v, f.taggedVersions) ? (f.tag ?? -1) : null,
    default: f.default,
    ignorable: f.ignorable === true,
    classicInFlexible: f.flexibleVersions === 'none',
    ...(f.fields ? { fields: tafkaView(f.fields, v) } : {}),
  }));
}

/** Which facts to compare: all of them, or those that shape the bytes of the version at hand. */
type Facts = 'all' | 'bytes';

const ALL_FACTS = ['type', 'present', 'nullable', 'tag', 'default', 'ignorable', 'classicInFlexible'] as const;
const BYTE_FACTS = ['type', 'nullable', 'tag', 'classicInFlexible'] as const;

/** Human-readable differences between two field lists, field by field and in order. */
function diffViews(where: string, kafkaAll: View[], tafkaAll: View[], out: string[], facts: Facts = 'all'): void {
  // For the bytes of one version only the fields it has count, in their order: Kafka 4 moved some
  // fields of later versions around the old ones, and added fields the older spec never heard of.
  const kafka = facts === 'all' ? kafkaAll : kafkaAll.filter((k) => k.present);
  const tafka = facts === 'all' ? tafkaAll : tafkaAll.filter((t) => t.present);
  const n = Math.max(kafka.length, tafka.length);
  for (let i = 0; i < n; i++) {
    const k = kafka[i];
    const t = tafka[i];
    if (!k || !t) {
      out.push(`${where}: field #${i} is ${k ? `${k.name} in Kafka` : 'absent in Kafka'} but ${t ? t.name : 'absent'} in Tafka`);
      continue;
    }
    if (k.name !== t.name) {
      out.push(`${where}: field #${i} is ${k.name} in Kafka, ${t.name} in Tafka`);
      continue; // the rest would only repeat the misalignment
    }
    const at = `${where}.${k.name}`;
    // A tagged field's default decides whether it is written at all.
    const keys = facts === 'all' ? ALL_FACTS : k.tag !== null ? [...BYTE_FACTS, 'default' as const] : BYTE_FACTS;
    for (const key of keys) {
      if (k[key] !== t[key]) out.push(`${at}: ${key} is ${fmt(k[key])} in Kafka, ${fmt(t[key])} in Tafka`);
    }
    if (k.fields || t.fields) diffViews(k.type === '[]' ? `${at}[]` : at, k.fields ?? [], t.fields ?? [], out, facts);
  }
}

/** Differences at versions `from`..`to` (inclusive), without comparing the two validVersions. */
function diffVersions(kafka: KafkaMessage, tafka: MessageSpec, from: number, to: number, facts: Facts): string[] {
  const out: string[] = [];
  const name = tafka.name;
  if (kafka.name !== tafka.name) out.push(`${name}: named ${kafka.name} in Kafka`);
  const common = new Map((kafka.commonStructs ?? []).map((s) => [s.name, s.fields]));
  for (let v = from; v <= to; v++) {
    if (inRange(v, kafka.flexibleVersions) !== inRange(v, tafka.flexibleVersions)) {
      out.push(`${name} v${v}: flexible in ${inRange(v, kafka.flexibleVersions) ? 'Kafka' : 'Tafka'} only`);
    }
    diffViews(`${name} v${v}`, kafkaView(kafka.fields, common, v), tafkaView(tafka.fields, v), out, facts);
  }
  return out;
}

/** Every difference between Kafka's spec and Tafka's, at every version either side knows. */
function diffMessage(kafka: KafkaMessage, tafka: MessageSpec): string[] {
  const out: string[] = [];
  const kv = parseRange(kafka.validVersions);
  const tv = parseRange(tafka.validVersions);
  if (kv.min !== tv.min || kv.max !== tv.max) {
    out.push(`${tafka.name}: validVersions "${kafka.validVersions}" in Kafka, "${tafka.validVersions}" in Tafka`);
  }
  return [...out, ...diffVersions(kafka, tafka, Math.min(kv.min, tv.min), Math.max(kv.max, tv.max), 'all')];
}

/**
 * Tafka's message against two Kafka releases: the newer on every fact at its versions, the older on
 * the byte-shaping facts at its versions; Tafka's range must be their union (older floor, newer ceiling).
 */
function diffUnion(newer: KafkaMessage, older: KafkaMessage, tafka: MessageSpec): string[] {
  const nv = parseRange(newer.validVersions);
  const ov = parseRange(older.validVersions);
  const tv = parseRange(tafka.validVersions);
  const union = { min: Math.min(nv.min, ov.min), max: nv.max };
  const out: string[] = [];
  if (tv.min !== union.min || tv.max !== union.max) {
    out.push(`${tafka.name}: validVersions "${tafka.validVersions}" in Tafka, not the union ${union.min}-${union.max} of Kafka's "${older.validVersions}" and "${newer.validVersions}"`);
  }
  return [...out, ...diffVersions(newer, tafka, nv.min, nv.max, 'all'), ...diffVersions(older, tafka, ov.min, ov.max, 'bytes')];
}

// --- Tests -------------------------------------------------------------------------------------

describe('the comparator', () => {
  const kafka: KafkaMessage = {
    name: 'ThingRequest',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'Items', type: '[]Item', versions: '0+', nullableVersions: '1+' },
      { name: 'MaxBytes', type: 'int32', versions: '1+', default: '0x7fffffff', ignorable: true },
      { name: 'Epoch', type: 'int64', versions: '2+', taggedVersions: '2+', tag: 0, default: '-1' },
    ],
    commonStructs: [{ name: 'Item', fields: [{ name: 'Key', type: 'string', versions: '0+' }] }],
  };
  const tafka: MessageSpec = {
    name: 'ThingRequest',
    type: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'items', type: '[]', versions: '0+', nullableVersions: '1+', fields: [{ name: 'key', type: 'string', versions: '0+' }] },
      { name: 'maxBytes', type: 'int32', versions: '1+', default: 2147483647, ignorable: true },
      { name: 'epoch', type: 'int64', versions: '2+', taggedVersions: '2+', tag: 0, default: -1n },
    ],
  };

  it('finds no difference between equivalent specs (common structs, hex defaults, range spellings)', () => {
    expect(diffMessage(kafka, { ...tafka, flexibleVersions: '2-2' })).toEqual([]);
  });

  it('reports each kind of drift, at the versions it affects', () => {
    const f = tafka.fields;
    const with_ = (i: number, patch: Partial<FieldSpec>) => ({ ...tafka, fields: f.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
    expect(diffMessage(kafka, with_(0, { nullableVersions: '2+' }))).toEqual([
      'ThingRequest v1.items: nullable is true in Kafka, false in Tafka',
    ]);
    expect(diffMessage(kafka, with_(1, { versions: '2+' }))).toEqual([
      'ThingRequest v1.maxBytes: present is true in Kafka, false in Tafka',
    ]);
    expect(diffMessage(kafka, with_(2, { tag: 1 }))).toEqual(['ThingRequest v2.epoch: tag is 0 in Kafka, 1 in Tafka']);
    expect(diffMessage(kafka, with_(2, { default: -2n }))).toHaveLength(3);
    expect(diffMessage(kafka, with_(1, { type: 'int64' }))).toHaveLength(3);
    expect(diffMessage(kafka, with_(1, { ignorable: undefined }))).toHaveLength(3);
    expect(diffMessage(kafka, with_(0, { fields: [{ name: 'value', type: 'string', versions: '0+' }] }))).toContain(
      'ThingRequest v0.items[]: field #0 is key in Kafka, value in Tafka',
    );
    expect(diffMessage(kafka, { ...tafka, fields: [f[1]!, f[0]!, f[2]!] })).toContain(
      'ThingRequest v0: field #0 is items in Kafka, maxBytes in Tafka',
    );
    expect(diffMessage(kafka, { ...tafka, validVersions: '0-3' })[0]).toBe(
      'ThingRequest: validVersions "0-2" in Kafka, "0-3" in Tafka',
    );
    expect(diffMessage(kafka, { ...tafka, flexibleVersions: '1+' })).toEqual(['ThingRequest v1: flexible in Tafka only']);
  });

  // Two releases: the newer dropped v0 (as Kafka 4 did) and added a field; Tafka serves both ranges.
  const older: KafkaMessage = {
    name: 'ThingRequest',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'Key', type: 'string', versions: '0+' },
      { name: 'Stamp', type: 'int64', versions: '0', default: '-1' },
      { name: 'Epoch', type: 'int32', versions: '1+' },
    ],
  };
  const newer: KafkaMessage = {
    name: 'ThingRequest',
    validVersions: '1-3',
    flexibleVersions: '2+',
    fields: [
      { name: 'Key', type: 'string', versions: '0-2', ignorable: true },
      { name: 'Epoch', type: 'int32', versions: '1+' },
      { name: 'Stamp', type: 'int64', versions: '0', default: '-1' },
      { name: 'Id', type: 'uuid', versions: '3+' },
    ],
  };
  const union: MessageSpec = {
    name: 'ThingRequest',
    type: 'request',
    validVersions: '0-3',
    flexibleVersions: '2+',
    fields: [
      { name: 'key', type: 'string', versions: '0-2', ignorable: true },
      { name: 'epoch', type: 'int32', versions: '1+' },
      { name: 'stamp', type: 'int64', versions: '0', default: -1n },
      { name: 'id', type: 'uuid', versions: '3+' },
    ],
  };

  it('accepts the union of two releases (older floor, newer ceiling, fields the newer moved or marked ignorable)', () => {
    expect(diffUnion(newer, older, union)).toEqual([]);
  });

  it('reports a union that misses the older floor, or an old version whose bytes differ', () => {
    expect(diffUnion(newer, older, { ...union, validVersions: '1-3' })).toEqual([
      'ThingRequest: validVersions "1-3" in Tafka, not the union 0-3 of Kafka\'s "0-2" and "1-3"',
    ]);
    const f = union.fields;
    expect(diffUnion(newer, older, { ...union, fields: [f[0]!, f[1]!, { ...f[2]!, versions: '0-1' }, f[3]!] })).toContain(
      'ThingRequest v1.stamp: present is false in Kafka, true in Tafka',
    );
    expect(diffUnion(newer, older, { ...union, fields: [f[0]!, f[1]!, { ...f[2]!, versions: '0-1' }, f[3]!] })).toContain(
      'ThingRequest v1: field #2 is absent in Kafka but stamp in Tafka',
    );
    expect(diffUnion(newer, older, { ...union, fields: [f[0]!, f[1]!, { ...f[2]!, type: 'int32', default: -1 }, f[3]!] })).toContain(
      'ThingRequest v0.stamp: type is "int64" in Kafka, "int32" in Tafka',
    );
  });
});

/**
 * Kafka 4.0 changes that the older trunk copy (2024-10) predates, for APIs only that copy has; each
 * difference is stated exactly, so anything else still fails. ConsumerGroupDescribe v1 adds
 * MemberType (KIP-1099).
 */
const NEWER_THAN_OLDER_COPY: Record<string, string[]> = {
  ConsumerGroupDescribeRequest: ['ConsumerGroupDescribeRequest: validVersions "0" in Kafka, "0-1" in Tafka'],
  ConsumerGroupDescribeResponse: [
    'ConsumerGroupDescribeResponse: validVersions "0" in Kafka, "0-1" in Tafka',
    'ConsumerGroupDescribeResponse v0.groups[].members[]: field #10 is absent in Kafka but memberType in Tafka',
    'ConsumerGroupDescribeResponse v1.groups[].members[]: field #10 is absent in Kafka but memberType in Tafka',
  ],
};

const specPath = (dir: string, name: string) => [join(dir, `${name}.json`)].find((path) => existsSync(path));

/** A directory with Kafka's specs in it (an empty or absent one counts as missing). */
const hasSpecs = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json'));

/** A missing spec directory: one skipped test for the whole comparison, or a failing one if required. */
function missingSpecs(what: string, dir: string): void {
  console.warn(`schemas.test: SKIPPING ${what}: no specs in ${dir}`);
  it.skipIf(!SPECS_REQUIRED)(`${what} (no specs in ${dir})`, () => {
    expect.fail(`TAFKA_REQUIRE_KAFKA_SPECS=1 but ${dir} holds no Kafka specs`);
  });
}

if (!hasSpecs(KAFKA_DIR)) {
  missingSpecs('the comparison with Kafka 4.3 specs', KAFKA_DIR);
} else {
  const withOlder = hasSpecs(KAFKA_OLDER_DIR);
  // Without the older copy, the APIs only it describes, and the versions only Kafka 3.9 had, are set
  // aside as one skipped test.
  const unresolved = (api: ApiSpec) => [api.request, api.response].some((m) => !specPath(KAFKA_DIR, m.name));
  const setAside = withOlder ? [] : API_SPECS.filter(unresolved);
  if (!withOlder) {
    const apis = setAside.map((api) => api.name).join(', ');
    missingSpecs(`the comparison of Kafka 3.9's versions, and of ${apis}, with Kafka's older specs`, KAFKA_OLDER_DIR);
  }

  /** Every difference of one Tafka message from whatever Kafka specs are at hand. */
  const diff = (tafka: MessageSpec): string[] => {
    const newer = specPath(KAFKA_DIR, tafka.name);
    const older = withOlder ? specPath(KAFKA_OLDER_DIR, tafka.name) : undefined;
    if (newer && older) return diffUnion(readKafka(newer), readKafka(older), tafka);
    if (older) return diffMessage(readKafka(older), tafka);
    if (!newer) throw new Error(`no Kafka spec for ${tafka.name}`);
    const kafka = readKafka(newer);
    if (withOlder) return diffMessage(kafka, tafka);
    const { min, max } = parseRange(kafka.validVersions);
    return diffVersions(kafka, tafka, min, max, 'all'); // the older floor cannot be checked
  };

  describe('Tafka schemas match Kafka 4.3 specs, and Kafka 3.9 specs at the versions 4.0 removed', () => {
    for (const api of API_SPECS.filter((a) => !setAside.includes(a))) {
      it(`${api.apiKey} ${api.name}`, () => {
        expect(api.request.apiKey).toBe(api.apiKey);
        expect(api.response.apiKey).toBe(api.apiKey);
        expect(diff(api.request)).toEqual(NEWER_THAN_OLDER_COPY[api.request.name] ?? []);
        expect(diff(api.response)).toEqual(NEWER_THAN_OLDER_COPY[api.response.name] ?? []);
      });
    }

    it('request and response headers', () => {
      expect(diff(RequestHeader)).toEqual([]);
      expect(diff(ResponseHeader)).toEqual([]);
    });
  });
}
