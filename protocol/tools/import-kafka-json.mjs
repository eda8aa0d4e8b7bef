#!/usr/bin/env node
// Writes protocol/messages/NN-name.ts from Apache Kafka's JSON message specs.
//
// Usage: node protocol/tools/import-kafka-json.mjs <dir with *Request.json/*Response.json>
//          [--older <dir of an older Kafka's specs>] [ApiName ...]
//
// With --older (Kafka 3.9's specs, where the main dir is Kafka 4.x's), a message keeps the older
// Kafka's lower floor: validVersions spans both, since Tafka serves every version Kafka 3.9 served.
// Kafka 4.x's specs kept the fields of the versions it removed, so only the floor changes; the tool
// refuses an older spec with a field the newer one lacks.
//
// Kafka's specs are the authority on field names, types, version ranges and tags; this tool keeps
// exactly those facts and drops everything else (`about` prose, comments, entityType, mapKey).
// It is a developer tool, run by hand when an API is added: the build never reads Kafka's files.
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRIMITIVES = new Set([
  'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64', 'bool', 'uuid', 'string', 'bytes', 'records',
]);

/** Kafka's specs are JSON with `//` line comments. */
function readSpec(path) {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');
  return JSON.parse(text);
}

const camel = (name) => name[0].toLowerCase() + name.slice(1);
const kebab = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

function defaultValue(field, type) {
  const d = field.default;
  if (d === undefined) return undefined;
  if (d === 'null') return 'null';
  if (type === 'bool') return d;
  if (type === 'string') return `'${String(d).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (type === 'int64') return `${BigInt(d)}n`;
  if (/^int|^uint|float64/.test(type)) return String(Number(d));
  return JSON.stringify(d);
}

function convertFields(fields, commonStructs, indent) {
  const pad = ' '.repeat(indent);
  const out = [];
  for (const f of fields) {
    let type = f.type;
    let sub = f.fields;
    if (type.startsWith('[]')) {
      const elem = type.slice(2);
      if (!PRIMITIVES.has(elem)) {
        sub = sub ?? commonStructs.get(elem);
        type = '[]';
      }
    } else if (!PRIMITIVES.has(type)) {
      sub = sub ?? commonStructs.get(type);
      type = '{}';
    }
    if ((type === '[]' || type === '{}') && !sub) throw new Error(`no fields for struct ${f.type}`);
    const props = [`name: '${camel(f.name)}'`, `type: '${type}'`, `versions: '${f.versions}'`];
    if (f.nullableVersions) props.push(`nullableVersions: '${f.nullableVersions}'`);
    if (f.taggedVersions) props.push(`taggedVersions: '${f.taggedVersions}'`, `tag: ${f.tag}`);
    const dv = defaultValue(f, type);
    if (dv !== undefined) props.push(`default: ${dv}`);
    if (f.ignorable) props.push('ignorable: true');
    if (f.flexibleVersions) props.push(`flexibleVersions: '${f.flexibleVersions}'`);
    if (sub) {
      out.push(`${pad}{ ${props.join(', ')}, fields: [`);
      out.push(...convertFields(sub, commonStructs, indent + 2));
      out.push(`${pad}] },`);
    } else {
      out.push(`${pad}{ ${props.join(', ')} },`);
    }
  }
  return out;
}

/** Every field path of a spec (`Topics.Partitions.Index`), with common structs inlined. */
function fieldPaths(spec) {
  const common = new Map((spec.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const paths = new Set();
  const walk = (fields, prefix) => {
    for (const f of fields) {
      paths.add(prefix + f.name);
      const sub = f.fields ?? common.get(f.type.replace(/^\[\]/, ''));
      if (sub) walk(sub, `${prefix}${f.name}.`);
    }
  };
  walk(spec.fields, '');
  return paths;
}

/** The union of two Kafka releases' ranges for one message: the older floor, the newer ceiling. */
function unionVersions(spec, older) {
  if (!older) return spec.validVersions;
  const newer = fieldPaths(spec);
  for (const path of fieldPaths(older)) {
    if (!newer.has(path)) throw new Error(`${spec.name}: field ${path} exists only in the older spec`);
  }
  const floor = (range) => Number(/^\d+/.exec(range)[0]);
  const min = Math.min(floor(spec.validVersions), floor(older.validVersions));
  const max = /-(\d+)$/.exec(spec.validVersions)?.[1] ?? spec.validVersions.replace('+', '');
  return min === Number(max) ? String(min) : `${min}-${max}`;
}

function convertMessage(spec, older) {
  const common = new Map((spec.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const head = [`name: '${spec.name}'`, `type: '${spec.type}'`];
  if (spec.apiKey !== undefined) head.push(`apiKey: ${spec.apiKey}`);
  head.push(`validVersions: '${unionVersions(spec, older)}'`, `flexibleVersions: '${spec.flexibleVersions}'`);
  return [
    `export const ${spec.name} = message({`,
    `  ${head.join(', ')},`,
    '  fields: [',
    ...convertFields(spec.fields, common, 4),
    '  ],',
    '});',
  ].join('\n');
}

const args = process.argv.slice(2);
const olderAt = args.indexOf('--older');
const olderDir = olderAt >= 0 ? args.splice(olderAt, 2)[1] : undefined;
const [dir, ...only] = args;
if (!dir) {
  console.error('usage: import-kafka-json.mjs <kafka message spec dir> [--older <dir>] [ApiName ...]');
  process.exit(2);
}
/** The older release's spec of a message, when it has one. */
const olderSpec = (file) => (olderDir && existsSync(join(olderDir, file)) ? readSpec(join(olderDir, file)) : undefined);
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'messages');
mkdirSync(outDir, { recursive: true });
const header = '// Written from Apache Kafka\'s message specs (facts only) by protocol/tools/import-kafka-json.mjs.\n';

for (const file of readdirSync(dir).filter((f) => f.endsWith('Request.json'))) {
  const name = file.replace(/Request\.json$/, '');
  if (only.length && !only.includes(name)) continue;
  const request = readSpec(join(dir, file));
  if (request.type !== 'request') continue;
  const response = readSpec(join(dir, `${name}Response.json`));
  const key = String(request.apiKey).padStart(2, '0');
  const body = [
    header,
    "import { api, message } from '../schema.js';",
    '',
    convertMessage(request, olderSpec(file)),
    '',
    convertMessage(response, olderSpec(`${name}Response.json`)),
    '',
    `export const ${name} = api({ apiKey: ${request.apiKey}, name: '${name}', request: ${name}Request, response: ${name}Response });`,
    '',
  ].join('\n');
  writeFileSync(join(outDir, `${key}-${kebab(name)}.ts`), body);
}

// The headers are messages too, without an API key.
for (const name of ['RequestHeader', 'ResponseHeader']) {
  if (only.length && !only.includes(name)) continue;
  const spec = readSpec(join(dir, `${name}.json`));
  writeFileSync(
    join(outDir, `${kebab(name)}.ts`),
    [header, "import { message } from '../schema.js';", '', convertMessage(spec, olderSpec(`${name}.json`)), ''].join('\n'),
  );
}
