/**
 * AlterUserScramCredentials (key 51): add, replace or remove users' SCRAM credentials.
 *
 * Versions: 0.
 *
 * Behavior (Kafka's ControllerApis and ScramControlManager):
 * - Needs ALTER on the cluster, else every user gets 31 CLUSTER_AUTHORIZATION_FAILED.
 * - An upsertion carries the salt and the salted password (the client does the PBKDF2 work); the
 *   broker keeps the stored and server keys derived from it, never the salted password.
 * - Per user: 92 DUPLICATE_RESOURCE when named twice in the request, 91 RESOURCE_NOT_FOUND for a
 *   deletion of a credential that does not exist, 93 UNACCEPTABLE_CREDENTIAL for an empty name or
 *   iterations outside 4096..16384, 33 UNSUPPORTED_SASL_MECHANISM for an unknown mechanism.
 * - The changes are written to the data directory before the answer; a connection authenticating
 *   afterwards uses them. Connections already authenticated stay so, as in Kafka.
 */
import { AlterUserScramCredentials } from '../../protocol/messages/51-alter-user-scram-credentials.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, AUTHORIZATION_FAILED_MESSAGE, authorizeCluster } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: AlterUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx): Promise<Response<typeof AlterUserScramCredentials>> {
    if (!authorizeCluster(ctx.services.authorizer, ctx, AclOperation.ALTER)) {
      const users = [...new Set([...req.deletions, ...req.upsertions].map((u) => u.name))];
      const refused = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: AUTHORIZATION_FAILED_MESSAGE.CLUSTER };
      return { throttleTimeMs: 0, results: users.map((user) => ({ user, ...refused })) };
    }
    return { throttleTimeMs: 0, results: await ctx.services.scramCredentials.alter(req.deletions, req.upsertions) };
  },
});
