/**
 * From a request frame to a response frame: parse the request header, find the API's handler, check
 * the version, decode the body, run the handler, and frame its answer.
 *
 * Which versions: every version Kafka 3.9 served, Kafka 4.x's range extended down to Kafka 3.9's
 * floor (each handler's `legacyMinVersion`), unless `api.versions.floor=4.0` asks for Kafka 4.x's
 * exact ranges and refusals (KIP-896).
 *
 * Kafka's rules, followed here:
 * - An unknown API key, or a version outside what we advertise, closes the connection — except
 *   ApiVersions, which answers any version with a v0 body: error 35 (UNSUPPORTED_VERSION) and its own
 *   range, so a newer client can retry with a version we know (KIP-511).
 * - Flexible request versions use request header v2 (a tag section after the client id, which stays a
 *   classic int16 string); their responses use response header v1 (a tag section after the correlation
 *   id) — except ApiVersions responses, which always use header v0.
 */
import type { ApiSpec } from '../../protocol/schema.js';
import { ApiVersions } from '../../protocol/messages/18-api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { codecFor, isFlexible } from '../codec/interpret.js';
import { ProtocolError } from '../codec/errors.js';
import { Reader } from '../codec/reader.js';
import type { Handler } from './handler.js';

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

export interface ParsedRequest {
  readonly header: RequestHeader;
  readonly handler: Handler;
  readonly body: unknown;
}

/** What to do with a frame: run a handler, answer directly (ApiVersions fallback), or close. */
export type Dispatch =
  | { readonly kind: 'handle'; readonly request: ParsedRequest }
  | { readonly kind: 'reply'; readonly header: RequestHeader; readonly frame: Buffer[] }
  | { readonly kind: 'close'; readonly reason: string };

/** `api.versions.floor`: whose lowest versions to serve, Kafka 3.9's (the default) or Kafka 4.0's. */
export type VersionsFloor = '3.9' | '4.0';

/** A handler's versions under one floor: advertised from `min`, served from `handledMin`. */
interface Served {
  readonly handler: Handler;
  readonly min: number;
  readonly handledMin: number;
}

function served(h: Handler, floor: VersionsFloor): Served {
  if (floor === '3.9' && h.legacyMinVersion !== undefined) {
    return { handler: h, min: Math.min(h.minVersion, h.legacyMinVersion), handledMin: h.legacyMinVersion };
  }
  return { handler: h, min: h.minVersion, handledMin: h.minHandledVersion ?? h.minVersion };
}

export class HandlerRegistry {
  private readonly byKey = new Map<number, Served>();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers for different APIs, as HANDLERS lists them
  constructor(handlers: readonly Handler<any>[], floor: VersionsFloor = '3.9') {
    for (const h of handlers) {
      if (this.byKey.has(h.api.apiKey)) throw new Error(`two handlers for API key ${h.api.apiKey}`);
      this.byKey.set(h.api.apiKey, served(h, floor));
    }
  }

  get(apiKey: number): Handler | undefined {
    return this.byKey.get(apiKey)?.handler;
  }

  /** The ApiVersions `apiKeys` list: exactly the registered handlers and their ranges. */
  advertised(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.byKey.values()]
      .map((s) => ({ apiKey: s.handler.api.apiKey, minVersion: s.min, maxVersion: s.handler.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  dispatch(frame: Buffer): Dispatch {
    if (frame.length < 8) return { kind: 'close', reason: `request of ${frame.length} bytes is shorter than a header` };
    const r = new Reader(frame);
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    const served = this.byKey.get(apiKey);
    if (!served) return { kind: 'close', reason: `unknown API key ${apiKey}` };
    const { handler } = served;
    const partial = { apiKey, apiVersion, correlationId, clientId: null };
    if (apiVersion < served.min || apiVersion > handler.maxVersion) {
      if (apiKey === ApiVersions.apiKey) {
        return { kind: 'reply', header: partial, frame: this.unsupportedApiVersions(correlationId, served) };
      }
      return { kind: 'close', reason: `API ${handler.api.name} v${apiVersion} is not supported` };
    }
    if (apiVersion < served.handledMin) {
      return { kind: 'close', reason: `API ${handler.api.name} v${apiVersion} is advertised for compatibility only` };
    }
    try {
      const clientId = r.nullableString();
      const spec = handler.api.request;
      if (isFlexible(spec, apiVersion)) skipTags(r);
      const body = codecFor(spec, apiVersion).read(r);
      return { kind: 'handle', request: { header: { apiKey, apiVersion, correlationId, clientId }, handler, body } };
    } catch (err) {
      if (err instanceof ProtocolError) {
        return { kind: 'close', reason: `malformed ${handler.api.name} v${apiVersion} request: ${err.message}` };
      }
      throw err;
    }
  }

  /** Kafka's answer to an ApiVersions version it does not know: a v0 body with error 35. */
  private unsupportedApiVersions(correlationId: number, { handler, min }: Served): Buffer[] {
    const body = codecFor(ApiVersions.response, 0).encode({
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: handler.api.apiKey, minVersion: min, maxVersion: handler.maxVersion }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    return frameResponse(correlationId, false, body);
  }
}

function skipTags(r: Reader): void {
  const count = r.unsignedVarint();
  for (let i = 0; i < count; i++) {
    r.unsignedVarint();
    r.skip(r.unsignedVarint());
  }
}

/** Size prefix + response header (v0, or v1 with an empty tag section) + body chunks. */
export function frameResponse(correlationId: number, headerV1: boolean, body: Buffer[]): Buffer[] {
  let size = headerV1 ? 5 : 4;
  for (const b of body) size += b.length;
  const head = Buffer.allocUnsafe(headerV1 ? 9 : 8);
  head.writeInt32BE(size, 0);
  head.writeInt32BE(correlationId, 4);
  if (headerV1) head[8] = 0;
  return [head, ...body];
}

/** Encode a handler's response for the request's version, framed. */
export function encodeResponse(api: ApiSpec, header: RequestHeader, response: unknown): Buffer[] {
  const codec = codecFor(api.response, header.apiVersion);
  const headerV1 = codec.flexible && api.apiKey !== ApiVersions.apiKey;
  return frameResponse(header.correlationId, headerV1, codec.encode(response as never));
}
