/**
 * DescribeAcls (key 29): the ACLs matching a filter.
 *
 * Versions: 1-3 (Kafka 4.x), and v0 as Kafka 3.9 served it.
 *
 * Behavior (Kafka's AclApis):
 * - Needs DESCRIBE on the cluster, else 31 CLUSTER_AUTHORIZATION_FAILED.
 * - Without an authorizer (`authorizer.class.name` unset): 54 SECURITY_DISABLED.
 * - The filter: resource type (ANY), name (null: any), pattern type (ANY; MATCH: every pattern that
 *   applies to the name — literal, "*" and prefixes), principal, host, operation (ANY), permission
 *   (ANY). The matches come back grouped by resource pattern.
 * - A filter with an UNKNOWN (0) element is a request Kafka cannot parse: the connection closes.
 *
 * Version notes:
 * - v0: no pattern type (LITERAL only).  v1: pattern types (KIP-290).  v2: flexible.  v3: USER resources.
 */
import { DescribeAcls } from '../../protocol/messages/29-describe-acls.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, AUTHORIZATION_FAILED_MESSAGE, authorizeCluster } from '../auth/authorizer.js';
import type { AclBinding } from '../security/acl/acl.js';
import { defineHandler, type Response } from '../server/handler.js';

type Result = Response<typeof DescribeAcls>;

const answer = (errorCode: number, errorMessage: string | null, resources: Result['resources'] = []): Result =>
  ({ throttleTimeMs: 0, errorCode, errorMessage, resources });

/** Kafka's DescribeAclsResponse.aclsResources: one entry per resource pattern. */
function byResource(acls: readonly AclBinding[]): Result['resources'] {
  const out = new Map<string, Result['resources'][number]>();
  for (const a of acls) {
    const key = `${a.resourceType}\u0000${a.patternType}\u0000${a.resourceName}`;
    let r = out.get(key);
    if (!r) out.set(key, (r = { resourceType: a.resourceType, resourceName: a.resourceName, patternType: a.patternType, acls: [] }));
    r.acls.push({ principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType });
  }
  return [...out.values()];
}

export default defineHandler({
  api: DescribeAcls,
  minVersion: 1,
  legacyMinVersion: 0,
  maxVersion: 3,
  handle(req, ctx): Result | null {
    const { authorizer, acls } = ctx.services;
    if (req.patternTypeFilter === 0 || req.resourceTypeFilter === 0 || req.operation === 0 || req.permissionType === 0) {
      ctx.closeConnection('DescribeAclsRequest contains UNKNOWN elements');
      return null;
    }
    if (!authorizeCluster(authorizer, ctx, AclOperation.DESCRIBE)) return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, AUTHORIZATION_FAILED_MESSAGE.CLUSTER);
    if (!acls) return answer(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    const found = acls.describe({
      resourceType: req.resourceTypeFilter,
      resourceName: req.resourceNameFilter,
      patternType: req.patternTypeFilter,
      principal: req.principalFilter,
      host: req.hostFilter,
      operation: req.operation,
      permissionType: req.permissionType,
    });
    return answer(ErrorCode.NONE, null, byResource(found));
  },
});
