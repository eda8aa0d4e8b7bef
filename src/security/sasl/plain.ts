/**
 * SASL/PLAIN (RFC 4616), as Kafka's PlainSaslServer: one client message,
 *
 *   [authzid] NUL authcid NUL passwd
 *
 * checked against the users of the listener's JAAS config (`user_<name>="<password>"`, Kafka's
 * PlainServerCallbackHandler). The password travels in the clear, so PLAIN belongs on SASL_SSL.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { EMPTY, SaslAuthenticationError, type SaslServer, type SaslServerFactory, type SaslStep } from './mechanism.js';

/** Compares in constant time (over digests, so the lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Kafka's extractTokens: exactly three NUL-separated fields. */
function fields(message: string): [string, string, string] {
  const parts = message.split('\u0000');
  if (parts.length !== 3) throw new SaslAuthenticationError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${Math.min(parts.length, 4)}`);
  return parts as [string, string, string];
}

class PlainServer implements SaslServer {
  readonly mechanism = 'PLAIN';
  constructor(private readonly passwords: ReadonlyMap<string, string>) {}

  evaluate(clientMessage: Buffer): SaslStep {
    const [authzid, username, password] = fields(clientMessage.toString('utf8'));
    if (username === '') throw new SaslAuthenticationError('Authentication failed: username not specified');
    if (password === '') throw new SaslAuthenticationError('Authentication failed: password not specified');
    const expected = this.passwords.get(username);
    // Compare even for an unknown user, so the time taken does not tell whether it exists.
    const ok = sameSecret(expected ?? '\u0000no such user', password) && expected !== undefined;
    if (!ok) throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
    if (authzid !== '' && authzid !== username) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    }
    return { challenge: EMPTY, complete: { authorizationId: username } };
  }
}

/** The PLAIN users of a JAAS entry's options: `user_alice="secret"` is alice. */
export function plainUsers(options: ReadonlyMap<string, string>): Map<string, string> {
  const users = new Map<string, string>();
  for (const [k, v] of options) if (k.startsWith('user_')) users.set(k.slice('user_'.length), v);
  return users;
}

export function plainFactory(passwords: ReadonlyMap<string, string>): SaslServerFactory {
  return { mechanism: 'PLAIN', create: () => new PlainServer(passwords) };
}
