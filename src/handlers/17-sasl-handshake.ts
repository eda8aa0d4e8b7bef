/**
 * SaslHandshake (key 17): the client names the SASL mechanism it will authenticate with.
 *
 * Versions: 0-1.
 *
 * Behavior (the exchange itself is src/security/authenticator.ts):
 * - On a SASL listener, before authentication: an enabled mechanism is answered with the list of
 *   enabled ones and the exchange starts; an unknown one gets 33 UNSUPPORTED_SASL_MECHANISM (with
 *   the list) and the connection closes, as Kafka closes after a failed authentication.
 * - After authentication, a handshake starts a re-authentication (KIP-368) when the session has a
 *   lifetime and the client speaks SaslAuthenticate v1+; otherwise — and on listeners without SASL —
 *   it gets 34 ILLEGAL_SASL_STATE, as Kafka's KafkaApis answers.
 *
 * Version notes:
 * - v0: the SASL tokens that follow are sent bare (size-prefixed), not in Kafka requests.
 * - v1: they travel in SaslAuthenticate requests (KIP-152).
 */
import { SaslHandshake } from '../../protocol/messages/17-sasl-handshake.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: SaslHandshake,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx): Response<typeof SaslHandshake> {
    const answer = ctx.sasl.handshake(req.mechanism, ctx.apiVersion);
    if (answer.close !== undefined) ctx.closeConnection(answer.close);
    return { errorCode: answer.errorCode, mechanisms: answer.mechanisms };
  },
});
