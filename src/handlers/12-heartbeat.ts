/**
 * Heartbeat (key 12): a member says it is alive, and learns whether it must rejoin.
 *
 * Versions: 0-4.
 *
 * Behavior:
 * - Each heartbeat restarts the member's session timeout; a member silent for longer is removed and
 *   the group rebalances.
 * - 0 in Stable and CompletingRebalance; 27 REBALANCE_IN_PROGRESS while the group prepares a
 *   rebalance — the signal to send JoinGroup.
 * - Errors: 14 while loading; 25 UNKNOWN_MEMBER_ID (unknown member or group, or the group is
 *   Empty); 22 ILLEGAL_GENERATION; 82 FENCED_INSTANCE_ID.
 * - Without READ on the group (ACLs): 30 GROUP_AUTHORIZATION_FAILED, before anything else.
 *
 * Version notes:
 * - v1: throttle time.  v2: no change.  v3: group instance id.  v4: flexible.
 */
import { Heartbeat } from '../../protocol/messages/12-heartbeat.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx): Response<typeof Heartbeat> {
    const errorCode = ctx.services.authorizer.authorize(ctx, AclOperation.READ, 'GROUP', req.groupId)
      ? ctx.services.groups.heartbeat(req.groupId, req.memberId, req.groupInstanceId, req.generationId)
      : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    return { throttleTimeMs: 0, errorCode };
  },
});
