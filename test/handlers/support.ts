/**
 * Calling a handler directly against an in-memory broker on a manual clock: no sockets, no codec,
 * and time moves only when the test says.
 */
import { pino } from 'pino';
import type { ApiSpec } from '../../protocol/schema.js';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import type { Handler, Request, RequestContext, Response } from '../../src/server/handler.js';
import { ManualClock } from '../support/manual-clock.js';

export async function inMemoryBroker(clock = new ManualClock(1_000_000), settings: [string, string][] = []): Promise<Broker> {
  return Broker.start({ inMemory: true, clock, config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0'], ...settings]) });
}

export function context(broker: Broker, apiKey: number, apiVersion: number, signal = new AbortController().signal): RequestContext {
  return {
    apiKey, apiVersion, correlationId: 1, clientId: null, clientHost: 'test', services: broker.services,
    log: pino({ level: 'silent' }), signal, closeConnection: () => {}, afterResponse: () => {},
  } as unknown as RequestContext;
}

/** Runs `handler` on a request written as the test needs it (fields a version does not use may be left out). */
export async function call<A extends ApiSpec>(broker: Broker, handler: Handler<A>, version: number, request: Partial<Request<A>>): Promise<Response<A>> {
  const response = await handler.handle(request as unknown as Request<A>, context(broker, handler.api.apiKey, version));
  if (!response) throw new Error('no response');
  return response;
}
