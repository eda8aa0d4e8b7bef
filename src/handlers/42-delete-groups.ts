/**
 * DeleteGroups (key 42): deletes groups with their committed offsets.
 *
 * Versions: 0-2.
 *
 * Behavior:
 * - Only a group without members may be deleted; tombstones for its offsets and metadata are
 *   written to the coordinator log before the answer, so a deletion survives a restart.
 * - Per group errors: 69 GROUP_ID_NOT_FOUND, 68 NON_EMPTY_GROUP, 24 INVALID_GROUP_ID,
 *   14 while loading.
 *
 * Version notes:
 * - v1: no change on the wire.  v2: flexible.
 */
import { DeleteGroups } from '../../protocol/messages/42-delete-groups.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx): Promise<Response<typeof DeleteGroups>> {
    const codes = await ctx.services.groups.deleteGroups(req.groupsNames);
    return {
      throttleTimeMs: 0,
      results: req.groupsNames.map((groupId, i) => ({ groupId, errorCode: codes[i]! })),
    };
  },
});
