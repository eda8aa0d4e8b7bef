/**
 * ListOffsets (key 2): offsets by time — the earliest, the latest, or the first at or after a timestamp.
 *
 * Versions: 0-11, as Kafka 3.9 served v0 (Kafka 4.x's floor is 1). v0 is a different question —
 * offsets at segment boundaries — answered in 02-list-offsets-old-versions.ts.
 *
 * Behavior, by the timestamp asked for (Kafka's `UnifiedLog.fetchOffsetByTimestamp` for a broker
 * without tiered storage):
 * - -1 (latest): the high watermark, or under read_committed (isolation level 1) the last stable
 *   offset: a read_committed consumer starting at "latest" must not start inside an undecided
 *   transaction. Other lookups (but earliest) find nothing at or beyond that offset, as in Kafka.
 * - -2 (earliest) and -4 (earliest local, KIP-405): the log start offset; without tiered storage the
 *   local log is the whole log.
 * - -3 (max timestamp, KIP-734): the first record holding the largest timestamp, and that timestamp.
 * - -5 (latest tiered, KIP-1005) and -6 (earliest pending upload, KIP-1023): nothing is tiered, so
 *   offset -1, timestamp -1, leader epoch -1.
 * - t >= 0: the first record whose timestamp is >= t (the record, not its batch: the log reads the
 *   one batch the time index leads to); -1/-1 when every record is older.
 * - A topic the principal may not DESCRIBE: 29 TOPIC_AUTHORIZATION_FAILED for each of its partitions,
 *   listed after the others, as Kafka's partitionSeqByAuthorized leaves them (v0 too).
 * - Errors per partition, in Kafka's order: 42 INVALID_REQUEST for a partition named twice in the
 *   request (answered once: Kafka keys its answers by partition), 35 UNSUPPORTED_VERSION for a
 *   negative timestamp this version does not know, 3 UNKNOWN_TOPIC_OR_PARTITION, 74/75 for a stale
 *   or future leader epoch. Partitions of a topic named twice are answered under one topic entry.
 *
 * Version notes:
 * - v1: one offset per partition (v0's list is gone).  v2: isolation level, throttle time.
 * - v4: leader epochs.  v6: flexible.  v7: -3.  v8: -4.  v9: -5.  v10: timeout.  v11: -6.
 */
import { ListOffsets } from '../../protocol/messages/02-list-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Request, type RequestContext, type Response } from '../server/handler.js';
import type { PartitionLog } from '../log/partition-log.js';
import { LEADER_EPOCH, leaderEpochError } from '../leader-epoch.js';
import { listOffsetsV0 } from './02-list-offsets-old-versions.js';

type PartitionRequest = Request<typeof ListOffsets>['topics'][number]['partitions'][number];
type PartitionResult = Response<typeof ListOffsets>['topics'][number]['partitions'][number];

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;
const EARLIEST_PENDING_UPLOAD = -6n;

/** The first version that knows each negative timestamp (Kafka's `timestampMinSupportedVersion`). */
const MIN_VERSION = new Map<bigint, number>([
  [LATEST, 1], [EARLIEST, 1], [MAX_TIMESTAMP, 7], [EARLIEST_LOCAL, 8], [LATEST_TIERED, 9], [EARLIEST_PENDING_UPLOAD, 11],
]);

const NOT_FOUND = { offset: -1n, timestamp: -1n };

async function lookup(log: PartitionLog, timestamp: bigint, readCommitted: boolean): Promise<{ offset: bigint; timestamp: bigint }> {
  // Kafka's lastFetchableOffset: what a consumer of this isolation level can read up to.
  const lastFetchable = readCommitted ? log.lastStableOffset : log.highWatermark;
  const fetchable = (found: { offset: bigint; timestamp: bigint } | null) => (found && found.offset < lastFetchable ? found : NOT_FOUND);
  switch (timestamp) {
    case LATEST: return { offset: lastFetchable, timestamp: -1n };
    case EARLIEST:
    case EARLIEST_LOCAL: return { offset: log.logStartOffset, timestamp: -1n };
    case MAX_TIMESTAMP: return fetchable(await log.maxTimestampOffset());
    case LATEST_TIERED:
    case EARLIEST_PENDING_UPLOAD: return NOT_FOUND;
    default: return fetchable(await log.offsetForTimestamp(timestamp));
  }
}

/**
 * The request's partitions once each, grouped by topic in order of first appearance, and which of
 * them were named more than once (Kafka's `ListOffsetsRequest.duplicatePartitions`).
 */
function distinctPartitions(topics: Request<typeof ListOffsets>['topics']) {
  const byTopic = new Map<string, Map<number, PartitionRequest>>();
  const duplicates = new Set<PartitionRequest>();
  for (const t of topics) {
    const partitions = byTopic.get(t.name) ?? new Map<number, PartitionRequest>();
    byTopic.set(t.name, partitions);
    for (const p of t.partitions) {
      const first = partitions.get(p.partitionIndex);
      if (first) duplicates.add(first);
      else partitions.set(p.partitionIndex, p);
    }
  }
  return { byTopic, duplicates };
}

/** v1+: each distinct partition's offset for its timestamp (or special value). */
async function listOffsets(req: Request<typeof ListOffsets>, ctx: RequestContext): Promise<Response<typeof ListOffsets>> {
  const { byTopic, duplicates } = distinctPartitions(req.topics);
  const answer = async (name: string, p: PartitionRequest): Promise<PartitionResult> => {
    const result = {
      partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE as number, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1,
    };
    if (duplicates.has(p)) return { ...result, errorCode: ErrorCode.INVALID_REQUEST };
    if (p.timestamp < 0n && !(ctx.apiVersion >= (MIN_VERSION.get(p.timestamp) ?? Infinity))) {
      return { ...result, errorCode: ErrorCode.UNSUPPORTED_VERSION };
    }
    const log = ctx.services.topics.partitionLog(name, p.partitionIndex);
    if (!log) return { ...result, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    const epochError = leaderEpochError(p.currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) return { ...result, errorCode: epochError };
    const found = await lookup(log, p.timestamp, req.isolationLevel === 1);
    // The leader epoch exists from v4 only (non-ignorable: it must stay at its default before).
    return { ...result, ...found, leaderEpoch: found.offset >= 0n && ctx.apiVersion >= 4 ? LEADER_EPOCH : -1 };
  };
  const topics = await Promise.all(
    [...byTopic].map(async ([name, partitions]) => ({
      name,
      partitions: await Promise.all([...partitions.values()].map((p) => answer(name, p))),
    })),
  );
  return { throttleTimeMs: 0, topics };
}

export default defineHandler({
  api: ListOffsets,
  minVersion: 1,
  legacyMinVersion: 0,
  maxVersion: 11,
  async handle(request, ctx): Promise<Response<typeof ListOffsets>> {
    // Topics the principal may not DESCRIBE are answered 29 and not looked at (Kafka lists them last).
    const mayDescribe = authorizeEach(ctx.services.authorizer, ctx, AclOperation.DESCRIBE, 'TOPIC');
    const refused = request.topics.filter((t) => !mayDescribe(t.name)).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1,
      })),
    }));
    const req = { ...request, topics: request.topics.filter((t) => mayDescribe(t.name)) };
    const answered = ctx.apiVersion === 0 ? await listOffsetsV0(req, ctx.services) : await listOffsets(req, ctx);
    return { ...answered, topics: [...answered.topics, ...refused] };
  },
});
