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
import { ANONYMOUS } from '../../src/security/principal.js';

const registry = new HandlerRegistry(HANDLERS);

export interface CallResult<A extends ApiSpec> {
  readonly response: Response<A> | null;
  /** Set when the handler asked to close the connection. */
  readonly closed?: string;
}

export async function callHandler<A extends ApiSpec>(
  services: BrokerServices,
  api: A,
  apiVersion: number,
  request: Request<A>,
  clientId = 'unit-test',
): Promise<CallResult<A>> {
  const handler = registry.get(api.apiKey) as unknown as Handler<A>;
  let closed: string | undefined;
  const response = await handler.handle(request, {
    apiKey: api.apiKey,
    apiVersion,
    correlationId: 1,
    clientId,
    clientHost: '127.0.0.1:1',
    principal: ANONYMOUS,
    services,
    apis: registry,
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    closeConnection: (reason) => void (closed = reason),
  });
  return { response, closed };
}
