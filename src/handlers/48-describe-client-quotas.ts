/**
 * DescribeClientQuotas (key 48): the client quotas set with AlterClientQuotas, filtered
 * (`kafka-configs --describe --entity-type users`, Admin.describeClientQuotas).
 *
 * Versions: 0-1.
 *
 * Behavior (Kafka's ClientQuotasImage.describe):
 * - Each filter component names an entity type (user, client-id, ip) and how to match it: 0 EXACT
 *   (a name), 1 DEFAULT (the <default> entity), 2 SPECIFIED (any entity that names the type).
 *   Every component must match; with `strict`, the entity must name no other type.
 * - Entities are listed with every quota value set on them; a default entity has a null name.
 * - Errors (top level, no entries): 42 INVALID_REQUEST for an empty or repeated entity type, a
 *   match string that contradicts the match type, an unknown match type, or ip combined with user
 *   or client-id; 35 UNSUPPORTED_VERSION for an unknown entity type; 31 CLUSTER_AUTHORIZATION_FAILED
 *   without DESCRIBE_CONFIGS on the cluster (ACLs).
 *
 * Version notes: v1 is flexible.
 */
import { DescribeClientQuotas } from '../../protocol/messages/48-describe-client-quotas.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, AUTHORIZATION_FAILED_MESSAGE, authorizeCluster } from '../auth/authorizer.js';
import { QuotaFilterError } from '../quota/store.js';
import { defineHandler } from '../server/handler.js';

export default defineHandler({
  api: DescribeClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    if (!authorizeCluster(ctx.services.authorizer, ctx, AclOperation.DESCRIBE_CONFIGS)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: AUTHORIZATION_FAILED_MESSAGE.CLUSTER, entries: null };
    }
    try {
      const entries = ctx.services.quotas.describe(req.components, req.strict);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries };
    } catch (err) {
      if (!(err instanceof QuotaFilterError)) throw err;
      return { throttleTimeMs: 0, errorCode: err.errorCode, errorMessage: err.message, entries: null };
    }
  },
});
