/**
 * CreateAcls (key 30): add ACLs.
 *
 * Versions: 1-3 (Kafka 4.x), and v0 as Kafka 3.9 served it.
 *
 * Behavior (Kafka's AclApis and AclControlManager):
 * - Needs ALTER on the cluster, else every creation gets 31 CLUSTER_AUTHORIZATION_FAILED.
 * - Without an authorizer: 54 SECURITY_DISABLED for every creation.
 * - Each creation is checked on its own, 42 INVALID_REQUEST with Kafka's message: a CLUSTER resource
 *   not named kafka-cluster, an empty name, resource type ANY, a pattern type other than LITERAL or
 *   PREFIXED, operation ANY, permission other than ALLOW or DENY, a principal without "Type:".
 * - The valid ones are stored together (tafka-acls.json) before the answer; an ACL identical to one
 *   in force succeeds without a second copy.
 * - A creation with an UNKNOWN (0) element is a request Kafka cannot parse: the connection closes.
 */
import { CreateAcls } from '../../protocol/messages/30-create-acls.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, AUTHORIZATION_FAILED_MESSAGE, authorizeCluster } from '../auth/authorizer.js';
import { invalidAclReason, type AclBinding } from '../security/acl/acl.js';
import { defineHandler, type Response } from '../server/handler.js';

type Result = Response<typeof CreateAcls>;

export default defineHandler({
  api: CreateAcls,
  minVersion: 1,
  legacyMinVersion: 0,
  maxVersion: 3,
  async handle(req, ctx): Promise<Result | null> {
    const { authorizer, acls } = ctx.services;
    const every = (errorCode: number, errorMessage: string): Result => ({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage })) });
    if (req.creations.some((c) => c.resourcePatternType === 0 || c.resourceType === 0 || c.permissionType === 0 || c.operation === 0)) {
      ctx.closeConnection('CreatableAcls contain unknown elements');
      return null;
    }
    if (!authorizeCluster(authorizer, ctx, AclOperation.ALTER)) return every(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, AUTHORIZATION_FAILED_MESSAGE.CLUSTER);
    if (!acls) return every(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.');
    const bindings: AclBinding[] = req.creations.map((c) => ({
      resourceType: c.resourceType,
      resourceName: c.resourceName,
      patternType: c.resourcePatternType,
      principal: c.principal,
      host: c.host,
      operation: c.operation,
      permissionType: c.permissionType,
    }));
    const reasons = bindings.map(invalidAclReason);
    await acls.create(bindings.filter((_, i) => reasons[i] === undefined));
    return {
      throttleTimeMs: 0,
      results: reasons.map((reason) => (reason === undefined
        ? { errorCode: ErrorCode.NONE, errorMessage: null }
        : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason })),
    };
  },
});
