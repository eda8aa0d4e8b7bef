/**
 * Principals as text, the way Kafka writes them in ACLs and `super.users`: "User:alice"
 * (SecurityUtils.parseKafkaPrincipal and KafkaPrincipal.toString).
 */
import type { KafkaPrincipal } from './principal.js';

export class InvalidPrincipalError extends Error {}

/** "Type:name", split at the first colon; the name may itself contain colons ("User:CN=a:b"). */
export function parsePrincipal(text: string): KafkaPrincipal {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new InvalidPrincipalError(`expected a string in format principalType:principalName but got ${text}`);
  return { type: text.slice(0, colon), name: text.slice(colon + 1) };
}

export function formatPrincipal(p: KafkaPrincipal): string {
  return `${p.type}:${p.name}`;
}

/** A user principal (what every Kafka authenticator builds). */
export function user(name: string): KafkaPrincipal {
  return { type: 'User', name };
}
