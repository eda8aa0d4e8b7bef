/**
 * The vocabulary of Tafka's protocol schemas.
 *
 * Every Kafka API is described once, as data, in `protocol/messages/NN-name.ts`, using the same
 * words as Apache Kafka's own JSON message specs: `validVersions`, `flexibleVersions`, and per field
 * `versions`, `nullableVersions`, `taggedVersions` + `tag`, `default`, `ignorable`.
 * Field names are camelCase forms of Kafka's (`ThrottleTimeMs` → `throttleTimeMs`).
 *
 * Nothing here does I/O or knows about bytes: `src/codec/interpret.ts` turns a schema and a version
 * into a reader and a writer, and `Infer<>` turns a schema into the TypeScript type handlers use.
 */

/** Version ranges as Kafka writes them: "0+", "3-7", "5", or "none". */
export type VersionRange = string;

export type PrimitiveType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'uint32'
  | 'float64'
  | 'bool'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records';

/** `[]int32` is an array of a primitive; `[]` with `fields` is an array of structs; `{}` with `fields` one struct. */
export type FieldType = PrimitiveType | `[]${Exclude<PrimitiveType, 'records'>}` | '[]' | '{}';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  /** A tagged field (KIP-482): only in flexible versions, written only when it differs from its default. */
  readonly taggedVersions?: VersionRange;
  readonly tag?: number;
  readonly default?: number | bigint | string | boolean | null;
  /** A non-ignorable field must not carry a non-default value at a version that lacks it. */
  readonly ignorable?: boolean;
  /** Only "none": the request header's client id stays a classic string in flexible headers. */
  readonly flexibleVersions?: 'none';
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  readonly name: string;
  readonly type: 'request' | 'response' | 'header' | 'data';
  readonly apiKey?: number;
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  readonly fields: readonly FieldSpec[];
}

/** A request and its response: what one `protocol/messages/NN-*.ts` file exports. */
export interface ApiSpec {
  readonly apiKey: number;
  readonly name: string;
  readonly request: MessageSpec;
  readonly response: MessageSpec;
}

/** A uuid is carried as its canonical string: "00000000-0000-0000-0000-000000000000" is Kafka's zero uuid. */
export type UuidString = string;

/** Kafka's zero uuid (Uuid.ZERO_UUID): "no topic id", the default of every uuid field. */
export const ZERO_UUID: UuidString = '00000000-0000-0000-0000-000000000000';

/**
 * `records` fields: one Buffer when decoded; when encoding, a list of Buffers is also accepted so a
 * fetch can hand over several file reads without concatenating them.
 */
export type RecordsValue = Buffer | readonly Buffer[] | null;

type PrimitiveValue<T extends PrimitiveType> = T extends 'int64'
  ? bigint
  : T extends 'bool'
    ? boolean
    : T extends 'string' | 'uuid'
      ? string
      : T extends 'bytes'
        ? Buffer
        : T extends 'records'
          ? RecordsValue
          : number;

type NonNullValue<F extends FieldSpec> = F['type'] extends '[]'
  ? F['fields'] extends readonly FieldSpec[]
    ? Infer<F['fields']>[]
    : never
  : F['type'] extends '{}'
    ? F['fields'] extends readonly FieldSpec[]
      ? Infer<F['fields']>
      : never
    : F['type'] extends `[]${infer P extends PrimitiveType}`
      ? PrimitiveValue<P>[]
      : F['type'] extends PrimitiveType
        ? PrimitiveValue<F['type']>
        : never;

type FieldValue<F extends FieldSpec> = F extends { nullableVersions: string }
  ? NonNullValue<F> | null
  : F['type'] extends 'records'
    ? RecordsValue
    : NonNullValue<F>;

/** The TypeScript shape of a struct: one property per field, present at every version. */
export type Infer<Fs extends readonly FieldSpec[]> = {
  -readonly [F in Fs[number] as F['name']]: FieldValue<F>;
};

/** The TypeScript shape of a whole message. */
export type MessageOf<M extends MessageSpec> = Infer<M['fields']>;

/** Identity helpers that keep literal types (so `Infer` works) and check the shape. */
export function message<const M extends MessageSpec>(spec: M): M {
  return spec;
}

export function api<const A extends ApiSpec>(spec: A): A {
  return spec;
}
