/**
 * SyncGroup (key 14): after a JoinGroup, every member asks for its assignment; the leader's request
 * carries the assignment for everyone.
 *
 * Versions: 0-5.
 *
 * Behavior (the state machine is in src/group/group.ts):
 * - In CompletingRebalance, followers wait until the leader's SyncGroup arrives and its assignment
 *   is stored durably; then all are answered at once. Members the leader left out get an empty
 *   assignment. In Stable, the member's current assignment is returned at once.
 * - Errors: 14 while loading; 25 UNKNOWN_MEMBER_ID; 22 ILLEGAL_GENERATION; 27 REBALANCE_IN_PROGRESS
 *   (a new rebalance began: rejoin); 82 FENCED_INSTANCE_ID; 23 INCONSISTENT_GROUP_PROTOCOL when
 *   v5's protocol type or name differ from the group's.
 * - Without READ on the group (ACLs): 30 GROUP_AUTHORIZATION_FAILED, before anything else.
 *
 * Version notes:
 * - v1: throttle time.  v3: group instance id.  v4: flexible.
 * - v5: protocol type and name, in the request (checked) and in the response.
 */
import { SyncGroup } from '../../protocol/messages/14-sync-group.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx): Promise<Response<typeof SyncGroup>> {
    if (!ctx.services.authorizer.authorize(ctx, AclOperation.READ, 'GROUP', req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    const r = await ctx.services.groups.syncGroup(req.groupId, {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      generationId: req.generationId,
      protocolType: req.protocolType,
      protocolName: req.protocolName,
      assignments: req.assignments,
    });
    const v5 = ctx.apiVersion >= 5;
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      protocolType: v5 ? r.protocolType : null,
      protocolName: v5 ? r.protocolName : null,
      assignment: r.assignment,
    };
  },
});
