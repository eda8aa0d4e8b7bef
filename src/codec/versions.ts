/**
 * Kafka's version-range strings ("0+", "3-7", "5", "none") as numbers.
 */
export interface Range {
  readonly min: number;
  readonly max: number;
}

const NONE: Range = { min: 1, max: 0 };
const cache = new Map<string, Range>();

export function parseRange(text: string | undefined): Range {
  if (text === undefined || text === 'none') return NONE;
  let range = cache.get(text);
  if (range) return range;
  let m: RegExpMatchArray | null;
  if ((m = /^(\d+)\+$/.exec(text))) range = { min: Number(m[1]), max: Number.MAX_SAFE_INTEGER };
  else if ((m = /^(\d+)-(\d+)$/.exec(text))) range = { min: Number(m[1]), max: Number(m[2]) };
  else if ((m = /^(\d+)$/.exec(text))) range = { min: Number(m[1]), max: Number(m[1]) };
  else throw new Error(`bad version range "${text}"`);
  cache.set(text, range);
  return range;
}

export function inRange(version: number, text: string | undefined): boolean {
  const r = parseRange(text);
  return version >= r.min && version <= r.max;
}
