/**
 * A strict parser of Prometheus's text exposition format (version 0.0.4), written for the tests
 * from the format's description, independent of prom-client: it rejects what Prometheus would
 * reject and more (a family's samples split apart, a histogram without its +Inf bucket or with
 * decreasing buckets, a counter going negative, a duplicate series), so a page it accepts is one a
 * scraper takes whole.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: MetricType;
  help?: string;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export class ExpositionError extends Error {}

export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new ExpositionError('the page must end with a line feed');
  const families = new Map<string, Family>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, i) => {
    const fail = (why: string): never => {
      throw new ExpositionError(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    const enter = (name: string): Family => {
      if (current?.name === name) return current;
      if (current) finished.add(current.name);
      if (finished.has(name)) fail(`samples or metadata of ${name} after another family began`);
      let f = families.get(name);
      if (!f) families.set(name, (f = { name, type: 'untyped', samples: [] }));
      current = f;
      return f;
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // a comment
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name!)) fail('bad metric name');
      const f = enter(name!);
      if (kind === 'HELP') {
        if (f.help !== undefined) fail('second HELP');
        f.help = rest.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : fail('bad escape in HELP')));
      } else {
        if (!TYPES.has(rest)) fail('unknown TYPE');
        if (f.samples.length > 0 || f.type !== 'untyped') fail('TYPE after samples, or twice');
        f.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, fail);
    const family = familyOf(sample.name, current, families);
    const f = enter(family);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) fail('duplicate series');
    seen.add(key);
    if (f.type === 'histogram' && !/_(bucket|sum|count)$/.test(sample.name)) fail('histogram sample that is not _bucket, _sum or _count');
    if (f.type === 'counter' && sample.value < 0) fail('negative counter');
    if (sample.name.endsWith('_bucket') && f.type === 'histogram' && sample.labels.le === undefined) fail('bucket without le');
    f.samples.push(sample);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/** The family a sample name belongs to: itself, or a histogram/summary it is a part of. */
function familyOf(name: string, current: Family | undefined, families: Map<string, Family>): string {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const f = current?.name === base ? current : families.get(base);
  if (base !== name && f && (f.type === 'histogram' || f.type === 'summary')) return base;
  return name;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)(?: (-?\d+))?$/.exec(line);
  if (!m) return fail('not a sample line');
  const labels: Record<string, string> = {};
  if (m[2]) {
    let rest = m[2].slice(1, -1);
    while (rest.length > 0) {
      const l = /^([^=]+)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
      if (!l) fail('malformed labels');
      const [whole, name, raw] = l!;
      if (!LABEL_NAME.test(name!)) fail(`bad label name ${name}`);
      if (name! in labels) fail(`label ${name} twice`);
      labels[name!] = raw!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === '"' || c === '\\' ? c : fail('bad escape in a label value')));
      rest = rest.slice(whole.length);
    }
  }
  return { name: m[1]!, labels, value: parseValue(m[3]!, fail) };
}

/** A value as Prometheus reads it (Go's strconv.ParseFloat): special values in any case, so prom-client's "Nan" too. */
function parseValue(text: string, fail: (why: string) => never): number {
  const special = /^([-+]?)(nan|inf|infinity)$/i.exec(text);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(`bad value ${text}`);
  return Number(text);
}

/** Per series: buckets in increasing `le`, counts never decreasing, +Inf equal to _count, and a _sum. */
function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { buckets: [] }));
    if (s.name.endsWith('_bucket')) entry.buckets.push([parseValue(le!, () => {
      throw new ExpositionError(`${f.name}: bad le ${le}`);
    }), s.value]);
    else if (s.name.endsWith('_count')) entry.count = s.value;
    else entry.sum = s.value;
  }
  for (const [key, e] of series) {
    const where = `${f.name}${key}`;
    if (e.count === undefined || e.sum === undefined) throw new ExpositionError(`${where}: no _count or _sum`);
    const last = e.buckets[e.buckets.length - 1];
    if (!last || last[0] !== Infinity) throw new ExpositionError(`${where}: no +Inf bucket last`);
    if (last[1] !== e.count) throw new ExpositionError(`${where}: +Inf bucket ${last[1]} differs from _count ${e.count}`);
    for (let i = 1; i < e.buckets.length; i++) {
      if (e.buckets[i]![0] <= e.buckets[i - 1]![0]) throw new ExpositionError(`${where}: buckets not in increasing le`);
      if (e.buckets[i]![1] < e.buckets[i - 1]![1]) throw new ExpositionError(`${where}: bucket counts decrease`);
    }
  }
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const f = families.get(name) ?? families.get(base);
  const s = f?.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}
