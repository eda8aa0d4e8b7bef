/**
 * OffsetFetch (key 9): the offsets a group has committed, for given partitions or for all.
 *
 * Versions: 0-10, as Kafka 3.9 served v0 (Kafka 4.x's floor is 1).
 *
 * Behavior:
 * - A partition without a commit (or of an unknown group) answers offset -1, leader epoch -1,
 *   metadata "" and no error — the consumer then applies its auto.offset.reset.
 * - A null topic list (v2+) asks for every partition the group has committed.
 * - Group errors: 14 while loading, 24 INVALID_GROUP_ID. At v1, which has no top-level error
 *   code, they are repeated on every partition; at v2-7 they are the top-level error; at v8+ the
 *   group's error.
 * - Offsets committed inside a transaction (TxnOffsetCommit) are returned only once it commits.
 * - require_stable (v7+, KIP-447): the fetch first waits for the group's commits being written (Kafka
 *   runs it as a write operation, queued behind them); a partition that an open transaction holds an
 *   offset for is answered 88 UNSTABLE_OFFSET_COMMIT with offset -1 (retriable), so a consumer
 *   starting up waits for the transaction instead of starting from the offset before it. A group
 *   that is rebalancing does not make offsets unstable (Kafka 4 checks only pending transactional
 *   offsets).
 * - v10 names topics by id: an unknown id gets 100 UNKNOWN_TOPIC_ID.
 * - Authorization (ACLs): DESCRIBE on the group, else 30 GROUP_AUTHORIZATION_FAILED as the group's
 *   error (on every partition at v1); offsets of a topic the principal may not DESCRIBE are never
 *   shown — asked for, each partition is 29 TOPIC_AUTHORIZATION_FAILED; among all topics, left out.
 *
 * - v0 read offsets from ZooKeeper; Kafka 3.9 in KRaft mode, with no ZooKeeper, answered every
 *   requested partition with 35 UNSUPPORTED_VERSION (offset -1, metadata ""), and so does Tafka.
 *
 * Version notes:
 * - v1: offsets from the group coordinator (v0 read ZooKeeper's).
 * - v2: null = all topics; top-level error code.  v3: throttle time.  v5: leader epoch.
 * - v6: flexible.  v7: require_stable.  v8: many groups in one request (KIP-709).
 * - v9: member id and epoch (KIP-848 groups only; ignored for classic groups): a member of a consumer
 *   group must give its current epoch (113 STALE_MEMBER_EPOCH, 25 UNKNOWN_MEMBER_ID).  v10: topic ids.
 */
import { OffsetFetch } from '../../protocol/messages/09-offset-fetch.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import type { FetchedOffset } from '../group/coordinator.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type RequestContext, type Response } from '../server/handler.js';
import { findTopic } from '../topics/lookup.js';

type RequestedTopic = { name: string; topicId: string; partitionIndexes: number[] };
type UnknownTopic = RequestedTopic & { errorCode: number };
type GroupResult = Response<typeof OffsetFetch>['groups'][number];

/** One group's answer in the v8+ shape; the older shapes are cut from it. */
async function fetchGroup(
  ctx: RequestContext, groupId: string, topics: RequestedTopic[] | null, byId: boolean, requireStable: boolean,
  member?: { memberId: string | null; memberEpoch: number },
): Promise<GroupResult> {
  const { services } = ctx;
  const { authorizer } = services;
  if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, 'GROUP', groupId)) return { groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
  // Offsets of topics the principal may not DESCRIBE are not shown: asked for, they are 29; among
  // "all topics" they are left out.
  const mayDescribe = authorizeEach(authorizer, ctx, AclOperation.DESCRIBE, 'TOPIC');
  // Topic ids in, names to the coordinator; an unknown id is answered without asking it. Names go
  // to the coordinator as they are: it answers -1 for a topic it has no offsets for.
  const unknownIds: UnknownTopic[] = [];
  let asked: { name: string; partitions: number[] }[] | null = null;
  if (topics !== null) {
    asked = [];
    for (const t of topics) {
      const found = byId ? findTopic(services.topics, { id: t.topicId }) : undefined;
      const name = found ? found.topic?.name : t.name;
      if (name === undefined) unknownIds.push({ ...t, errorCode: found!.errorCode });
      else if (!mayDescribe(name)) unknownIds.push({ ...t, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
      else asked.push({ name, partitions: t.partitionIndexes });
    }
  }
  if (requireStable) await services.groups.pendingCommitsWritten(groupId);
  const { errorCode, offsets } = services.groups.fetchOffsets(groupId, asked, requireStable, member);
  const byTopic = new Map<string, FetchedOffset[]>();
  for (const o of offsets) {
    let list = byTopic.get(o.topic);
    if (!list) byTopic.set(o.topic, (list = []));
    list.push(o);
  }
  const result: GroupResult['topics'] = [];
  for (const [name, list] of byTopic) {
    if (!mayDescribe(name)) continue;
    const topicId = byId ? services.topics.get(name)?.id : ZERO_UUID;
    if (topicId === undefined) continue; // a deleted topic has no id to name it by
    result.push({
      name: byId ? '' : name,
      topicId,
      partitions: list.map((o) => ({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: o.leaderEpoch,
        metadata: o.metadata,
        errorCode: o.errorCode,
      })),
    });
  }
  for (const t of unknownIds) {
    result.push({
      name: byId ? '' : t.name,
      topicId: t.topicId,
      partitions: t.partitionIndexes.map((p) => ({
        partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: t.errorCode,
      })),
    });
  }
  return { groupId, topics: result, errorCode };
}

/**
 * Every requested partition with one error, once each (Kafka's OffsetFetchRequest.getErrorResponse
 * for versions without a top-level error code).
 */
function partitionErrors(asked: RequestedTopic[], errorCode: number) {
  const byTopic = new Map<string, Set<number>>();
  for (const t of asked) {
    const partitions = byTopic.get(t.name) ?? new Set<number>();
    for (const p of t.partitionIndexes) partitions.add(p);
    byTopic.set(t.name, partitions);
  }
  return [...byTopic].map(([name, partitions]) => ({
    name,
    partitions: [...partitions].map((p) => ({ partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode })),
  }));
}

export default defineHandler({
  api: OffsetFetch,
  minVersion: 1,
  legacyMinVersion: 0,
  maxVersion: 10,
  async handle(req, ctx): Promise<Response<typeof OffsetFetch>> {
    const v = ctx.apiVersion;
    const requireStable = v >= 7 && req.requireStable;
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        topics: [],
        errorCode: 0,
        groups: await Promise.all(req.groups.map((g) =>
          fetchGroup(ctx, g.groupId, g.topics?.map((t) => ({ ...t, name: t.name })) ?? null, v >= 10, requireStable,
            v >= 9 ? { memberId: g.memberId, memberEpoch: g.memberEpoch } : undefined))),
      };
    }
    const asked = req.topics?.map((t) => ({ name: t.name, topicId: ZERO_UUID, partitionIndexes: t.partitionIndexes })) ?? null;
    if (v === 0) {
      ctx.log.warn({ groupId: req.groupId }, 'OffsetFetch v0 reads offsets from ZooKeeper, which a KRaft broker does not have');
      return { throttleTimeMs: 0, topics: partitionErrors(asked ?? [], ErrorCode.UNSUPPORTED_VERSION), errorCode: 0, groups: [] };
    }
    const g = await fetchGroup(ctx, req.groupId, asked, false, requireStable);
    let topics = g.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ ...p, committedLeaderEpoch: v >= 5 ? p.committedLeaderEpoch : -1 })),
    }));
    if (g.errorCode !== ErrorCode.NONE) {
      // v1 has nowhere else to put a group error than on each requested partition.
      topics = v >= 2 ? [] : partitionErrors(asked ?? [], g.errorCode);
    }
    return { throttleTimeMs: 0, topics, errorCode: v >= 2 ? g.errorCode : 0, groups: [] };
  },
});
