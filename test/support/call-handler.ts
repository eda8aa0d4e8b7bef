import { pino } from 'pino';
import type { ApiSpec, MessageOf } from '../../protocol/schema.js';
import type { Handler, RequestContext } from '../../src/server/handler.js';
import type { BrokerServices } from '../../src/services.js';

/**
 * Calls a handler directly, as dispatch would, with `services` (an in-memory broker's) — no socket,
 * no codec. `req` may leave out fields the handler does not read at that version.
 */
export async function callHandler<A extends ApiSpec>(
  handler: Handler<A>, apiVersion: number, req: Partial<MessageOf<A['request']>>, services: BrokerServices,
): Promise<MessageOf<A['response']>> {
  const ctx = {
    apiKey: handler.api.apiKey, apiVersion, correlationId: 1, clientId: 'test', clientHost: '127.0.0.1:1', services,
    log: pino({ level: 'silent' }), signal: new AbortController().signal, closeConnection: () => {},
  } as unknown as RequestContext;
  return (await handler.handle(req as unknown as MessageOf<A['request']>, ctx))!;
}
