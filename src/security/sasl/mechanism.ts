/**
 * One SASL mechanism's server side, as Kafka's SaslServer: it is handed each client message and
 * answers with the next server message, until the exchange is complete.
 *
 * Two kinds of failure, as in Kafka: a SaslAuthenticationError carries a message meant for the
 * client (it is sent in SaslAuthenticate's error_message); any other error is answered with a
 * generic message that reveals nothing (not even whether the user exists).
 */

/** The outcome of one step. */
export interface SaslStep {
  /** The server's next message (empty when there is none to send). */
  readonly challenge: Buffer;
  /** Set when the exchange succeeded with this step. */
  readonly complete?: {
    /** The authenticated name: the principal becomes User:<name>. */
    readonly authorizationId: string;
    /** When the credential itself stops being valid (an OAuth token's exp), in ms since the epoch. */
    readonly credentialExpiresAtMs?: number;
  };
}

export interface SaslServer {
  readonly mechanism: string;
  evaluate(clientMessage: Buffer): SaslStep | Promise<SaslStep>;
}

/** A failure whose message the client may see. */
export class SaslAuthenticationError extends Error {}

/** A failure answered with Kafka's generic message (invalid credentials). */
export class SaslError extends Error {}

/** Creates a fresh server for each authentication. */
export interface SaslServerFactory {
  readonly mechanism: string;
  create(): SaslServer;
}

export const EMPTY = Buffer.alloc(0);
