/**
 * LeaveGroup (key 13): members leave a group at once instead of waiting for their session to time
 * out, so their partitions move in the next rebalance without delay.
 *
 * Versions: 0-5.
 *
 * Behavior:
 * - Each leaving member is removed; a Stable or CompletingRebalance group then rebalances.
 * - A static member may be removed by instance id alone (empty member id), as the admin client does.
 * - Per member errors: 25 UNKNOWN_MEMBER_ID, 82 FENCED_INSTANCE_ID. An unknown group: every member
 *   gets 25. Before v3 (one member, no per-member list) the member's error is the top-level error.
 * - 14 while loading, 24 for an empty group id (top level).
 * - Without READ on the group (ACLs): 30 GROUP_AUTHORIZATION_FAILED, before anything else.
 *
 * Version notes:
 * - v1: throttle time.  v3: a batch of members, with group instance ids (KIP-345).
 * - v4: flexible.  v5: reason.
 */
import { LeaveGroup } from '../../protocol/messages/13-leave-group.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx): Promise<Response<typeof LeaveGroup>> {
    if (!ctx.services.authorizer.authorize(ctx, AclOperation.READ, 'GROUP', req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    }
    const batched = ctx.apiVersion >= 3;
    const leaving = batched ? req.members : [{ memberId: req.memberId, groupInstanceId: null }];
    const { errorCode, memberErrors } = await ctx.services.groups.leaveGroup(req.groupId, leaving);
    if (!batched) return { throttleTimeMs: 0, errorCode: errorCode || memberErrors[0]!, members: [] };
    return {
      throttleTimeMs: 0,
      errorCode,
      members: errorCode !== ErrorCode.NONE ? [] : leaving.map((m, i) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        errorCode: memberErrors[i]!,
      })),
    };
  },
});
