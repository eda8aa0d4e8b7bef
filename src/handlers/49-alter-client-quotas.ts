/**
 * AlterClientQuotas (key 49): set or remove client quotas (`kafka-configs --alter --add-config
 * producer_byte_rate=1048576 --entity-type users --entity-default`, Admin.alterClientQuotas).
 *
 * Versions: 0-1.
 *
 * Behavior (Kafka's ClientQuotaControlManager):
 * - Each entry names an entity (user and/or client-id, or ip; a null name is the <default>
 *   entity) and operations: set `key` to `value`, or `remove` it. Entries succeed or fail on their
 *   own; a failed entry changes nothing.
 * - Keys: producer_byte_rate and consumer_byte_rate (whole bytes per second), request_percentage,
 *   controller_mutation_rate for user/client-id entities; connection_creation_rate for ip. Values
 *   must be positive. Tafka enforces the first three (src/quota/client-quotas.ts) and stores the
 *   others for tools to read back.
 * - Changes are written to `tafka-client-quotas.json` in the data directory before they apply, so
 *   they survive a restart; `validate_only` checks without changing anything.
 * - Errors, per entry: 42 INVALID_REQUEST (empty or repeated entity type, unknown type or key,
 *   empty name, ip mixed with user/client-id, a value that is not positive or not whole, a key
 *   given twice, an entity given twice); 31 CLUSTER_AUTHORIZATION_FAILED for every entry without
 *   ALTER_CONFIGS on the cluster (ACLs), nothing changed.
 *
 * Version notes: v1 is flexible.
 */
import { AlterClientQuotas } from '../../protocol/messages/49-alter-client-quotas.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, AUTHORIZATION_FAILED_MESSAGE, authorizeCluster } from '../auth/authorizer.js';
import { defineHandler } from '../server/handler.js';

export default defineHandler({
  api: AlterClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    if (!authorizeCluster(ctx.services.authorizer, ctx, AclOperation.ALTER_CONFIGS)) {
      const refused = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: AUTHORIZATION_FAILED_MESSAGE.CLUSTER };
      return { throttleTimeMs: 0, entries: req.entries.map((e) => ({ ...refused, entity: e.entity })) };
    }
    const entries = await ctx.services.quotas.alter(req.entries, req.validateOnly);
    return { throttleTimeMs: 0, entries };
  },
});
