/**
 * The answer to a request whose handler failed: Kafka's `AbstractRequest.getErrorResponse`, for
 * every API and version at once, built from the schemas.
 *
 * When a Kafka request handler throws, KafkaApis answers the request with the error in every
 * error-code field of the response (UNKNOWN_SERVER_ERROR, -1, for an unexpected exception) and keeps
 * the connection; only a malformed frame closes it. Each Kafka request class writes that answer by
 * hand. They all follow one pattern, which is written here once:
 * - every `errorCode` field gets the code, every `errorMessage` its message (none for -1, so that
 *   nothing internal leaks: Kafka's ApiError does the same);
 * - a response that lists what its request asked about (topics and partitions, groups, config
 *   resources) lists the same items, with their keys copied, each carrying the error: ECHOES says,
 *   per API, which request list each response list repeats;
 * - every other field keeps its schema default, except that ids, epochs, offsets and timestamps
 *   are -1, Kafka's "unknown" (NO_PRODUCER_ID, UNKNOWN_OFFSET, Node.noNode()...).
 *
 * Produce with acks=0 expects no answer at all; Kafka closes the connection instead (there the
 * close is the error report), and so does Tafka.
 */
import type { ApiSpec, FieldSpec } from '../../protocol/schema.js';
import { ErrorCode, errorInfo, isKafkaError } from '../../protocol/errors.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import { defaultOf } from '../codec/interpret.js';
import { inRange } from '../codec/versions.js';

/** How one response list repeats a request list, item for item. */
export interface ListEcho {
  /** The request list it repeats: the first of these names that the request version has. */
  readonly from: string | readonly string[];
  /** Response field ← request field, copied from each item. */
  readonly keys?: Readonly<Record<string, string>>;
  /** For a request list of plain values (topic names, group ids): the response field each value fills. */
  readonly item?: string;
  /** Lists inside each item, relative to the request item. */
  readonly lists?: Readonly<Record<string, ListEcho>>;
  /** The last version that repeats the list; later versions answer with the top-level error alone. */
  readonly untilVersion?: number;
  /** With several `from` lists: one item per item of each (not of the first present one). */
  readonly concat?: boolean;
}

/** Top-level fields copied from the request, the lists to repeat, and fields Kafka sets to null. */
export interface Echo {
  readonly keys?: Readonly<Record<string, string>>;
  readonly lists?: Readonly<Record<string, ListEcho>>;
  readonly nulls?: readonly string[];
}

const topicPartitions = (topicKeys: Record<string, string>, partitionList: string, partitionKeys: Record<string, string>): ListEcho => ({
  from: 'topics', keys: topicKeys, lists: { partitions: { from: partitionList, keys: partitionKeys } },
});
const resources: ListEcho = { from: 'resources', keys: { resourceType: 'resourceType', resourceName: 'resourceName' } };

/**
 * Kafka's getErrorResponse, per API key: which response lists repeat which request lists. APIs not
 * listed answer with their top-level error code alone (JoinGroup, Heartbeat, ApiVersions, ...).
 */
export const ECHOES: Readonly<Record<number, Echo>> = {
  0: { lists: { responses: { from: 'topicData', keys: { name: 'name', topicId: 'topicId' }, lists: { partitionResponses: { from: 'partitionData', keys: { index: 'index' } } } } } },
  // Fetch v13+ carries the error at the top level only (FetchRequest.getErrorResponse).
  1: { keys: { sessionId: 'sessionId' }, lists: { responses: { ...topicPartitions({ topic: 'topic', topicId: 'topicId' }, 'partitions', { partitionIndex: 'partition' }), untilVersion: 12 } } },
  2: { lists: { topics: topicPartitions({ name: 'name' }, 'partitions', { partitionIndex: 'partitionIndex' }) } },
  3: { lists: { topics: { from: 'topics', keys: { name: 'name', topicId: 'topicId' } } } },
  8: { lists: { topics: topicPartitions({ name: 'name', topicId: 'topicId' }, 'partitions', { partitionIndex: 'partitionIndex' }) } },
  // OffsetFetch: v0-1 per partition; v2-7 the top-level error alone; v8+ per group.
  9: {
    lists: {
      topics: { from: 'topics', keys: { name: 'name' }, lists: { partitions: { from: 'partitionIndexes', item: 'partitionIndex' } }, untilVersion: 1 },
      groups: { from: 'groups', keys: { groupId: 'groupId' } },
    },
  },
  10: { lists: { coordinators: { from: 'coordinatorKeys', item: 'key' } } },
  15: { lists: { groups: { from: 'groups', item: 'groupId' } } },
  19: { lists: { topics: { from: 'topics', keys: { name: 'name' } } } },
  20: { lists: { responses: { from: ['topics', 'topicNames'], keys: { name: 'name', topicId: 'topicId' }, item: 'name' } } },
  21: { lists: { topics: topicPartitions({ name: 'name' }, 'partitions', { partitionIndex: 'partitionIndex' }) } },
  23: { lists: { topics: topicPartitions({ topic: 'topic' }, 'partitions', { partition: 'partition' }) } },
  30: { lists: { results: { from: 'creations' } } },
  31: { lists: { filterResults: { from: 'filters' } } },
  32: { lists: { results: resources } },
  33: { lists: { responses: resources } },
  37: { lists: { results: { from: 'topics', keys: { name: 'name' } } } },
  42: { lists: { results: { from: 'groupsNames', item: 'groupId' } } },
  44: { lists: { responses: resources } },
  48: { nulls: ['entries'] },
  49: { lists: { entries: { from: 'entries', keys: { entity: 'entity' } } } },
  // AddPartitionsToTxn v4+ (batched) answers with the top-level error alone.
  24: { lists: { resultsByTopicV3AndBelow: { from: 'v3AndBelowTopics', keys: { name: 'name' }, lists: { resultsByPartition: { from: 'partitions', item: 'partitionIndex' } } } } },
  27: {
    lists: {
      markers: {
        from: 'markers', keys: { producerId: 'producerId' },
        lists: { topics: { from: 'topics', keys: { name: 'name' }, lists: { partitions: { from: 'partitionIndexes', item: 'partitionIndex' } } } },
      },
    },
  },
  28: { lists: { topics: topicPartitions({ name: 'name' }, 'partitions', { partitionIndex: 'partitionIndex' }) } },
  // Kafka answers each user named in a deletion or an upsertion.
  51: { lists: { results: { from: ['deletions', 'upsertions'], keys: { user: 'name' }, concat: true } } },
  61: { lists: { topics: { from: 'topics', keys: { name: 'name' }, lists: { partitions: { from: 'partitionIndexes', item: 'partitionIndex' } } } } },
  65: { lists: { transactionStates: { from: 'transactionalIds', item: 'transactionalId' } } },
  69: { lists: { groups: { from: 'groupIds', item: 'groupId' } } },
};

/** Integer fields Kafka fills with -1 ("unknown") in an error answer. */
const UNKNOWN_IS_MINUS_ONE = /(Id|Epoch|Offset|Watermark|Timestamp|timestamp|port|Port)$/;
const INTEGER = new Set(['int8', 'int16', 'int32', 'int64']);

/** Kafka's error code and message for an exception thrown while handling a request. */
export function errorFor(err: unknown): { code: number; message: string | null } {
  if (isKafkaError(err)) {
    // As Kafka's ApiError: no message when it would only repeat the error's name.
    return { code: err.errorCode, message: err.message === errorInfo(err.errorCode).name ? null : err.message };
  }
  // The log directory failing under us: Kafka turns such IOExceptions into KafkaStorageException.
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (errno === 'EIO' || errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'EROFS') {
    return { code: ErrorCode.KAFKA_STORAGE_ERROR, message: null };
  }
  return { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: null };
}

/** True when the request expects no response (Produce with acks=0): a failure closes the connection. */
export function expectsNoResponse(api: ApiSpec, request: unknown): boolean {
  return api.apiKey === Produce.apiKey && (request as { acks?: number }).acks === 0;
}

/** The request fields and item an answer is being built from (none inside unrepeated structs). */
type SourceFields = readonly FieldSpec[] | undefined;
type SourceItem = Record<string, unknown> | undefined;

interface Fill {
  readonly version: number;
  readonly code: number;
  readonly message: string | null;
}

/** The response to `request` (decoded at `version`) saying `code` everywhere it can. */
export function errorResponse(api: ApiSpec, version: number, request: unknown, code: number, message: string | null = null): Record<string, unknown> {
  const fill: Fill = { version, code, message };
  return struct(api.response.fields, api.request.fields, request as SourceItem, ECHOES[api.apiKey] ?? {}, fill);
}

function struct(fields: readonly FieldSpec[], sourceFields: SourceFields, source: SourceItem, echo: Echo | ListEcho, fill: Fill): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f.name] = value(f, sourceFields, source, echo, fill);
  return out;
}

function value(f: FieldSpec, sourceFields: SourceFields, source: SourceItem, echo: Echo | ListEcho, fill: Fill): unknown {
  const { version } = fill;
  if (!inRange(version, f.versions)) return defaultOf(f);
  const nullable = inRange(version, f.nullableVersions);
  if (f.name === 'errorCode' || f.name === 'partitionErrorCode') return fill.code;
  if (f.name === 'errorMessage') return nullable ? fill.message : (fill.message ?? '');
  if (nullable && 'nulls' in echo && echo.nulls?.includes(f.name)) return null;
  const key = echo.keys?.[f.name];
  if (key !== undefined && source && source[key] !== undefined) {
    const copied = source[key];
    return copied === null && !nullable ? defaultOf(f) : copied;
  }
  const list = echo.lists?.[f.name];
  if (list && f.type === '[]') return repeat(f, list, sourceFields, source, fill);
  if (f.type === '{}' && !nullable) return struct(f.fields!, undefined, undefined, {}, fill);
  if (f.default === undefined && INTEGER.has(f.type) && UNKNOWN_IS_MINUS_ONE.test(f.name)) return f.type === 'int64' ? -1n : -1;
  return defaultOf(f);
}

/** One response item per item of the request list the echo names. */
function repeat(f: FieldSpec, list: ListEcho, sourceFields: SourceFields, source: SourceItem, fill: Fill): unknown[] {
  if (!source || !sourceFields || (list.untilVersion !== undefined && fill.version > list.untilVersion)) return [];
  const names = typeof list.from === 'string' ? [list.from] : list.from;
  if (list.concat && names.length > 1) return names.flatMap((name) => repeat(f, { ...list, from: name }, sourceFields, source, fill));
  const from = names.map((n) => sourceFields.find((s) => s.name === n)).find((s) => s && inRange(fill.version, s.versions));
  const items = from ? source[from.name] : undefined;
  if (!from || !Array.isArray(items)) return []; // a null list ("all topics") is answered with none
  return items.map((item) => {
    if (from.type !== '[]') {
      const out = struct(f.fields!, undefined, undefined, {}, fill);
      if (list.item) out[list.item] = item;
      return out;
    }
    return struct(f.fields!, from.fields, item as Record<string, unknown>, list, fill);
  });
}
