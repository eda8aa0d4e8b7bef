/**
 * SASL/SCRAM-SHA-256 and SCRAM-SHA-512, server side (RFC 5802 and 7677, as Kafka's ScramSaslServer).
 * Two round trips:
 *
 *   client-first   n,,n=alice,r=<client nonce>
 *   server-first   r=<client nonce><server nonce>,s=<salt, base64>,i=4096
 *   client-final   c=biws,r=<both nonces>,p=<ClientProof, base64>
 *   server-final   v=<ServerSignature, base64>
 *
 * The proof is checked against the stored key (scram-formatter.ts): the broker learns that the
 * client knows the password without ever seeing it, and the client learns that the broker holds
 * the user's credential. As in Kafka, only the "n" GS2 header (no channel binding) is accepted,
 * names are ASCII with "," and "=" escaped as =2C and =3D, and extensions are ignored.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, hmac, xor, type ScramCredential, type ScramMechanismInfo } from './scram-formatter.js';
import { SaslAuthenticationError, SaslError, type SaslServer, type SaslServerFactory, type SaslStep } from './mechanism.js';

/** Looks a user's credential up (the credential store, src/security/scram-credentials.ts). */
export interface ScramCredentialSource {
  credential(mechanism: ScramMechanismInfo, user: string): ScramCredential | undefined;
}

const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const VALUE = '[\\x01-\\x2B\\x2D-\\x7F]+';
const PRINTABLE = '[\\x21-\\x2B\\x2D-\\x7E]+';
const BASE64 = '(?:[a-zA-Z0-9/+]{4})*(?:[a-zA-Z0-9/+]{3}=|[a-zA-Z0-9/+]{2}==)?';
const EXTENSIONS = `(?:,[A-Za-z]+=${VALUE})*`;
const CLIENT_FIRST = new RegExp(`^n,(?:a=(${SASLNAME}))?,((?:m=${VALUE},)?n=(${SASLNAME}),r=(${PRINTABLE})(${EXTENSIONS}))$`);
const CLIENT_FINAL = new RegExp(`^(c=(${BASE64}),r=(${PRINTABLE})${EXTENSIONS}),p=(${BASE64})$`);

/** =2C and =3D back to "," and "=" (Kafka's ScramFormatter.username). */
function username(saslName: string): string {
  const name = saslName.replace(/=2C/g, ',');
  if (name.replace(/=3D/g, '').includes('=')) throw new SaslError(`Invalid username: ${saslName}`);
  return name.replace(/=3D/g, '=');
}

class ScramServer implements SaslServer {
  private state: 'first' | 'final' | 'done' = 'first';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private user = '';
  private credential: ScramCredential | undefined;

  constructor(private readonly m: ScramMechanismInfo, private readonly source: ScramCredentialSource) {}

  get mechanism(): string {
    return this.m.name;
  }

  evaluate(clientMessage: Buffer): SaslStep {
    const text = clientMessage.toString('utf8');
    if (this.state === 'first') return this.first(text);
    if (this.state === 'final') return this.final(text);
    throw new SaslError('Unexpected message after the SCRAM exchange completed');
  }

  private first(text: string): SaslStep {
    const m = CLIENT_FIRST.exec(text);
    if (!m) throw new SaslError(`Invalid SCRAM client first message format: ${text}`);
    const [, authzid, bare, saslName, clientNonce, extensions] = m;
    if (/(^|,)tokenauth=true(,|$)/i.test(extensions)) throw new SaslError('Token Authentication failed: delegation tokens are not supported');
    this.user = username(saslName);
    this.credential = this.source.credential(this.m, this.user);
    if (!this.credential) throw new SaslError('Authentication failed: Invalid user credentials');
    if (authzid !== undefined && username(authzid) !== this.user) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    }
    if (this.credential.iterations < this.m.minIterations) {
      throw new SaslError(`Iterations ${this.credential.iterations} is less than the minimum ${this.m.minIterations} for ${this.m.name}`);
    }
    this.clientFirstBare = bare;
    this.nonce = clientNonce + randomBytes(18).toString('base64url');
    this.serverFirst = `r=${this.nonce},s=${this.credential.salt.toString('base64')},i=${this.credential.iterations}`;
    this.state = 'final';
    return { challenge: Buffer.from(this.serverFirst, 'utf8') };
  }

  private final(text: string): SaslStep {
    this.state = 'done';
    const m = CLIENT_FINAL.exec(text);
    if (!m) throw new SaslError(`Invalid SCRAM client final message format: ${text}`);
    const [, withoutProof, , nonce, proofB64] = m;
    // Kafka accepts a final nonce that *ends with* the combined one (ScramSaslServer): librdkafka
    // before 2.1 sends its own nonce twice ("r=<client><client><server>"), and signs what it sent.
    if (!nonce.endsWith(this.nonce)) throw new SaslError('Invalid client nonce in the final client message.');
    const credential = this.credential!;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.m, credential.storedKey, authMessage);
    const proof = Buffer.from(proofB64, 'base64');
    if (proof.length !== clientSignature.length) throw new SaslError('Invalid client credentials');
    const computedStoredKey = hash(this.m, xor(proof, clientSignature));
    if (!timingSafeEqual(computedStoredKey, credential.storedKey)) throw new SaslError('Invalid client credentials');
    const serverSignature = hmac(this.m, credential.serverKey, authMessage);
    return { challenge: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), complete: { authorizationId: this.user } };
  }
}

export function scramFactory(m: ScramMechanismInfo, source: ScramCredentialSource): SaslServerFactory {
  return { mechanism: m.name, create: () => new ScramServer(m, source) };
}
