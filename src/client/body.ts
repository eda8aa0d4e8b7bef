/**
 * Request bodies from the fields a caller cares about: every field left out takes its schema
 * default, in nested structs and arrays of structs too, so a request reads like the few values that
 * matter (`{ topics: [{ name: 't' }] }`) rather than the dozens a schema has.
 */
import type { FieldSpec, MessageOf, MessageSpec } from '../../protocol/schema.js';
import { defaultOf } from '../codec/interpret.js';

type DeepPartial<T> = T extends Buffer | bigint ? T : T extends (infer E)[] ? DeepPartial<E>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export type Partial<M extends MessageSpec> = DeepPartial<MessageOf<M>>;

function fillStruct(fields: readonly FieldSpec[], given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = given[f.name];
    if (v === undefined) out[f.name] = defaultOf(f);
    else if (v === null) out[f.name] = null;
    else if (f.fields && f.type === '[]') out[f.name] = (v as Record<string, unknown>[]).map((e) => fillStruct(f.fields!, e));
    else if (f.fields && f.type === '{}') out[f.name] = fillStruct(f.fields, v as Record<string, unknown>);
    else out[f.name] = v;
  }
  return out;
}

export function fill<M extends MessageSpec>(spec: M, given: Partial<M>): MessageOf<M> {
  return fillStruct(spec.fields, given as Record<string, unknown>) as MessageOf<M>;
}
