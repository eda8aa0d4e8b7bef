/**
 * ConsumerGroupHeartbeat (key 68): the KIP-848 consumer rebalance protocol. One request does what
 * JoinGroup, SyncGroup, Heartbeat and LeaveGroup do in the classic protocol — join (member epoch 0),
 * stay alive and reconcile (the member's current epoch), leave (-1; -2 for a static member that
 * will be back) — and the assignment is computed by the coordinator (src/group/consumer/).
 *
 * Versions: 0-1 (Kafka 4.x).
 *
 * Behavior:
 * - Fields left null (or -1) mean "unchanged since the last heartbeat"; a join sends them all.
 * - The response carries the member's epoch and, when it changed or the request was a full one,
 *   the partitions it may use now (by topic id).
 * - Errors: 30 GROUP_AUTHORIZATION_FAILED without READ on the group, 29 TOPIC_AUTHORIZATION_FAILED
 *   when a subscribed topic name may not be described (both checked first, as Kafka's KafkaApis);
 *   14 while loading; 24 INVALID_GROUP_ID; 42 INVALID_REQUEST (empty member id at v1, a
 *   join without rebalance timeout or subscription or with owned partitions, epoch < -2, empty
 *   instance or rack id); 25 UNKNOWN_MEMBER_ID; 110 FENCED_MEMBER_EPOCH; 82 FENCED_INSTANCE_ID;
 *   111 UNRELEASED_INSTANCE_ID; 112 UNSUPPORTED_ASSIGNOR; 81 GROUP_MAX_SIZE_REACHED;
 *   69 GROUP_ID_NOT_FOUND (a live classic group of that id); 128 INVALID_REGULAR_EXPRESSION (v1);
 *   35 UNSUPPORTED_VERSION when group.coordinator.rebalance.protocols lacks "consumer".
 *
 * Version notes:
 * - v0: KIP-848 as first released (the coordinator may generate the member id).
 * - v1: subscribed_topic_regex (RE2 syntax); the client generates its member id (KIP-1082).
 */
import { ConsumerGroupHeartbeat } from '../../protocol/messages/68-consumer-group-heartbeat.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

type HeartbeatResponse = Response<typeof ConsumerGroupHeartbeat>;

function refused(errorCode: number): HeartbeatResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}

export default defineHandler({
  api: ConsumerGroupHeartbeat,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx): Promise<HeartbeatResponse> {
    const { authorizer } = ctx.services;
    if (!authorizer.authorize(ctx, AclOperation.READ, 'GROUP', req.groupId)) return refused(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (req.subscribedTopicNames?.some((topic) => !authorizer.authorize(ctx, AclOperation.DESCRIBE, 'TOPIC', topic))) {
      return refused(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    }
    const r = await ctx.services.groups.consumerGroupHeartbeat({
      groupId: req.groupId,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      instanceId: req.instanceId,
      rackId: req.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      subscribedTopicNames: req.subscribedTopicNames,
      subscribedTopicRegex: ctx.apiVersion >= 1 ? req.subscribedTopicRegex : null,
      serverAssignor: req.serverAssignor,
      topicPartitions: req.topicPartitions,
      clientId: ctx.clientId ?? '',
      clientHost: ctx.clientHost.replace(/:\d+$/, ''),
      apiVersion: ctx.apiVersion,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      memberId: r.memberId,
      memberEpoch: r.memberEpoch,
      heartbeatIntervalMs: r.heartbeatIntervalMs,
      assignment: r.assignment === null ? null : { topicPartitions: r.assignment },
    };
  },
});
