/**
 * Who a connection is: Kafka's KafkaPrincipal ("User:alice").
 *
 * Client quotas (src/quota) and, later, ACLs decide by principal. A PLAINTEXT connection that has
 * not authenticated is Kafka's anonymous principal, `User:ANONYMOUS`; once SASL exists, the
 * connection replaces it with the authenticated user, and nothing downstream changes.
 */
export interface KafkaPrincipal {
  /** The principal type; Kafka's authenticators always say "User". */
  readonly type: string;
  readonly name: string;
}

/** KafkaPrincipal.ANONYMOUS: the principal of every unauthenticated connection. */
export const ANONYMOUS: KafkaPrincipal = Object.freeze({ type: 'User', name: 'ANONYMOUS' });
