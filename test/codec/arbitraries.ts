/**
 * fast-check generators of Kafka messages, built from Tafka's schemas: any (message, version) gets
 * random values that respect the version (absent fields hold their defaults, null only where the
 * version allows it). Used by the codec round trip and by the broker's hostile-input test.
 */
import fc from 'fast-check';
import type { FieldSpec } from '../../protocol/schema.js';
import { defaultOf } from '../../src/codec/interpret.js';
import { inRange } from '../../src/codec/versions.js';

const int = (bits: number) => fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 });
const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => {
  const h = Buffer.from(a).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
});

function primitive(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int8':
      return int(8);
    case 'int16':
      return int(16);
    case 'int32':
      return int(32);
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'uint32':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'float64':
      return fc.double();
    case 'bool':
      return fc.boolean();
    case 'uuid':
      return uuid;
    case 'string':
      // Whole code points (no lone surrogates, which UTF-8 cannot carry), multi-byte ones included.
      return fc.string({ unit: 'binary', maxLength: 12 });
    case 'bytes':
    case 'records':
      return bytes;
    default:
      throw new Error(`no generator for ${type}`);
  }
}

/** Random values of one field at one version; the field's default when the version lacks it. */
function fieldArb(f: FieldSpec, version: number): fc.Arbitrary<unknown> {
  if (!inRange(version, f.versions)) return fc.constant(null).map(() => defaultOf(f));
  let arb: fc.Arbitrary<unknown>;
  if (f.type === '[]') arb = fc.array(structArb(f.fields!, version), { maxLength: 3 });
  else if (f.type === '{}') arb = structArb(f.fields!, version);
  else if (f.type.startsWith('[]')) arb = fc.array(primitive(f.type.slice(2)), { maxLength: 4 });
  else arb = primitive(f.type);
  // `records` are nullable on the wire at every version.
  const nullable = f.type === 'records' || inRange(version, f.nullableVersions);
  if (nullable) arb = fc.option(arb, { nil: null, freq: 4 });
  // Tagged and defaulted fields: make the default common, since it is the value that is left out.
  if (f.taggedVersions || f.default !== undefined) arb = fc.oneof(arb, fc.constant(null).map(() => defaultOf(f)));
  return arb;
}

export function structArb(fields: readonly FieldSpec[], version: number): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) model[f.name] = fieldArb(f, version);
  return fc.record(model);
}
