/**
 * ListGroups (key 16): every group this broker coordinates.
 *
 * Versions: 0-5.
 *
 * Behavior:
 * - Lists every group that is not Dead, including groups that only hold offsets (protocol type "").
 * - states_filter (v4+) keeps groups in the given states, compared case-insensitively; empty = all.
 * - types_filter (v5+): every group here is "classic"; a filter without "classic" lists nothing.
 * - 14 COORDINATOR_LOAD_IN_PROGRESS while loading.
 * - With ACLs: every group for a principal with DESCRIBE on the cluster, else the groups it may DESCRIBE.
 *
 * Version notes:
 * - v1: throttle time.  v3: flexible.  v4: states filter, group state.  v5: types filter, group type.
 */
import { ListGroups } from '../../protocol/messages/16-list-groups.js';
import { AclOperation, authorizeCluster } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx): Response<typeof ListGroups> {
    const { authorizer } = ctx.services;
    const { errorCode, groups } = ctx.services.groups.listGroups(req.statesFilter, req.typesFilter);
    // DESCRIBE on the cluster shows every group; without it, only those the principal may DESCRIBE.
    const all = authorizeCluster(authorizer, ctx, AclOperation.DESCRIBE);
    const visible = all ? groups : groups.filter((g) => authorizer.authorize(ctx, AclOperation.DESCRIBE, 'GROUP', g.groupId));
    return {
      throttleTimeMs: 0,
      errorCode,
      groups: visible.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: g.type })),
    };
  },
});
