/**
 * Fetch (key 1): read record batches from partition logs, waiting for data when there is none.
 *
 * Versions: 0-18, as Kafka 3.9 served v0-3 (Kafka 4.x's floor is 4).
 *
 * Behavior:
 * - Bytes go from the segment files to the socket without being decoded: the log returns whole
 *   batches as a Buffer and the encoder sends it as its own chunk (see src/codec/writer.ts). The
 *   buffers are leased from a pool and given back once the response is written (read-buffers.ts).
 * - Long polling (Kafka's DelayedFetch): if fewer than `min_bytes` are available, the request waits
 *   until an append to one of its partitions brings enough, `max_wait_ms` passes, or the connection
 *   closes. Appends wake it through the log's append listeners; nothing polls.
 * - `partition_max_bytes` and `max_bytes` bound the answer, except that the first batch of the first
 *   partition with data is returned whole even when larger (KIP-74), so a consumer always progresses;
 *   every later partition gets only whole batches that fit in what is left (Kafka's `minOneMessage`).
 * - `high_watermark` is the log end offset once written (one replica). `isolation_level` 1
 *   (read_committed, every client's default) reads only up to the `last_stable_offset`, the first
 *   offset of the oldest undecided transaction, and the answer lists the `aborted_transactions`
 *   (producer id, first offset) overlapping the returned batches, from the `.txnindex` files, so
 *   the consumer drops their records itself; the broker still never decodes a batch.
 *   read_uncommitted reads to the high watermark with an empty list.
 * - Fetch sessions (KIP-227, src/fetch/fetch-sessions.ts): a full request (epoch 0) gets a session
 *   id; later requests name only what changed and are answered with only the partitions that have
 *   news. 70 FETCH_SESSION_ID_NOT_FOUND, 71 INVALID_FETCH_SESSION_EPOCH, 106 FETCH_SESSION_TOPIC_ID_ERROR.
 * - Errors per partition: 29 TOPIC_AUTHORIZATION_FAILED (no READ on the topic — or, for a follower's
 *   fetch, no CLUSTER_ACTION — checked before the topic's existence), 1 OFFSET_OUT_OF_RANGE,
 *   3 UNKNOWN_TOPIC_OR_PARTITION, 100 UNKNOWN_TOPIC_ID (v13+), 74/75 for a stale or future leader epoch.
 * - Versions below 10 get Kafka's adjustments for old clients (01-fetch-old-versions.ts); v0-3 read
 *   message sets (magic 0/1), converted from the stored batches.
 *
 * Version notes:
 * - v1: throttle time.  v2: magic 1 messages (timestamps).  v3: max_bytes (KIP-74).
 * - v4: isolation level, last stable offset, aborted transactions.  v5: log start offset.
 * - v7: fetch sessions, forgotten topics.  v9: current leader epoch.  v11: rack id, preferred read
 *   replica.  v12: flexible; diverging epoch and current leader (tagged).  v13: topic ids.
 * - v15: replica state (tagged).  v16: node endpoints (tagged).  v17: replica directory id.  v18: high watermark in request.
 */
import { Fetch } from '../../protocol/messages/01-fetch.js';
import { ErrorCode, isKafkaError } from '../../protocol/errors.js';
import { AclOperation, authorizeCluster, authorizeEach } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { defineHandler, type Request, type Response } from '../server/handler.js';
import type { IsolationLevel, PartitionLog } from '../log/partition-log.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { leaderEpochError } from '../leader-epoch.js';
import type { TopicService } from '../services.js';
import { findTopic } from '../topics/lookup.js';
import { ReadBufferPool, type ReadLease } from '../log/read-buffers.js';
import { answerOldFetchVersion, FIRST_CURRENT_FETCH_VERSION } from './01-fetch-old-versions.js';

type FetchRequest = Request<typeof Fetch>;
type PartitionData = Response<typeof Fetch>['responses'][number]['partitions'][number];

const EMPTY = Buffer.alloc(0);
/** Every fetch's read buffers, reused once the responses holding them are written. */
const readBuffers = new ReadBufferPool();

function partitionResult(partitionIndex: number, errorCode: number, log?: PartitionLog): PartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: log ? log.highWatermark : -1n,
    lastStableOffset: log ? log.lastStableOffset : -1n,
    logStartOffset: log ? log.logStartOffset : -1n,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: errorCode === ErrorCode.NONE ? [] : null,
    preferredReadReplica: -1,
    // Empty, never null: librdkafka rejects a -1 message-set size as a protocol error.
    records: EMPTY,
  };
}

interface Target {
  readonly topicIndex: number;
  readonly partitionIndex: number;
  readonly partition: number;
  readonly fetchOffset: bigint;
  readonly maxBytes: number;
  readonly log?: PartitionLog;
  readonly errorCode: number;
}

/**
 * Each partition's log, or its error. Authorization comes before existence, as in Kafka: a topic
 * the client may not READ is 29 whether it exists or not (by id, an unknown id is 100 first).
 */
function resolveTargets(req: FetchRequest, topics: TopicService, apiVersion: number, mayRead: (topic: string) => boolean): Target[] {
  const targets: Target[] = [];
  req.topics.forEach((t, topicIndex) => {
    const byId = apiVersion >= 13;
    const { topic, errorCode: unknownTopic } = findTopic(topics, byId ? { id: t.topicId } : { name: t.topic });
    const denied = byId ? topic !== undefined && !mayRead(topic.name) : !mayRead(t.topic);
    t.partitions.forEach((p, partitionIndex) => {
      const base = { topicIndex, partitionIndex, partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.partitionMaxBytes };
      const log = topic && !denied && topics.partitionLog(topic.name, p.partition);
      let errorCode: number;
      if (denied) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      else if (!topic) errorCode = unknownTopic;
      else if (!log) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else errorCode = leaderEpochError(p.currentLeaderEpoch);
      targets.push({ ...base, log: log || undefined, errorCode });
    });
  });
  return targets;
}

/**
 * Reads every target within the byte budgets, as Kafka's `ReplicaManager.readFromLog`: each
 * partition gets at most `partition_max_bytes` and what is left of `max_bytes`, and only until the
 * first partition that returns data may a first batch exceed those limits (KIP-74) — so a response
 * holds at most one oversized batch. Returns the results and the bytes read; the records live in
 * `lease`'s buffers.
 */
async function readAll(targets: Target[], maxBytes: number, isolation: IsolationLevel, lease: ReadLease): Promise<{ results: PartitionData[]; bytes: number }> {
  let budget = maxBytes;
  let bytes = 0;
  const results: PartitionData[] = [];
  for (const t of targets) {
    if (t.errorCode !== ErrorCode.NONE || !t.log) {
      results.push(partitionResult(t.partition, t.errorCode, t.log));
      continue;
    }
    const result = partitionResult(t.partition, ErrorCode.NONE, t.log);
    try {
      const read = await t.log.read(t.fetchOffset, Math.max(0, Math.min(t.maxBytes, budget)), { minOneMessage: bytes === 0, isolation, alloc: lease.alloc });
      result.highWatermark = read.highWatermark;
      result.lastStableOffset = read.lastStableOffset;
      result.logStartOffset = read.logStartOffset;
      if (read.abortedTransactions) {
        result.abortedTransactions = read.abortedTransactions.map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
      }
      if (read.records.length > 0) {
        result.records = read.records;
        bytes += read.records.length;
        budget = Math.max(0, budget - read.records.length);
      }
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      results.push(partitionResult(t.partition, err.errorCode, t.log));
      continue;
    }
    results.push(result);
  }
  return { results, bytes };
}

/** Waits until one of the logs is appended to, `ms` passes on `clock`, or the connection closes. */
function waitForAppend(logs: PartitionLog[], ms: number, clock: Clock, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe: (() => void)[] = [];
    const done = () => {
      timeout.cancel();
      for (const u of unsubscribe) u();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timeout = clock.schedule(ms, done);
    for (const log of logs) unsubscribe.push(log.onAppend(done));
    signal.addEventListener('abort', done);
  });
}

export default defineHandler({
  api: Fetch,
  minVersion: 4,
  legacyMinVersion: 0,
  maxVersion: 18,
  // A fetch may answer with up to max_bytes: the connection reads nothing more until it is sent.
  responseBytes: (req) => req.maxBytes,
  async handle(req, ctx): Promise<Response<typeof Fetch>> {
    const { apiVersion } = ctx;
    const { topics } = ctx.services;
    const empty = { throttleTimeMs: 0, sessionId: 0, responses: [], nodeEndpoints: [] };
    // The session decides which partitions this fetch covers, and which of them the answer carries.
    const session = ctx.services.fetchSessions.open(req, apiVersion >= 13);
    if (session.errorCode !== ErrorCode.NONE) return { ...empty, errorCode: session.errorCode };
    req = { ...req, topics: session.topics };

    const clock = ctx.services.clock;
    const deadline = clock.now() + req.maxWaitMs;
    // Consumers need READ on each topic; a follower (replica id >= 0) needs CLUSTER_ACTION.
    const { authorizer } = ctx.services;
    const follower = (apiVersion >= 15 ? req.replicaState.replicaId : req.replicaId) >= 0;
    const mayRead = follower
      ? (authorizeCluster(authorizer, ctx, AclOperation.CLUSTER_ACTION) ? () => true : () => false)
      : authorizeEach(authorizer, ctx, AclOperation.READ, 'TOPIC');
    const isolation: IsolationLevel = req.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted';
    let targets = resolveTargets(req, topics, apiVersion, mayRead);
    let lease = readBuffers.lease();
    let { results, bytes } = await readAll(targets, req.maxBytes, isolation, lease);
    for (;;) {
      const logs = targets.filter((t) => t.log && t.errorCode === ErrorCode.NONE).map((t) => t.log!);
      const anyError = results.some((r) => r.errorCode !== ErrorCode.NONE);
      if (bytes >= req.minBytes || anyError || logs.length === 0 || clock.now() >= deadline || ctx.signal.aborted) break;
      await waitForAppend(logs, deadline - clock.now(), clock, ctx.signal);
      // Resolve again: the wake-up may be a topic deletion, which must answer 3 at once.
      targets = resolveTargets(req, topics, apiVersion, mayRead);
      // The earlier results are dropped here, so nothing can read their buffers any more.
      lease.release();
      lease = readBuffers.lease();
      ({ results, bytes } = await readAll(targets, req.maxBytes, isolation, lease));
    }
    // The response (and any down-converted copy) reads the buffers until it is on the socket.
    const answered = lease;
    ctx.afterResponse(() => answered.release());

    const responses = req.topics.map((t) => ({ topic: t.topic, topicId: apiVersion >= 13 ? t.topicId : ZERO_UUID, partitions: [] as PartitionData[] }));
    targets.forEach((t, i) => responses[t.topicIndex].partitions.push(results[i]));
    // As Kafka: the session picks what the answer carries, then old versions convert what it picked.
    const response = { ...empty, errorCode: ErrorCode.NONE, ...session.respond(responses) };
    if (apiVersion < FIRST_CURRENT_FETCH_VERSION) answerOldFetchVersion(req, response, apiVersion, ctx.services);
    return response;
  },
});
