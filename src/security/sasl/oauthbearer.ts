/**
 * SASL/OAUTHBEARER (RFC 7628), server side, as Kafka's OAuthBearerSaslServer. The client's one
 * message carries the token:
 *
 *   n,,\x01auth=Bearer <JWT>\x01[key=value\x01...]\x01
 *
 * A valid token completes the exchange as User:<the token's principal claim>, and the session may
 * not outlive the token (its exp becomes the credential expiry, KIP-368). An invalid one is answered,
 * as the RFC says, with a JSON error status ({"status":"invalid_token"}) instead of failing at once;
 * the client acknowledges with a single 0x01 byte and only then does the exchange fail.
 */
import type { Clock } from '../../clock.js';
import { TokenError, type TokenValidator } from './jwt.js';
import { EMPTY, SaslAuthenticationError, SaslError, type SaslServer, type SaslServerFactory, type SaslStep } from './mechanism.js';

const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const KVPAIRS = '(?:[A-Za-z]+=[\\x21-\\x7E \\t\\r\\n]+\\x01)*';
const INITIAL_RESPONSE = new RegExp(`^n,(?:a=(${SASLNAME}))?,\\x01(${KVPAIRS})\\x01$`);
const AUTH = /^(\w+) +([-_~+/.a-zA-Z0-9]+=*)$/;

/** The token and authorization id of a client initial response (OAuthBearerClientInitialResponse). */
function parseInitialResponse(message: string): { token: string; authzid: string } {
  const m = INITIAL_RESPONSE.exec(message);
  if (!m) throw new SaslError('Invalid OAUTHBEARER client first message');
  const pairs = new Map(m[2].split('\x01').filter((p) => p !== '').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  const auth = pairs.get('auth');
  if (auth === undefined) throw new SaslError("Invalid OAUTHBEARER client first message: 'auth' not specified");
  const a = AUTH.exec(auth);
  if (!a) throw new SaslError("Invalid OAUTHBEARER client first message: invalid 'auth' format");
  if (a[1].toLowerCase() !== 'bearer') throw new SaslError(`Invalid scheme in OAUTHBEARER client first message: ${a[1]}`);
  return { token: a[2], authzid: m[1] ?? '' };
}

class OAuthBearerServer implements SaslServer {
  readonly mechanism = 'OAUTHBEARER';
  /** The error status sent last, awaiting the client's 0x01. */
  private pendingError: string | undefined;

  constructor(private readonly validator: TokenValidator, private readonly clock: Clock) {}

  evaluate(clientMessage: Buffer): SaslStep {
    if (clientMessage.length === 1 && clientMessage[0] === 0x01 && this.pendingError !== undefined) {
      throw new SaslAuthenticationError(this.pendingError);
    }
    this.pendingError = undefined;
    const { token, authzid } = parseInitialResponse(clientMessage.toString('utf8'));
    let valid;
    try {
      valid = this.validator.validate(token, this.clock.now());
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      this.pendingError = err.requiredScope !== undefined
        ? `{"status":"insufficient_scope", "scope":"${err.requiredScope}"}`
        : '{"status":"invalid_token"}';
      return { challenge: Buffer.from(this.pendingError, 'utf8') };
    }
    if (authzid !== '' && authzid !== valid.principalName) {
      throw new SaslAuthenticationError(`Authentication failed: Client requested an authorization id (${authzid}) that is different from the token's principal name (${valid.principalName})`);
    }
    return { challenge: EMPTY, complete: { authorizationId: valid.principalName, credentialExpiresAtMs: valid.expiresAtMs } };
  }
}

export function oauthBearerFactory(validator: TokenValidator, clock: Clock): SaslServerFactory {
  return { mechanism: 'OAUTHBEARER', create: () => new OAuthBearerServer(validator, clock) };
}
