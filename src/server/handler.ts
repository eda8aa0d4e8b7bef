/**
 * What an API handler is: one module per API key (`src/handlers/NN-name.ts`) that declares the
 * versions it serves and turns a decoded request into a response.
 *
 * The versions a handler declares are exactly what ApiVersions advertises (see dispatch.ts), so the
 * broker can never advertise a version it does not handle.
 */
import type { Logger } from 'pino';
import type { ApiSpec, MessageOf } from '../../protocol/schema.js';
import type { SaslExchange } from '../security/authenticator.js';
import type { KafkaPrincipal } from '../security/principal.js';
import type { BrokerServices } from '../services.js';

export interface RequestContext {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** Remote address and port, e.g. "127.0.0.1:53422", for logs and group member ids. */
  readonly clientHost: string;
  /** The client's IP address alone ("127.0.0.1"), which ACLs name as their host. */
  readonly clientAddress: string;
  /** Who the connection is (User:ANONYMOUS until it authenticates); quotas and ACLs decide by it. */
  readonly principal: KafkaPrincipal;
  /** The listener the request came in on (upper case): Metadata and FindCoordinator answer with its address. */
  readonly listenerName: string;
  /** The connection's SASL exchange, which SaslHandshake and SaslAuthenticate drive. */
  readonly sasl: SaslExchange;
  /** The broker's services: topics, groups, config, clock, node identity (src/services.ts). */
  readonly services: BrokerServices;
  /** The APIs this server handles, for ApiVersions. */
  readonly apis: AdvertisedApis;
  readonly log: Logger;
  /** Aborted when the connection closes, so long waits (fetch, join) can give up early. */
  readonly signal: AbortSignal;
  /** Close the connection after the responses before this one (Kafka's answer to a failed acks=0 produce). */
  closeConnection(reason: string): void;
  /**
   * Runs `fn` once this request's response has been written to the socket (the kernel has the
   * bytes, or the write failed), or at once when there is no response. Not run if the connection
   * closes before the response is written. Fetch gives its read buffers back here.
   */
  afterResponse(fn: () => void): void;
}

/** The API keys and version ranges the server handles (its handler registry, see dispatch.ts). */
export interface AdvertisedApis {
  advertised(): { apiKey: number; minVersion: number; maxVersion: number }[];
}

export type Request<A extends ApiSpec> = MessageOf<A['request']>;
export type Response<A extends ApiSpec> = MessageOf<A['response']>;

export interface Handler<A extends ApiSpec = ApiSpec> {
  readonly api: A;
  /** Kafka 4.x's range, as its ApiVersions advertises it. */
  readonly minVersion: number;
  readonly maxVersion: number;
  /**
   * Kafka 4.x: versions below this are advertised but answered by closing the connection, as Kafka
   * 4.x does for Produce v0-2 (advertised only because librdkafka reads a v0 minimum as a feature flag).
   */
  readonly minHandledVersion?: number;
  /**
   * Kafka 3.9's lowest version, for APIs whose oldest versions Kafka 4.0 removed (KIP-896). By
   * default Tafka advertises and serves them, so old clients keep working; `api.versions.floor=4.0`
   * refuses them as Kafka 4.x does (see dispatch.ts).
   */
  readonly legacyMinVersion?: number;
  /**
   * The most response bytes this request may produce, when that can be large (Fetch: its max
   * bytes). The connection counts it against its unsent-bytes budget from the moment it reads the
   * request, so many large fetches are not read at once (see connection.ts).
   */
  responseBytes?(request: Request<A>): number;
  /** The response, or null when none must be sent (Produce with acks=0). */
  handle(request: Request<A>, ctx: RequestContext): Response<A> | null | Promise<Response<A> | null>;
}

/** Identity function that infers the request and response types from the API spec. */
export function defineHandler<A extends ApiSpec>(h: Handler<A>): Handler<A> {
  return h;
}
