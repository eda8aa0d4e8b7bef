/**
 * The inspector's traffic capture: the last requests and responses, decoded as field trees over
 * their bytes, kept in a bounded ring and streamed to open traffic pages (Server-Sent Events).
 *
 * Off unless `tafka.inspector.traffic.enable` is set: it decodes every request a second time (with
 * the traced codecs) and copies bytes, which costs CPU on every request. While it is off the network
 * tap pays one boolean check per request (network-tap.ts).
 */
import type { ApiSpec } from '../../protocol/schema.js';
import { ApiVersions } from '../../protocol/messages/18-api-versions.js';
import { RequestHeader } from '../../protocol/messages/request-header.js';
import { ResponseHeader } from '../../protocol/messages/response-header.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { decodeTraced, isFlexible } from '../codec/interpret.js';
import type { ObservedHeader } from '../observe/observer.js';
import { fromSpans, type DisplayNode } from './display.js';

/** Bytes of each frame kept for the hex view; fields past it are listed without their bytes. */
export const CAPTURED_BYTES = 4096;
/** Requests kept for pages opened later. */
export const TRAFFIC_RING_SIZE = 500;

/** One side of an exchange, as the page draws it. */
export interface CapturedMessage {
  /** Hex of the first CAPTURED_BYTES bytes of the frame, size prefix included. */
  readonly hex: string;
  /** The frame's whole size, size prefix included. */
  readonly size: number;
  readonly tree: DisplayNode;
}

/** What the traffic list shows of a request (also the SSE event). */
export interface TrafficSummary {
  readonly id: number;
  readonly atMs: number;
  readonly connection: string;
  readonly apiKey: number;
  readonly api: string;
  readonly version: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** Topics and groups the request names. */
  readonly subjects: readonly string[];
  latencyMs: number;
  requestBytes: number;
  responseBytes: number;
}

export interface TrafficEntry extends TrafficSummary {
  readonly request: CapturedMessage;
  response?: CapturedMessage;
}

export class TrafficCapture {
  private readonly ring: (TrafficEntry | undefined)[];
  private next = 0;
  private nextId = 1;
  private readonly subscribers = new Set<(s: TrafficSummary) => void>();

  constructor(
    /** Checked once per request by the network tap. */
    readonly enabled: boolean,
    private readonly now: () => number,
    /** Names topics that newer requests give by id. */
    private readonly topicName: (id: string) => string | undefined,
    size = TRAFFIC_RING_SIZE,
  ) {
    this.ring = new Array<TrafficEntry | undefined>(size);
  }

  /** Decodes a request frame (size prefix not included) while it is still as the client sent it. */
  request(connection: string, header: ObservedHeader, api: ApiSpec, frame: Buffer): TrafficEntry {
    const bytes = sizePrefixed([frame]);
    const tree = decodeFrame(bytes, (r) => {
      const flexible = isFlexible(api.request, header.apiVersion);
      const h = decodeTraced(RequestHeader, flexible ? 2 : 1, bytes, 4);
      const body = decodeTraced(api.request, header.apiVersion, bytes, h.spans.end);
      r.push(fromSpans(h.spans, bytes, 0, 'header'), fromSpans(body.spans, bytes, 0, `${api.name}Request v${header.apiVersion}`));
      return body.value;
    });
    return {
      id: this.nextId++,
      atMs: this.now(),
      connection,
      apiKey: header.apiKey,
      api: api.name,
      version: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      subjects: subjectsOf(tree.value, this.topicName),
      latencyMs: 0,
      requestBytes: bytes.length,
      responseBytes: 0,
      request: captured(bytes, tree.node),
    };
  }

  /** Decodes the response frames (size prefix included) of a captured request. */
  response(entry: TrafficEntry, api: ApiSpec, frame: readonly Buffer[]): void {
    const bytes = Buffer.concat(frame);
    const tree = decodeFrame(bytes, (r) => {
      const flexible = isFlexible(api.response, entry.version) && api.apiKey !== ApiVersions.apiKey;
      const h = decodeTraced(ResponseHeader, flexible ? 1 : 0, bytes, 4);
      const body = decodeTraced(api.response, entry.version, bytes, h.spans.end);
      r.push(fromSpans(h.spans, bytes, 0, 'header'), fromSpans(body.spans, bytes, 0, `${api.name}Response v${entry.version}`));
      return body.value;
    });
    entry.response = captured(bytes, tree.node);
    entry.responseBytes = bytes.length;
  }

  /** The exchange is complete (its response is on the socket, or none is sent): keep and announce it. */
  publish(entry: TrafficEntry, latencyMs: number): void {
    entry.latencyMs = latencyMs;
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.ring.length;
    const summary = summaryOf(entry);
    for (const s of this.subscribers) s(summary);
  }

  /** Kept exchanges, oldest first. */
  recent(): TrafficSummary[] {
    const out: TrafficSummary[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const e = this.ring[(this.next + i) % this.ring.length];
      if (e) out.push(summaryOf(e));
    }
    return out;
  }

  get(id: number): TrafficEntry | undefined {
    return this.ring.find((e) => e?.id === id);
  }

  subscribe(listener: (s: TrafficSummary) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }
}

function summaryOf(e: TrafficEntry): TrafficSummary {
  const { request: _request, response: _response, ...summary } = e;
  return summary;
}

function sizePrefixed(frame: readonly Buffer[]): Buffer {
  let size = 0;
  for (const b of frame) size += b.length;
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(size, 0);
  return Buffer.concat([prefix, ...frame]);
}

/** The frame's tree: its size prefix, then what `decode` adds (a failure becomes a note, never an exception). */
function decodeFrame(bytes: Buffer, decode: (nodes: DisplayNode[]) => unknown): { node: DisplayNode; value: unknown } {
  const nodes: DisplayNode[] = [{ name: 'size', start: 0, end: 4, value: `${bytes.readInt32BE(0)} (bytes after this field)` }];
  let value: unknown;
  try {
    value = decode(nodes);
  } catch (err) {
    nodes.push({ name: 'not decoded', start: 4, end: bytes.length, value: (err as Error).message });
  }
  return { node: { name: 'frame', start: 0, end: bytes.length, children: nodes }, value };
}

function captured(bytes: Buffer, tree: DisplayNode): CapturedMessage {
  return { hex: bytes.toString('hex', 0, Math.min(bytes.length, CAPTURED_BYTES)), size: bytes.length, tree };
}

/** Topic names (from `topics`/`topicData` lists, by name or id) and the group id a request carries. */
export function subjectsOf(body: unknown, topicName: (id: string) => string | undefined): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const b = body as Record<string, unknown>;
  const out = new Set<string>();
  for (const key of ['topics', 'topicData']) {
    const list = b[key];
    if (!Array.isArray(list)) continue;
    for (const t of list as Record<string, unknown>[]) {
      const name = t.name ?? t.topic;
      if (typeof name === 'string' && name !== '') out.add(name);
      else if (typeof t.topicId === 'string' && t.topicId !== ZERO_UUID) out.add(topicName(t.topicId) ?? t.topicId);
    }
  }
  if (typeof b.groupId === 'string') out.add(`group ${b.groupId}`);
  return [...out];
}
