import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { Authenticator } from '../../src/security/authenticator.js';
import { plainFactory } from '../../src/security/sasl/plain.js';
import { ManualClock } from '../support/manual-clock.js';

/** A request frame's start: api key and version (all the authenticator reads). */
const frame = (apiKey: number, version = 0) => Buffer.from([apiKey >> 8, apiKey & 0xff, 0, version]);
const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const METADATA = 3;

function sasl(opts: { maxReauthMs?: number } = {}) {
  const clock = new ManualClock(1_000);
  const closed: string[] = [];
  const failures: string[] = [];
  const auth = new Authenticator({
    listenerName: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT',
    mechanisms: new Map([['PLAIN', plainFactory(new Map([['alice', 'alice-secret']]))]]),
    clock, authenticationTimeoutMs: 30_000, maxReceiveBytes: 524288, failedAuthenticationDelayMs: 0,
    maxReauthMs: () => opts.maxReauthMs ?? 0,
    close: (reason) => closed.push(reason),
    onFailure: (message) => failures.push(message),
  });
  return { auth, clock, closed, failures };
}

const token = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`);

describe('Authenticator: only SASL requests before authentication', () => {
  it('a PLAINTEXT connection is User:ANONYMOUS and dispatches everything', () => {
    const auth = new Authenticator({
      listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', clock: new ManualClock(), authenticationTimeoutMs: 1,
      maxReceiveBytes: 1, failedAuthenticationDelayMs: 0, maxReauthMs: () => 0, close: () => {},
    });
    expect(auth.principal).toEqual({ type: 'User', name: 'ANONYMOUS' });
    expect(auth.admit(frame(METADATA)).kind).toBe('dispatch');
    expect(auth.maxFrameBytes()).toBe(Infinity);
    // SaslHandshake on a listener without SASL: 34, as Kafka's KafkaApis answers.
    expect(auth.handshake('PLAIN', 1).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
  });

  it('a request other than ApiVersions or SASL before authentication closes the connection, never reaching a handler', () => {
    const { auth } = sasl();
    expect(auth.maxFrameBytes()).toBe(524288);
    expect(auth.admit(frame(API_VERSIONS)).kind).toBe('dispatch');
    expect(auth.admit(frame(METADATA))).toEqual({ kind: 'close', reason: 'Unexpected Kafka request of type 3 during SASL handshake.' });
    // Once failed, every later frame closes too.
    expect(auth.admit(frame(SASL_HANDSHAKE)).kind).toBe('close');
  });

  it('handshake, then authenticate: the principal becomes the user and the frame limit lifts', async () => {
    const { auth } = sasl();
    expect(auth.admit(frame(SASL_HANDSHAKE, 1)).kind).toBe('dispatch');
    expect(auth.handshake('PLAIN', 1)).toEqual({ errorCode: 0, mechanisms: ['PLAIN'] });
    expect(auth.admit(frame(SASL_AUTHENTICATE, 2)).kind).toBe('dispatch');
    const answer = await auth.authenticate(token('alice', 'alice-secret'), 2);
    expect(answer.errorCode).toBe(0);
    expect(auth.principal).toEqual({ type: 'User', name: 'alice' });
    expect(auth.maxFrameBytes()).toBe(Infinity);
    expect(auth.admit(frame(METADATA)).kind).toBe('dispatch');
  });

  it('a wrong password or a malformed token: 58 SASL_AUTHENTICATION_FAILED, then close', async () => {
    for (const bad of [token('alice', 'wrong'), token('mallory', 'x'), Buffer.from('no separators'), Buffer.alloc(0)]) {
      const { auth, failures } = sasl();
      auth.handshake('PLAIN', 1);
      const answer = await auth.authenticate(bad, 2);
      expect(answer.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      expect(answer.close).toBeDefined();
      expect(failures).toHaveLength(1);
      expect(auth.principal.name).toBe('ANONYMOUS');
      expect(auth.admit(frame(METADATA)).kind).toBe('close');
    }
  });

  it('an unknown mechanism: 33 with the enabled ones, and close', () => {
    const { auth } = sasl();
    expect(auth.handshake('GSSAPI', 1)).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN'] });
  });

  it('SaslHandshake v0: the token that follows is a bare SASL message, answered bare', async () => {
    const { auth } = sasl();
    auth.handshake('PLAIN', 0);
    const admission = auth.admit(token('alice', 'alice-secret'));
    expect(admission.kind).toBe('token');
    const reply = await (admission as { reply: Promise<Buffer[] | null> }).reply;
    expect(Buffer.concat(reply!)).toEqual(Buffer.from([0, 0, 0, 0])); // size 0: PLAIN's empty challenge
    expect(auth.principal.name).toBe('alice');
  });

  it('a client that never authenticates is closed after connections.max.idle.ms', () => {
    const { auth, clock, closed } = sasl();
    auth.admit(frame(API_VERSIONS));
    clock.advance(29_999);
    expect(closed).toEqual([]);
    clock.advance(1);
    expect(closed).toEqual(['not authenticated within connections.max.idle.ms (30000 ms)']);
  });

  it('KIP-368: with connections.max.reauth.ms the session has a lifetime; a request after it expires closes', async () => {
    const { auth, clock } = sasl({ maxReauthMs: 60_000 });
    auth.handshake('PLAIN', 1);
    const answer = await auth.authenticate(token('alice', 'alice-secret'), 2);
    expect(answer.sessionLifetimeMs).toBe(60_000n);
    clock.advance(60_000);
    expect(auth.admit(frame(METADATA)).kind).toBe('dispatch');
    clock.advance(1);
    expect(auth.admit(frame(METADATA)).kind).toBe('close');
  });

  it('KIP-368: a client that spoke SaslAuthenticate v1+ re-authenticates with a new handshake, as the same user', async () => {
    const { auth, clock } = sasl({ maxReauthMs: 60_000 });
    auth.handshake('PLAIN', 1);
    await auth.authenticate(token('alice', 'alice-secret'), 1);
    clock.advance(30_000);
    expect(auth.admit(frame(SASL_HANDSHAKE, 1)).kind).toBe('dispatch');
    expect(auth.handshake('PLAIN', 1).errorCode).toBe(0);
    const again = await auth.authenticate(token('alice', 'alice-secret'), 1);
    expect(again.errorCode).toBe(0);
    clock.advance(59_000);
    expect(auth.admit(frame(METADATA)).kind).toBe('dispatch');
  });
});
