/**
 * DescribeGroups (key 15): a group's state, protocol and members, with their subscriptions and
 * assignments.
 *
 * Versions: 0-6.
 *
 * Behavior:
 * - State names are Kafka's: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead.
 * - Member metadata (subscription) and assignment, and the protocol name (protocol_data), are
 *   filled in only when the group is Stable, as in Kafka; otherwise members are listed without them.
 * - An unknown group: before v6 it is described as Dead with no error, as Kafka always did; from
 *   v6 it gets 69 GROUP_ID_NOT_FOUND with a message (KIP-1043).
 * - 14 while loading, 24 for an empty group id.
 * - include_authorized_operations (v3+): each group answered without an error gets the GROUP
 *   operations the authorizer allows, as a bit field (KIP-430; all of them until Tafka has ACLs).
 * - A group the principal may not DESCRIBE (ACLs): 30 GROUP_AUTHORIZATION_FAILED, nothing else about it.
 *
 * Version notes:
 * - v1: throttle time.  v3: authorized operations.  v4: group instance ids.  v5: flexible.
 * - v6: error message; GROUP_ID_NOT_FOUND for unknown groups.
 */
import { DescribeGroups } from '../../protocol/messages/15-describe-groups.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizedOperations, OPERATIONS_NOT_REQUESTED } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: DescribeGroups,
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx): Response<typeof DescribeGroups> {
    const v = ctx.apiVersion;
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        if (!ctx.services.authorizer.authorize(ctx, AclOperation.DESCRIBE, 'GROUP', groupId)) {
          return {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, groupId, groupState: '', protocolType: '', protocolData: '',
            members: [], authorizedOperations: OPERATIONS_NOT_REQUESTED,
          };
        }
        const d = ctx.services.groups.describeGroup(groupId);
        let errorCode = d.errorCode;
        if (errorCode === ErrorCode.GROUP_ID_NOT_FOUND && v < 6) errorCode = ErrorCode.NONE;
        return {
          errorCode,
          errorMessage: v >= 6 && errorCode === ErrorCode.GROUP_ID_NOT_FOUND ? `Group ${groupId} not found.` : null,
          groupId,
          groupState: d.state,
          protocolType: d.protocolType,
          protocolData: d.protocolData,
          members: d.members.map((m) => ({ ...m, groupInstanceId: v >= 4 ? m.groupInstanceId : null })),
          authorizedOperations: v >= 3 && req.includeAuthorizedOperations && errorCode === ErrorCode.NONE
            ? authorizedOperations(ctx.services.authorizer, ctx, 'GROUP', groupId)
            : OPERATIONS_NOT_REQUESTED,
        };
      }),
    };
  },
});
