/**
 * SaslAuthenticate (key 36): one SASL message of the exchange started by SaslHandshake v1 (KIP-152).
 *
 * Versions: 0-2.
 *
 * Behavior (the exchange itself is src/security/authenticator.ts):
 * - The client's auth_bytes go to the mechanism; its answer comes back in auth_bytes. When the
 *   exchange completes, the connection is authenticated as User:<name>.
 * - A failure is 58 SASL_AUTHENTICATION_FAILED with a message (Kafka's generic one unless the
 *   mechanism's message is safe to show, e.g. PLAIN's "Invalid username or password"), answered
 *   after `connection.failed.authentication.delay.ms`; then the connection closes.
 * - After authentication: 34 ILLEGAL_SASL_STATE, as Kafka's KafkaApis answers.
 *
 * Version notes:
 * - v1: session_lifetime_ms (KIP-368): how long until the client must re-authenticate; 0 for none.
 * - v2: flexible.
 */
import { SaslAuthenticate } from '../../protocol/messages/36-sasl-authenticate.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: SaslAuthenticate,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx): Promise<Response<typeof SaslAuthenticate>> {
    const answer = await ctx.sasl.authenticate(req.authBytes, ctx.apiVersion);
    if (answer.close !== undefined) ctx.closeConnection(answer.close);
    return { errorCode: answer.errorCode, errorMessage: answer.errorMessage, authBytes: answer.authBytes, sessionLifetimeMs: answer.sessionLifetimeMs };
  },
});
