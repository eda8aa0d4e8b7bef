/**
 * ConsumerGroupDescribe (key 69): a KIP-848 group's epochs, assignor and members, each with its
 * subscription, current assignment and target assignment (what DescribeGroups is for classic groups).
 *
 * Versions: 0-1 (Kafka 4.x).
 *
 * Behavior:
 * - States: Empty, Assigning, Reconciling, Stable (src/group/consumer/consumer-group.ts).
 * - A group that does not exist, or is a classic group, gets 69 GROUP_ID_NOT_FOUND with a message;
 *   14 while loading; 24 INVALID_GROUP_ID for an empty id; 30 GROUP_AUTHORIZATION_FAILED without
 *   DESCRIBE on the group (checked first).
 * - include_authorized_operations: the GROUP operations the authorizer allows (KIP-430).
 *
 * Version notes:
 * - v1: member_type (KIP-1099): 1 for members using the consumer protocol, 0 for classic ones.
 */
import { ConsumerGroupDescribe } from '../../protocol/messages/69-consumer-group-describe.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizedOperations, OPERATIONS_NOT_REQUESTED } from '../auth/authorizer.js';
import type { Assignment } from '../group/consumer/assignment.js';
import { toTopicPartitions } from '../group/consumer/assignment.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: ConsumerGroupDescribe,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx): Response<typeof ConsumerGroupDescribe> {
    const { groups, topics } = ctx.services;
    const described = (a: Assignment) => ({
      topicPartitions: toTopicPartitions(a).map((t) => ({ ...t, topicName: topics.getById(t.topicId)?.name ?? '' })),
    });
    return {
      throttleTimeMs: 0,
      groups: req.groupIds.map((groupId) => {
        const d = ctx.services.authorizer.authorize(ctx, AclOperation.DESCRIBE, 'GROUP', groupId)
          ? groups.consumerGroupDescribe(groupId)
          : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, state: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
        return {
          errorCode: d.errorCode,
          errorMessage: d.errorMessage,
          groupId,
          groupState: d.state,
          groupEpoch: d.groupEpoch,
          assignmentEpoch: d.assignmentEpoch,
          assignorName: d.assignorName,
          members: d.members.map((m) => ({
            memberId: m.memberId,
            instanceId: m.instanceId,
            rackId: m.rackId,
            memberEpoch: m.memberEpoch,
            clientId: m.clientId,
            clientHost: m.clientHost,
            subscribedTopicNames: [...m.subscribedTopicNames],
            subscribedTopicRegex: m.subscribedTopicRegex,
            assignment: described(m.assignment),
            targetAssignment: described(m.targetAssignment),
            memberType: m.memberType,
          })),
          authorizedOperations: req.includeAuthorizedOperations && d.errorCode === ErrorCode.NONE
            ? authorizedOperations(ctx.services.authorizer, ctx, 'GROUP', groupId)
            : OPERATIONS_NOT_REQUESTED,
        };
      }),
    };
  },
});
