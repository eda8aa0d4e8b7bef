// Regression: a null value is the default of any field whose schema default is null — arrays and
// bytes included, not only strings and structs. Before the fix, `isDefault` said "not default" for a
// null nullable array with `default: null`, so the tagged field was written needlessly and, in a
// version lacking the field, encoding threw "has a non-default value".
import { describe, expect, it } from 'vitest';
import type { FieldSpec, MessageSpec } from '../../protocol/schema.js';
import { codecFor, isDefault } from '../../src/codec/interpret.js';

const nullArray: FieldSpec = { name: 'ids', type: '[]int32', versions: '1+', nullableVersions: '1+', default: null };
const nullBytes: FieldSpec = { name: 'blob', type: 'bytes', versions: '1+', nullableVersions: '1+', default: null };

describe('isDefault with default: null', () => {
  it('null is the default; an empty array or buffer is not', () => {
    expect(isDefault(nullArray, null)).toBe(true);
    expect(isDefault(nullArray, [])).toBe(false);
    expect(isDefault(nullBytes, null)).toBe(true);
    expect(isDefault(nullBytes, Buffer.alloc(0))).toBe(false);
  });

  it('without default: null, null is not the default of a nullable array', () => {
    expect(isDefault({ ...nullArray, default: undefined }, null)).toBe(false);
  });

  it('encoding a version that lacks the field accepts its null default', () => {
    const spec: MessageSpec = { name: 'T', type: 'data', validVersions: '0-1', flexibleVersions: 'none', fields: [nullArray, nullBytes] };
    expect(Buffer.concat(codecFor(spec, 0).encode({ ids: null, blob: null } as never)).length).toBe(0);
  });
});
