/**
 * DescribeUserScramCredentials (key 50): which SCRAM mechanisms (and iterations) each user has.
 *
 * Versions: 0.
 *
 * Behavior (Kafka's KafkaApis and ScramImage.describe):
 * - Needs DESCRIBE on the cluster, else 31 CLUSTER_AUTHORIZATION_FAILED for the request.
 * - No users named (null or empty): every user with a credential. A named user without one gets
 *   91 RESOURCE_NOT_FOUND, a user named twice 92 DUPLICATE_RESOURCE. Salts and keys never leave
 *   the broker.
 */
import { DescribeUserScramCredentials } from '../../protocol/messages/50-describe-user-scram-credentials.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, AUTHORIZATION_FAILED_MESSAGE, authorizeCluster } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: DescribeUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx): Response<typeof DescribeUserScramCredentials> {
    if (!authorizeCluster(ctx.services.authorizer, ctx, AclOperation.DESCRIBE)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: AUTHORIZATION_FAILED_MESSAGE.CLUSTER, results: [] };
    }
    const results = ctx.services.scramCredentials.describe(req.users?.map((u) => u.name) ?? null);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
});
