/**
 * JoinGroup (key 11): a consumer asks to be (re)admitted to a group; the answer comes when the
 * group's rebalance completes, with the generation, the chosen protocol, the leader and — for
 * the leader only — every member's subscription.
 *
 * Versions: 0-9.
 *
 * Behavior (the state machine is in src/group/group.ts):
 * - A first join without a member id gets 79 MEMBER_ID_REQUIRED and an id to rejoin with (v4+);
 *   before v4 the member is admitted at once under a new id.
 * - The response is held while the group is preparing a rebalance: until every known member has
 *   rejoined, the rebalance timeout expires, or — for a new group — group.initial.rebalance.delay.ms
 *   has passed.
 * - Errors: 14 while the coordinator loads; 24 INVALID_GROUP_ID for an empty group id;
 *   26 INVALID_SESSION_TIMEOUT outside group.min/max.session.timeout.ms; 23 INCONSISTENT_GROUP_PROTOCOL
 *   when the protocol type differs or no protocol is shared with the current members;
 *   25 UNKNOWN_MEMBER_ID; 81 GROUP_MAX_SIZE_REACHED; 82 FENCED_INSTANCE_ID for a static member
 *   whose instance id has been taken over by a newer instance.
 * - Without READ on the group (ACLs): 30 GROUP_AUTHORIZATION_FAILED, before anything else.
 *
 * Version notes:
 * - v0: no rebalance timeout (the session timeout serves as both).  v1: rebalance timeout.
 * - v2: throttle time.  v4: MEMBER_ID_REQUIRED (KIP-394).  v5: group instance ids (KIP-345).
 * - v6: flexible.  v7: protocol type in the response; protocol name nullable.
 * - v8: reason.  v9: skip_assignment (KIP-814): set for a static leader that rejoined a Stable group
 *   without changing the group's protocol — it gets the member list but keeps the assignment it has.
 *   Older versions name another leader in that case, so the client does not assign again.
 */
import { JoinGroup } from '../../protocol/messages/11-join-group.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx): Promise<Response<typeof JoinGroup>> {
    const v = ctx.apiVersion;
    if (!ctx.services.authorizer.authorize(ctx, AclOperation.READ, 'GROUP', req.groupId)) {
      // Kafka's JoinGroupRequest.getErrorResponse.
      return {
        throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolType: null,
        protocolName: v >= 7 ? null : '', leader: '', skipAssignment: false, memberId: '', members: [],
      };
    }
    const r = await ctx.services.groups.joinGroup(req.groupId, {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: ctx.clientId ?? '',
      clientHost: ctx.clientHost.replace(/:\d+$/, ''),
      rebalanceTimeoutMs: v >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      requireKnownMemberId: v >= 4,
      supportsSkipAssignment: v >= 9,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: v >= 7 ? r.protocolType : null,
      // Non-nullable before v7: an error answer carries "".
      protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
      leader: r.leader,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    };
  },
});
