/**
 * One connection's authentication: who it is, and which requests it may send yet — Kafka's
 * SaslServerAuthenticator and the reauthentication part of its KafkaChannel, as a state machine
 * the connection consults for every frame (`admit`) before anything reaches a handler.
 *
 * PLAINTEXT and SSL connections are authenticated from the start (User:ANONYMOUS, or the TLS
 * client certificate's principal). A SASL connection starts unauthenticated and may send, in order:
 *
 *   ApiVersions (at most once)  ->  SaslHandshake (mechanism)  ->  SaslAuthenticate ... (tokens)
 *
 * Anything else before the exchange completes closes the connection ("Unexpected Kafka request of
 * type X during SASL handshake"), so no other request ever reaches a handler unauthenticated. With
 * SaslHandshake v0 the tokens that follow are not Kafka requests but bare size-prefixed SASL
 * messages (the path clients older than Kafka 1.0 take); with v1 they travel in SaslAuthenticate
 * requests (KIP-152). A failed exchange is answered (58 SASL_AUTHENTICATION_FAILED, or 33 for an
 * unknown mechanism) after `connection.failed.authentication.delay.ms`, and the connection closes.
 * A connection that has not authenticated within `connections.max.idle.ms` of its last step is
 * closed.
 *
 * Once authenticated (KIP-368): when `connections.max.reauth.ms` (or an OAuth token's expiry) bounds
 * the session, SaslAuthenticate v1+ tells the client its session lifetime; a client that supports
 * it re-authenticates with a new SaslHandshake on the same connection, as the same principal, with
 * the same mechanism. A request after the session expired closes the connection.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { Clock, ScheduledTask } from '../clock.js';
import type { SecurityProtocol } from '../config/listeners.js';
import { ANONYMOUS, type KafkaPrincipal } from './principal.js';
import { formatPrincipal, user } from './principal-names.js';
import { EMPTY, SaslAuthenticationError, type SaslServer, type SaslServerFactory } from './sasl/mechanism.js';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
/** Kafka's KafkaChannel.MIN_REAUTH_INTERVAL_ONE_SECOND_NANOS. */
const MIN_REAUTH_INTERVAL_MS = 1000;

/** What the connection does with a frame. */
export type Admission =
  | { readonly kind: 'dispatch' }
  | { readonly kind: 'close'; readonly reason: string }
  /** A bare SASL token (after SaslHandshake v0): answered with these buffers, or null to close. */
  | { readonly kind: 'token'; readonly reply: Promise<Buffer[] | null> };

const DISPATCH: Admission = { kind: 'dispatch' };

export interface HandshakeAnswer {
  readonly errorCode: number;
  readonly mechanisms: string[];
  /** Set when the connection must close after this answer. */
  readonly close?: string;
}

export interface AuthenticateAnswer {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly authBytes: Buffer;
  readonly sessionLifetimeMs: bigint;
  readonly close?: string;
}

/** What the SaslHandshake (17) and SaslAuthenticate (36) handlers drive. */
export interface SaslExchange {
  handshake(mechanism: string, version: number): HandshakeAnswer;
  authenticate(authBytes: Buffer, version: number): Promise<AuthenticateAnswer>;
}

/** What the connection sees of its authentication. */
export interface ConnectionAuth extends SaslExchange {
  readonly listenerName: string;
  readonly securityProtocol: SecurityProtocol;
  /** User:ANONYMOUS until a SASL exchange completes. */
  readonly principal: KafkaPrincipal;
  /** The largest frame accepted now: `sasl.server.max.receive.size` until authenticated. */
  maxFrameBytes(): number;
  admit(frame: Buffer): Admission;
  /** Stops the timers (the connection closed). */
  dispose(): void;
}

export interface AuthenticatorOptions {
  readonly listenerName: string;
  readonly securityProtocol: SecurityProtocol;
  /** The listener's SASL mechanisms; absent on PLAINTEXT and SSL listeners. */
  readonly mechanisms?: ReadonlyMap<string, SaslServerFactory>;
  /** The principal of a connection that needs no SASL (the TLS certificate's, or ANONYMOUS). */
  readonly principal?: KafkaPrincipal;
  readonly clock: Clock;
  /** connections.max.idle.ms: how long an unauthenticated connection may sit between steps (negative: forever). */
  readonly authenticationTimeoutMs: number;
  readonly maxReceiveBytes: number;
  readonly failedAuthenticationDelayMs: number;
  /** connections.max.reauth.ms for a mechanism on this listener (0: sessions do not expire). */
  readonly maxReauthMs: (mechanism: string) => number;
  /** Closes the connection (an authentication timeout). */
  readonly close: (reason: string) => void;
  /** Told of each failed authentication (for the log). */
  /** Told of each failed authentication, with what the client is told and the underlying error (for the log). */
  readonly onFailure?: (message: string, cause: unknown) => void;
}

type State = 'initial' | 'handshake' | 'authenticate' | 'complete' | 'failed';

export class Authenticator implements ConnectionAuth {
  private state: State;
  private current: KafkaPrincipal;
  /** Tokens come in SaslAuthenticate requests (v1 handshake) or bare (v0). */
  private framed = true;
  private server: SaslServer | undefined;
  private mechanism: string | undefined;
  /** Set while re-authenticating: the principal and mechanism that must not change. */
  private reauth: { principal: KafkaPrincipal; mechanism: string } | undefined;
  private sessionExpiresAt: number | undefined;
  private clientSupportsReauth = false;
  private lastReauthStart = -Infinity;
  private timer: ScheduledTask | undefined;

  constructor(private readonly o: AuthenticatorOptions) {
    const sasl = o.securityProtocol === 'SASL_PLAINTEXT' || o.securityProtocol === 'SASL_SSL';
    this.state = sasl ? 'initial' : 'complete';
    this.current = o.principal ?? ANONYMOUS;
    if (sasl) this.armTimer();
  }

  get listenerName(): string {
    return this.o.listenerName;
  }

  get securityProtocol(): SecurityProtocol {
    return this.o.securityProtocol;
  }

  get principal(): KafkaPrincipal {
    return this.current;
  }

  maxFrameBytes(): number {
    return this.state === 'complete' && !this.reauth ? Infinity : this.o.maxReceiveBytes;
  }

  dispose(): void {
    this.timer?.cancel();
  }

  admit(frame: Buffer): Admission {
    if (this.state === 'failed') return { kind: 'close', reason: 'authentication failed' };
    if (this.state === 'complete') return this.admitAuthenticated(frame);
    this.armTimer();
    if (this.state === 'authenticate' && !this.framed) return { kind: 'token', reply: this.bareToken(frame) };
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    const during = this.state === 'authenticate' ? 'authentication' : 'handshake';
    const allowed = this.state === 'initial' ? [API_VERSIONS, SASL_HANDSHAKE] : this.state === 'handshake' ? [SASL_HANDSHAKE] : [SASL_AUTHENTICATE];
    if (!allowed.includes(apiKey)) {
      this.state = 'failed';
      return { kind: 'close', reason: `Unexpected Kafka request of type ${apiKey} during SASL ${this.reauth ? 're-' : ''}${during}.` };
    }
    if (apiKey === API_VERSIONS) this.state = 'handshake';
    return DISPATCH;
  }

  private admitAuthenticated(frame: Buffer): Admission {
    // The common case (PLAINTEXT, SSL, a SASL session without a lifetime): nothing to check.
    if (this.sessionExpiresAt === undefined) return DISPATCH;
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    const now = this.o.clock.now();
    if (apiKey === SASL_HANDSHAKE && this.canReauthenticate(now)) {
      this.lastReauthStart = now;
      this.reauth = { principal: this.current, mechanism: this.mechanism! };
      this.state = 'handshake';
      return DISPATCH;
    }
    if (now > this.sessionExpiresAt) {
      return { kind: 'close', reason: 'the SASL session expired (connections.max.reauth.ms) and the client did not re-authenticate' };
    }
    return DISPATCH;
  }

  private canReauthenticate(now: number): boolean {
    return this.sessionExpiresAt !== undefined && this.clientSupportsReauth && now - this.lastReauthStart >= MIN_REAUTH_INTERVAL_MS;
  }

  handshake(mechanism: string, version: number): HandshakeAnswer {
    const enabled = [...(this.o.mechanisms?.keys() ?? [])];
    // After authentication (or on a listener without SASL) Kafka's KafkaApis answers 34.
    if (this.state !== 'handshake' && this.state !== 'initial') return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    const factory = this.o.mechanisms?.get(mechanism);
    if (!factory) {
      this.fail(`Unsupported SASL mechanism ${mechanism}`, undefined);
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: enabled, close: `Unsupported SASL mechanism ${mechanism}` };
    }
    this.framed = version >= 1;
    this.server = factory.create();
    this.mechanism = mechanism;
    this.state = 'authenticate';
    return { errorCode: ErrorCode.NONE, mechanisms: enabled };
  }

  async authenticate(authBytes: Buffer, version: number): Promise<AuthenticateAnswer> {
    if (this.state !== 'authenticate' || !this.framed) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: EMPTY, sessionLifetimeMs: 0n };
    }
    // The client supports re-authentication if any of its SaslAuthenticate requests is v1+.
    if (version > 0) this.clientSupportsReauth = true;
    try {
      const { challenge, lifetimeMs } = await this.step(authBytes);
      return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: challenge, sessionLifetimeMs: BigInt(lifetimeMs) };
    } catch (err) {
      const message = this.failureMessage(err);
      this.fail(message, err);
      await this.failureDelay();
      return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: EMPTY, sessionLifetimeMs: 0n, close: message };
    }
  }

  /** A bare token (SaslHandshake v0): its answer is a bare size-prefixed message; a failure closes without one. */
  private async bareToken(token: Buffer): Promise<Buffer[] | null> {
    try {
      const { challenge } = await this.step(token);
      const size = Buffer.allocUnsafe(4);
      size.writeInt32BE(challenge.length);
      return [size, challenge];
    } catch (err) {
      this.fail(this.failureMessage(err), err);
      await this.failureDelay();
      return null;
    }
  }

  /** One SASL step; on completion, the principal and the session's lifetime. */
  private async step(token: Buffer): Promise<{ challenge: Buffer; lifetimeMs: number }> {
    const step = await this.server!.evaluate(token);
    if (!step.complete) return { challenge: step.challenge, lifetimeMs: 0 };
    const principal = user(step.complete.authorizationId);
    if (this.reauth && formatPrincipal(principal) !== formatPrincipal(this.reauth.principal)) {
      throw new SaslAuthenticationError(`Cannot change principals during re-authentication from ${this.reauth.principal.type}.${this.reauth.principal.name}: ${principal.type}.${principal.name}`);
    }
    if (this.reauth && this.mechanism !== this.reauth.mechanism) {
      throw new SaslAuthenticationError(`SASL mechanism '${this.mechanism}' requested by client is not supported for re-authentication of mechanism '${this.reauth.mechanism}'`);
    }
    const lifetimeMs = this.sessionLifetime(step.complete.credentialExpiresAtMs);
    this.current = principal;
    this.state = 'complete';
    this.reauth = undefined;
    this.timer?.cancel();
    return { challenge: step.challenge, lifetimeMs };
  }

  /** Kafka's ReauthInfo.calcCompletionTimesAndReturnSessionLifetimeMs. */
  private sessionLifetime(credentialExpiresAtMs: number | undefined): number {
    const now = this.o.clock.now();
    const maxReauthMs = this.o.maxReauthMs(this.mechanism!);
    if (credentialExpiresAtMs === undefined && maxReauthMs <= 0) {
      this.sessionExpiresAt = undefined;
      return 0;
    }
    const untilExpiry = credentialExpiresAtMs === undefined ? Infinity : Math.max(0, credentialExpiresAtMs - now);
    const lifetime = Math.min(untilExpiry, maxReauthMs > 0 ? maxReauthMs : Infinity);
    this.sessionExpiresAt = now + lifetime;
    return lifetime;
  }

  private failureMessage(err: unknown): string {
    if (err instanceof SaslAuthenticationError) return err.message;
    // Anything else gets Kafka's generic message: no detail (such as whether the user exists) leaks.
    return `Authentication failed during ${this.reauth ? 're-authentication' : 'authentication'} due to invalid credentials with SASL mechanism ${this.mechanism}`;
  }

  private fail(message: string, cause: unknown): void {
    this.state = 'failed';
    this.timer?.cancel();
    this.o.onFailure?.(message, cause);
  }

  private failureDelay(): Promise<void> {
    const ms = this.o.failedAuthenticationDelayMs;
    return ms > 0 ? new Promise((resolve) => this.o.clock.schedule(ms, resolve)) : Promise.resolve();
  }

  /** (Re)starts the unauthenticated connection's deadline. */
  private armTimer(): void {
    this.timer?.cancel();
    const ms = this.o.authenticationTimeoutMs;
    if (ms < 0) return;
    this.timer = this.o.clock.schedule(ms, () => {
      if (this.state !== 'complete') this.o.close(`not authenticated within connections.max.idle.ms (${ms} ms)`);
    });
  }
}
