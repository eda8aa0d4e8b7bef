/**
 * SCRAM's arithmetic (RFC 5802, with SHA-256 and SHA-512 as RFC 7677 and Kafka's ScramFormatter):
 *
 *   SaltedPassword  = PBKDF2-HMAC(password, salt, iterations)
 *   ClientKey       = HMAC(SaltedPassword, "Client Key")      StoredKey = H(ClientKey)
 *   ServerKey       = HMAC(SaltedPassword, "Server Key")
 *   ClientSignature = HMAC(StoredKey, AuthMessage)           ClientProof = ClientKey XOR ClientSignature
 *   ServerSignature = HMAC(ServerKey, AuthMessage)
 *
 * The broker keeps only salt, iterations, StoredKey and ServerKey: enough to check a proof and to
 * prove itself, never enough to log in as the user.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramMechanismInfo {
  readonly name: ScramMechanismName;
  /** Kafka's ScramMechanism type, as AlterUserScramCredentials and DescribeUserScramCredentials number it. */
  readonly type: 1 | 2;
  readonly hash: 'sha256' | 'sha512';
  readonly keyLength: number;
  readonly minIterations: number;
}

export const SCRAM_MECHANISMS: readonly ScramMechanismInfo[] = [
  { name: 'SCRAM-SHA-256', type: 1, hash: 'sha256', keyLength: 32, minIterations: 4096 },
  { name: 'SCRAM-SHA-512', type: 2, hash: 'sha512', keyLength: 64, minIterations: 4096 },
];

/** Kafka's ScramControlManager.MAX_ITERATIONS. */
export const MAX_ITERATIONS = 16384;

export function scramMechanism(nameOrType: string | number): ScramMechanismInfo | undefined {
  return SCRAM_MECHANISMS.find((m) => m.name === nameOrType || m.type === nameOrType);
}

/** What the broker stores for one user and mechanism (Kafka's UserScramCredentialRecord). */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

export const hmac = (m: ScramMechanismInfo, key: Buffer, data: string | Buffer): Buffer => createHmac(m.hash, key).update(data).digest();
export const hash = (m: ScramMechanismInfo, data: Buffer): Buffer => createHash(m.hash).update(data).digest();

export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

export function saltedPassword(m: ScramMechanismInfo, password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, m.keyLength, m.hash);
}

/** The stored credential from a salted password (what AlterUserScramCredentials sends). */
export function credentialFromSaltedPassword(m: ScramMechanismInfo, salt: Buffer, salted: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(m, salted, 'Client Key');
  return { salt, iterations, storedKey: hash(m, clientKey), serverKey: hmac(m, salted, 'Server Key') };
}

/** The stored credential for a password, with a fresh random salt (Kafka's generateCredential). */
export function credentialFromPassword(m: ScramMechanismInfo, password: string, iterations: number, salt: Buffer = randomBytes(32)): ScramCredential {
  return credentialFromSaltedPassword(m, salt, saltedPassword(m, password, salt, iterations), iterations);
}
