/**
 * DeleteGroups (key 42): deletes groups with their committed offsets.
 *
 * Versions: 0-2.
 *
 * Behavior:
 * - Only a group without members may be deleted; tombstones for its offsets and metadata are
 *   written to the coordinator log before the answer, so a deletion survives a restart.
 * - Per group errors: 30 GROUP_AUTHORIZATION_FAILED without DELETE on the group (ACLs), 69 GROUP_ID_NOT_FOUND, 68 NON_EMPTY_GROUP, 24 INVALID_GROUP_ID,
 *   14 while loading.
 *
 * Version notes:
 * - v1: no change on the wire.  v2: flexible.
 */
import { DeleteGroups } from '../../protocol/messages/42-delete-groups.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx): Promise<Response<typeof DeleteGroups>> {
    const mayDelete = authorizeEach(ctx.services.authorizer, ctx, AclOperation.DELETE, 'GROUP');
    const allowed = req.groupsNames.filter(mayDelete);
    const codes = await ctx.services.groups.deleteGroups(allowed);
    const codeOf = new Map(allowed.map((g, i) => [g, codes[i]!]));
    return {
      throttleTimeMs: 0,
      results: req.groupsNames.map((groupId) => ({ groupId, errorCode: codeOf.get(groupId) ?? ErrorCode.GROUP_AUTHORIZATION_FAILED })),
    };
  },
});
