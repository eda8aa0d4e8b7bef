/**
 * Checking an OAuth bearer token (a JWT, RFC 7519) the two ways Kafka's broker can:
 *
 * - The unsecured validator (OAuthBearerUnsecuredValidatorCallbackHandler), Kafka's default and for
 *   local use only: the token must be an *unsigned* JWS (`"alg":"none"`, empty signature). Claims
 *   checked: the principal claim (`sub` unless `unsecuredValidatorPrincipalClaimName`), `exp`,
 *   `iat` when present, the required scope. Options come from the JAAS config.
 * - The JWKS validator (OAuthBearerValidatorCallbackHandler, selected with
 *   `sasl.server.callback.handler.class`): the token must be signed by a key of the JSON Web Key Set
 *   at `sasl.oauthbearer.jwks.endpoint.url` (an https URL, or a file:// one for offline use); `exp`
 *   and the subject claim are required, `iss` and `aud` checked when configured, with
 *   `sasl.oauthbearer.clock.skew.seconds` of tolerance.
 *
 * A failure is a TokenError: the SASL exchange answers it with an RFC 7628 error status.
 */
import { createPublicKey, verify, constants, type KeyObject, type JsonWebKey } from 'node:crypto';

export interface ValidToken {
  readonly principalName: string;
  /** `exp`, in ms since the epoch: the session may not outlive it (KIP-368). */
  readonly expiresAtMs: number;
  readonly scope: readonly string[];
}

export class TokenError extends Error {
  /** Set when the failure is a missing scope (RFC 7628's insufficient_scope). */
  constructor(message: string, readonly requiredScope?: string) {
    super(message);
  }
}

export interface TokenValidator {
  validate(token: string, nowMs: number): ValidToken;
}

type Claims = Record<string, unknown>;

function decodePart(part: string, what: string): Claims {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError(`Invalid JWT: the ${what} is not base64url-encoded JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenError(`Invalid JWT: the ${what} is not a JSON object`);
  return value as Claims;
}

/** A JWS in compact serialization: header.payload.signature. */
function splitJws(token: string): { header: Claims; claims: Claims; signingInput: string; signature: Buffer } {
  if (token.includes('..')) throw new TokenError("Malformed compact serialization contains '..'");
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenError(`Invalid JWT: ${parts.length} parts, expected 3`);
  return {
    header: decodePart(parts[0], 'header'),
    claims: decodePart(parts[1], 'payload'),
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2], 'base64url'),
  };
}

function scopeOf(claims: Claims, claimName: string): string[] {
  const v = claims[claimName];
  if (typeof v === 'string') return v.split(' ').filter((s) => s !== '');
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string');
  return [];
}

function numberClaim(claims: Claims, name: string): number | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new TokenError(`The '${name}' claim was not of type Number`);
  return v;
}

// ----------------------------------------------------------------------------- unsecured

export interface UnsecuredOptions {
  readonly principalClaimName: string;
  readonly scopeClaimName: string;
  readonly requiredScope: readonly string[];
  readonly allowableClockSkewMs: number;
}

/** The unsecured validator's options from the JAAS options (Kafka's `unsecuredValidator*`). */
export function unsecuredOptions(options: ReadonlyMap<string, string>): UnsecuredOptions {
  const opt = (k: string) => options.get(`unsecuredValidator${k}`)?.trim() ?? '';
  const skew = opt('AllowableClockSkewMs');
  const allowableClockSkewMs = skew === '' ? 0 : Number(skew);
  if (!Number.isInteger(allowableClockSkewMs) || allowableClockSkewMs < 0) {
    throw new Error(`Allowable clock skew millis must not be negative: ${skew}`);
  }
  return {
    principalClaimName: opt('PrincipalClaimName') || 'sub',
    scopeClaimName: opt('ScopeClaimName') || 'scope',
    requiredScope: opt('RequiredScope').split(' ').filter((s) => s !== ''),
    allowableClockSkewMs,
  };
}

export function unsecuredValidator(o: UnsecuredOptions): TokenValidator {
  return {
    validate(token, now) {
      const { header, claims, signature } = splitJws(token);
      if (header.alg !== 'none') throw new TokenError("Unsecured JWS must have 'none' for an algorithm");
      if (signature.length > 0) throw new TokenError('Unsecured JWS must not contain a digital signature');
      const exp = numberClaim(claims, 'exp');
      if (exp === undefined) throw new TokenError('No expiration time in JWT');
      const principal = claims[o.principalClaimName];
      if (typeof principal !== 'string' || principal.trim() === '') throw new TokenError(`No principal name in JWT claim: ${o.principalClaimName}`);
      const iat = numberClaim(claims, 'iat');
      if (iat !== undefined && iat * 1000 > now + o.allowableClockSkewMs) {
        throw new TokenError(`The Issued At value (${iat} seconds) was after the indicated time (${now} ms) plus allowable clock skew (${o.allowableClockSkewMs} ms)`);
      }
      if (now - o.allowableClockSkewMs >= exp * 1000) {
        throw new TokenError(`The indicated time (${now} ms) minus allowable clock skew (${o.allowableClockSkewMs} ms) was on or after the Expiration Time value (${exp} seconds)`);
      }
      if (iat !== undefined && exp <= iat) throw new TokenError(`The Expiration Time time (${exp} seconds) was not after the Issued At time (${iat} seconds)`);
      const scope = scopeOf(claims, o.scopeClaimName);
      const missing = o.requiredScope.find((s) => !scope.includes(s));
      if (missing !== undefined) {
        throw new TokenError(`The provided scope (${scope.join(' ')}) was missing a required scope (${missing}).`, o.requiredScope.join(' '));
      }
      return { principalName: principal, expiresAtMs: exp * 1000, scope };
    },
  };
}

// ----------------------------------------------------------------------------- JWKS

export interface JwksOptions {
  readonly subClaimName: string;
  readonly scopeClaimName: string;
  readonly expectedAudience: readonly string[];
  readonly expectedIssuer: string | null;
  readonly clockSkewMs: number;
}

/** Signature algorithms a JWKS key may verify, by JWS `alg`. */
const ALGORITHMS: Record<string, { hash: string; kty: string; pss?: true }> = {
  RS256: { hash: 'sha256', kty: 'RSA' }, RS384: { hash: 'sha384', kty: 'RSA' }, RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true }, PS384: { hash: 'sha384', kty: 'RSA', pss: true }, PS512: { hash: 'sha512', kty: 'RSA', pss: true },
  ES256: { hash: 'sha256', kty: 'EC' }, ES384: { hash: 'sha384', kty: 'EC' }, ES512: { hash: 'sha512', kty: 'EC' },
};

export interface VerificationKey {
  readonly kid: string | undefined;
  readonly kty: string;
  readonly key: KeyObject;
}

/** The signature-verification keys of a JWKS document ({"keys": [...]}); others are skipped. */
export function parseJwks(text: string): VerificationKey[] {
  const doc = JSON.parse(text) as { keys?: (JsonWebKey & { kid?: string; use?: string })[] };
  if (!Array.isArray(doc.keys)) throw new Error('a JWKS must be a JSON object with a "keys" array');
  return doc.keys
    .filter((k) => (k.kty === 'RSA' || k.kty === 'EC') && (k.use === undefined || k.use === 'sig'))
    .map((k) => ({ kid: k.kid, kty: k.kty!, key: createPublicKey({ key: k, format: 'jwk' }) }));
}

/** The JWKS validator over the keys `keys()` returns now (they may be refreshed behind it). */
export function jwksValidator(o: JwksOptions, keys: () => readonly VerificationKey[]): TokenValidator {
  return {
    validate(token, now) {
      const { header, claims, signingInput, signature } = splitJws(token);
      const alg = ALGORITHMS[String(header.alg)];
      if (!alg) throw new TokenError(`Unsupported JWS algorithm ${String(header.alg)}`);
      const candidates = keys().filter((k) => k.kty === alg.kty && (header.kid === undefined || k.kid === header.kid));
      if (candidates.length === 0) throw new TokenError(`No key in the JWKS matches kid ${String(header.kid)}`);
      const ok = candidates.some((k) =>
        verify(alg.hash, Buffer.from(signingInput), alg.kty === 'EC'
          ? { key: k.key, dsaEncoding: 'ieee-p1363' }
          : alg.pss ? { key: k.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : k.key, signature));
      if (!ok) throw new TokenError('JWT signature verification failed');
      const exp = numberClaim(claims, 'exp');
      if (exp === undefined) throw new TokenError('The JWT has no "exp" claim');
      if (now - o.clockSkewMs >= exp * 1000) throw new TokenError(`The JWT is no longer valid: exp ${exp}`);
      const nbf = numberClaim(claims, 'nbf');
      if (nbf !== undefined && nbf * 1000 > now + o.clockSkewMs) throw new TokenError(`The JWT is not yet valid: nbf ${nbf}`);
      const sub = claims[o.subClaimName];
      if (typeof sub !== 'string' || sub.trim() === '') throw new TokenError(`The JWT has no "${o.subClaimName}" claim`);
      if (o.expectedIssuer !== null && claims.iss !== o.expectedIssuer) throw new TokenError(`The JWT's issuer ${String(claims.iss)} is not the expected ${o.expectedIssuer}`);
      if (o.expectedAudience.length > 0) {
        const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
        if (!aud.some((a) => o.expectedAudience.includes(a as string))) throw new TokenError('The JWT\'s audience is not one of the expected ones');
      }
      return { principalName: sub, expiresAtMs: exp * 1000, scope: scopeOf(claims, o.scopeClaimName) };
    },
  };
}
