/**
 * DeleteAcls (key 31): remove the ACLs matching each filter.
 *
 * Versions: 1-3 (Kafka 4.x), and v0 as Kafka 3.9 served it.
 *
 * Behavior (Kafka's AclApis and AclControlManager):
 * - Needs ALTER on the cluster, else every filter gets 31 CLUSTER_AUTHORIZATION_FAILED.
 * - Without an authorizer: 54 SECURITY_DISABLED for every filter.
 * - Filters match as DescribeAcls' does (ANY, MATCH, null for any name/principal/host); each one's
 *   result lists the ACLs it removed. All removals are stored together before the answer.
 * - A filter with an UNKNOWN (0) element is a request Kafka cannot parse: the connection closes.
 */
import { DeleteAcls } from '../../protocol/messages/31-delete-acls.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, AUTHORIZATION_FAILED_MESSAGE, authorizeCluster } from '../auth/authorizer.js';
import type { AclBindingFilter } from '../security/acl/acl.js';
import { defineHandler, type Response } from '../server/handler.js';

type Result = Response<typeof DeleteAcls>;

export default defineHandler({
  api: DeleteAcls,
  minVersion: 1,
  legacyMinVersion: 0,
  maxVersion: 3,
  async handle(req, ctx): Promise<Result | null> {
    const { authorizer, acls } = ctx.services;
    const every = (errorCode: number, errorMessage: string): Result => ({
      throttleTimeMs: 0,
      filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (req.filters.some((f) => f.patternTypeFilter === 0 || f.resourceTypeFilter === 0 || f.operation === 0 || f.permissionType === 0)) {
      ctx.closeConnection('Filters contain UNKNOWN elements');
      return null;
    }
    if (!authorizeCluster(authorizer, ctx, AclOperation.ALTER)) return every(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, AUTHORIZATION_FAILED_MESSAGE.CLUSTER);
    if (!acls) return every(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.');
    const filters: AclBindingFilter[] = req.filters.map((f) => ({
      resourceType: f.resourceTypeFilter,
      resourceName: f.resourceNameFilter,
      patternType: f.patternTypeFilter,
      principal: f.principalFilter,
      host: f.hostFilter,
      operation: f.operation,
      permissionType: f.permissionType,
    }));
    const removed = await acls.delete(filters);
    return {
      throttleTimeMs: 0,
      filterResults: removed.map((list) => ({
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: list.map((a) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...a })),
      })),
    };
  },
});
