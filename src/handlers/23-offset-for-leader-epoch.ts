/**
 * OffsetForLeaderEpoch (key 23): where a leader epoch ends, so a consumer can check that the offset
 * it holds was not truncated away by a leader change (KIP-320; the Java consumer and librdkafka use it).
 *
 * Versions: 0-4, as Kafka 3.9 served v0-1 (Kafka 4.x's floor is 2).
 *
 * Behavior:
 * - A single broker has led every partition since epoch 0, so epoch 0 (or any later epoch asked for)
 *   ends at the log end offset. Asking with a current leader epoch above 0 gets 75
 *   UNKNOWN_LEADER_EPOCH; an unknown partition gets 3 UNKNOWN_TOPIC_OR_PARTITION.
 * - ACLs: CLUSTER_ACTION (a follower's), or DESCRIBE on the topic, else 29 TOPIC_AUTHORIZATION_FAILED.
 *
 * Version notes:
 * - v0: the end offset only.  v1: the leader epoch of that end offset.
 * - v2: current leader epoch.  v3: replica id.  v4: flexible.
 */
import { OffsetForLeaderEpoch } from '../../protocol/messages/23-offset-for-leader-epoch.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizeCluster, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';
import { LEADER_EPOCH, leaderEpochError } from '../leader-epoch.js';

export default defineHandler({
  api: OffsetForLeaderEpoch,
  minVersion: 2,
  legacyMinVersion: 0,
  maxVersion: 4,
  handle(req, ctx): Response<typeof OffsetForLeaderEpoch> {
    // ACLs: CLUSTER_ACTION (a follower) covers every topic; else DESCRIBE on each.
    const { authorizer } = ctx.services;
    const mayDescribe = authorizeCluster(authorizer, ctx, AclOperation.CLUSTER_ACTION) ? () => true : authorizeEach(authorizer, ctx, AclOperation.DESCRIBE, 'TOPIC');
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const base = { partition: p.partition, errorCode: ErrorCode.NONE as number, leaderEpoch: -1, endOffset: -1n };
          if (!mayDescribe(t.topic)) return { ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
          const log = ctx.services.topics.partitionLog(t.topic, p.partition);
          if (!log) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          const epochError = leaderEpochError(p.currentLeaderEpoch);
          if (epochError !== ErrorCode.NONE) return { ...base, errorCode: epochError };
          if (p.leaderEpoch < 0 || p.leaderEpoch > LEADER_EPOCH) return base;
          return { ...base, leaderEpoch: LEADER_EPOCH, endOffset: log.logEndOffset };
        }),
      })),
    };
  },
});
