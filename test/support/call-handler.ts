/**
 * Calling one API handler directly, with the services of a broker started in the test: the request
 * as its decoded object, the response as the handler returns it. No socket, no codec.
 */
import { pino } from 'pino';
import type { ApiSpec } from '../../protocol/schema.js';
import { HANDLERS } from '../../src/handlers/index.js';
import type { Handler, Request, Response } from '../../src/server/handler.js';
import { HandlerRegistry } from '../../src/server/dispatch.js';
import type { BrokerServices } from '../../src/services.js';
import { Authenticator } from '../../src/security/authenticator.js';
import { ANONYMOUS, type KafkaPrincipal } from '../../src/security/principal.js';

const registry = new HandlerRegistry(HANDLERS);

export interface CallResult<A extends ApiSpec> {
  readonly response: Response<A> | null;
  /** Set when the handler asked to close the connection. */
  readonly closed?: string;
  /** Runs what the handler asked to run once its response is written (RequestContext.afterResponse). */
  readonly responseWritten: () => void;
}

export async function callHandler<A extends ApiSpec>(
  services: BrokerServices,
  api: A,
  apiVersion: number,
  request: Request<A>,
  clientId = 'unit-test',
  /** Who calls (ACL tests); a PLAINTEXT listener's anonymous client by default. */
  principal: KafkaPrincipal = ANONYMOUS,
): Promise<CallResult<A>> {
  const handler = registry.get(api.apiKey) as unknown as Handler<A>;
  let closed: string | undefined;
  const written: (() => void)[] = [];
  const response = await handler.handle(request, {
    apiKey: api.apiKey,
    apiVersion,
    correlationId: 1,
    clientId,
    clientHost: '127.0.0.1:1',
    clientAddress: '127.0.0.1',
    principal,
    listenerName: 'PLAINTEXT',
    // A PLAINTEXT listener's: SaslHandshake is answered as Kafka answers it there.
    sasl: new Authenticator({
      listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', principal, clock: services.clock, authenticationTimeoutMs: -1,
      maxReceiveBytes: 524288, failedAuthenticationDelayMs: 0, maxReauthMs: () => 0, close: () => {},
    }),
    services,
    apis: registry,
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    closeConnection: (reason) => void (closed = reason),
    afterResponse: (fn) => void written.push(fn),
  });
  return { response, closed, responseWritten: () => written.splice(0).forEach((fn) => fn()) };
}
