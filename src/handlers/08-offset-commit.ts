/**
 * OffsetCommit (key 8): a consumer records how far it has read, per partition, for its group.
 *
 * Versions: 0-10, as Kafka 3.9 served v0-1 (Kafka 4.x's floor is 2).
 *
 * Behavior:
 * - The commit is acknowledged only once it is written to the coordinator's log
 *   (`__consumer_offsets`), so an acknowledged commit survives a crash of the broker.
 * - Group members commit with their generation and member id; a consumer that assigns partitions
 *   itself (or an admin client) commits with generation -1 to an Empty or unknown group, which
 *   then holds just offsets.
 * - The metadata string and the leader epoch are stored and returned by OffsetFetch.
 * - Errors, for every partition: 14 while loading; 24 INVALID_GROUP_ID; 25 UNKNOWN_MEMBER_ID;
 *   22 ILLEGAL_GENERATION (or 69 GROUP_ID_NOT_FOUND from v9 when a member commits to a group
 *   that does not exist); 27 REBALANCE_IN_PROGRESS while the group waits for its assignment;
 *   82 FENCED_INSTANCE_ID. Per partition: 3 UNKNOWN_TOPIC_OR_PARTITION (100 UNKNOWN_TOPIC_ID at
 *   v10) for a partition that does not exist; 12 OFFSET_METADATA_TOO_LARGE over 4096 bytes.
 * - ACLs: READ on the group, else every partition is 30 GROUP_AUTHORIZATION_FAILED; READ on each
 *   topic, else its partitions are 29 TOPIC_AUTHORIZATION_FAILED (before their existence is checked).
 *
 * - v0 stored offsets in ZooKeeper, never in the group coordinator; a KRaft broker has no ZooKeeper,
 *   so Kafka 3.9 in KRaft mode failed every v0 commit with 35 UNSUPPORTED_VERSION on every partition
 *   of the request — once a partition of it exists (otherwise each gets 3 as usual). So does Tafka:
 *   Kafka 0.8.1-era clients must commit with v1+, as they would against Kafka 3.9.
 *
 * Version notes:
 * - v1: generation and member id; commit_timestamp (-1: now), kept as the commit's time, from which
 *   offsets.retention.minutes counts for a group without members.
 * - v2-4: retention_time_ms (a per-commit expiry; -1 = offsets.retention.minutes).
 * - v3: throttle time.  v5: no retention time.  v6: committed leader epoch.
 * - v7: group instance id.  v8: flexible.  v9: KIP-848 member epochs; GROUP_ID_NOT_FOUND.
 * - v10: topics by id (KIP-848 family), names omitted.
 */
import { OffsetCommit } from '../../protocol/messages/08-offset-commit.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import type { OffsetCommitEntry } from '../group/coordinator.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';
import { findTopic } from '../topics/lookup.js';

export default defineHandler({
  api: OffsetCommit,
  minVersion: 2,
  legacyMinVersion: 0,
  maxVersion: 10,
  async handle(req, ctx): Promise<Response<typeof OffsetCommit>> {
    const { topics, groups, authorizer } = ctx.services;
    const byId = ctx.apiVersion >= 10;
    const groupDenied = !authorizer.authorize(ctx, AclOperation.READ, 'GROUP', req.groupId);
    const mayRead = authorizeEach(authorizer, ctx, AclOperation.READ, 'TOPIC');
    // Per partition: a fixed error, or the index of its entry in the commit.
    const slots: (number | { entry: number })[][] = [];
    const entries: OffsetCommitEntry[] = [];
    for (const t of req.topics) {
      const { topic, errorCode: unknownTopic } = findTopic(topics, byId ? { id: t.topicId } : { name: t.name });
      const topicDenied = byId ? topic !== undefined && !mayRead(topic.name) : !mayRead(t.name);
      slots.push(t.partitions.map((p) => {
        if (groupDenied) return ErrorCode.GROUP_AUTHORIZATION_FAILED;
        if (topicDenied) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        if (!topic) return unknownTopic;
        if (p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        entries.push({
          topic: topic.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
          commitTimestamp: Number(p.commitTimestamp),
        });
        return { entry: entries.length - 1 };
      }));
    }
    if (ctx.apiVersion === 0 && entries.length > 0) {
      // Kafka 3.9 (KRaft): "Unsupported when using a Raft-based metadata quorum: Version 0 offset
      // commit requests" — answered on every partition of the request.
      ctx.log.warn({ groupId: req.groupId }, 'OffsetCommit v0 stores offsets in ZooKeeper, which a KRaft broker does not have');
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          topicId: ZERO_UUID,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNSUPPORTED_VERSION })),
        })),
      };
    }
    const codes = groupDenied ? [] : await groups.commitOffsets(req.groupId, {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      generationId: req.generationIdOrMemberEpoch,
      retentionTimeMs: ctx.apiVersion <= 4 ? Number(req.retentionTimeMs) : -1,
      apiVersion: ctx.apiVersion,
      entries,
    });
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, ti) => ({
        name: byId ? '' : t.name,
        topicId: byId ? t.topicId : ZERO_UUID,
        partitions: t.partitions.map((p, pi) => {
          const slot = slots[ti]![pi]!;
          return { partitionIndex: p.partitionIndex, errorCode: typeof slot === 'number' ? slot : codes[slot.entry]! };
        }),
      })),
    };
  },
});
