/**
 * The inspector's traffic capture: the last requests and responses, decoded as field trees over
 * their bytes, kept in a bounded ring and streamed to open traffic pages (Server-Sent Events).
 *
 * Off unless `tafka.inspector.traffic.enable` is set: it copies every request and response, which
 * costs CPU and memory on every request; the traced decoding happens only when a page opens an
 * exchange. While it is off the network tap pays one boolean check per request (network-tap.ts).
 */
import type { ApiSpec } from '../../protocol/schema.js';
import { ApiVersions } from '../../protocol/messages/18-api-versions.js';
import { RequestHeader } from '../../protocol/messages/request-header.js';
import { ResponseHeader } from '../../protocol/messages/response-header.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { decodeTraced, isFlexible } from '../codec/interpret.js';
import type { ObservedHeader } from '../observe/observer.js';
import { fromSpans, type DisplayNode } from './display.js';

/** Bytes of each frame shown in the hex view; fields past it are listed without their bytes. */
export const CAPTURED_BYTES = 4096;
/** Exchanges kept for pages opened later, and the bytes they may hold together. */
export const TRAFFIC_RING_SIZE = 500;
export const TRAFFIC_RING_BYTES = 64 * 1024 * 1024;
/** A bigger frame is kept only up to CAPTURED_BYTES (its fields past them are not decoded). */
const MAX_FRAME_KEPT = 8 * 1024 * 1024;

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

/** A kept exchange: its summary and copies of its frames, decoded only when a page asks. */
export interface TrafficEntry extends TrafficSummary {
  readonly spec: ApiSpec;
  readonly requestFrame: Buffer;
  responseFrame?: Buffer;
}

/** A kept exchange decoded for the page: both frames as field trees over their bytes. */
export interface TrafficDetail extends TrafficSummary {
  readonly request: CapturedMessage;
  readonly response?: CapturedMessage;
}

/**
 * Capturing costs a copy of each frame (the request's before Produce rewrites it in place) and a
 * summary from the body the broker already decoded; the field trees are built from the copies only
 * when a page opens an exchange.
 */
export class TrafficCapture {
  private readonly kept: TrafficEntry[] = [];
  private keptBytes = 0;
  private nextId = 1;
  private readonly subscribers = new Set<(s: TrafficSummary) => void>();

  constructor(
    /** Checked once per request by the network tap. */
    readonly enabled: boolean,
    private readonly now: () => number,
    /** Names topics that newer requests give by id. */
    private readonly topicName: (id: string) => string | undefined,
    private readonly maxEntries = TRAFFIC_RING_SIZE,
    private readonly maxBytes = TRAFFIC_RING_BYTES,
  ) {}

  /** Copies a request frame (size prefix not included) while it is still as the client sent it. */
  request(connection: string, header: ObservedHeader, api: ApiSpec, frame: Buffer, body: unknown): TrafficEntry {
    const requestFrame = keep([frame]);
    return {
      id: this.nextId++,
      atMs: this.now(),
      connection,
      apiKey: header.apiKey,
      api: api.name,
      version: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      subjects: subjectsOf(body, this.topicName),
      latencyMs: 0,
      requestBytes: frame.length + 4,
      responseBytes: 0,
      spec: api,
      requestFrame,
    };
  }

  /** Copies the response frames (size prefix included). */
  response(entry: TrafficEntry, frame: readonly Buffer[]): void {
    entry.responseFrame = keep(frame, false);
    entry.responseBytes = frame.reduce((n, b) => n + b.length, 0);
  }

  /** The exchange is complete (its response is on the socket, or none is sent): keep and announce it. */
  publish(entry: TrafficEntry, latencyMs: number): void {
    entry.latencyMs = latencyMs;
    this.kept.push(entry);
    this.keptBytes += entry.requestFrame.length + (entry.responseFrame?.length ?? 0);
    while (this.kept.length > this.maxEntries || (this.keptBytes > this.maxBytes && this.kept.length > 1)) {
      const old = this.kept.shift()!;
      this.keptBytes -= old.requestFrame.length + (old.responseFrame?.length ?? 0);
    }
    const summary = summaryOf(entry);
    for (const s of this.subscribers) s(summary);
  }

  /** Kept exchanges, oldest first. */
  recent(): TrafficSummary[] {
    return this.kept.map(summaryOf);
  }

  /** One kept exchange with both frames decoded, or undefined when it is no longer kept. */
  detail(id: number): TrafficDetail | undefined {
    const e = this.kept.find((x) => x.id === id);
    if (!e) return undefined;
    const { spec, version } = e;
    const request = decodeFrame(e.requestFrame, e.requestBytes, (bytes, nodes) => {
      const h = decodeTraced(RequestHeader, isFlexible(spec.request, version) ? 2 : 1, bytes, 4);
      const body = decodeTraced(spec.request, version, bytes, h.spans.end);
      nodes.push(fromSpans(h.spans, bytes, 0, 'header'), fromSpans(body.spans, bytes, 0, `${spec.name}Request v${version}`));
    });
    const response = e.responseFrame && decodeFrame(e.responseFrame, e.responseBytes, (bytes, nodes) => {
      const h = decodeTraced(ResponseHeader, isFlexible(spec.response, version) && spec.apiKey !== ApiVersions.apiKey ? 1 : 0, bytes, 4);
      const body = decodeTraced(spec.response, version, bytes, h.spans.end);
      nodes.push(fromSpans(h.spans, bytes, 0, 'header'), fromSpans(body.spans, bytes, 0, `${spec.name}Response v${version}`));
    });
    return { ...summaryOf(e), request, response };
  }

  subscribe(listener: (s: TrafficSummary) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }
}

function summaryOf(e: TrafficEntry): TrafficSummary {
  const { spec: _spec, requestFrame: _request, responseFrame: _response, ...summary } = e;
  return summary;
}

/** A copy of the frame, size-prefixed when `prefix` (requests arrive without it), cut when huge. */
function keep(frame: readonly Buffer[], prefix = true): Buffer {
  let size = 0;
  for (const b of frame) size += b.length;
  const total = size + (prefix ? 4 : 0);
  const out = Buffer.allocUnsafe(Math.min(total, total > MAX_FRAME_KEPT ? CAPTURED_BYTES : total));
  let at = 0;
  if (prefix) at = out.writeInt32BE(size, 0);
  for (const b of frame) {
    if (at >= out.length) break;
    at += b.copy(out, at, 0, Math.min(b.length, out.length - at));
  }
  return out;
}

/** The frame's tree: its size prefix, then what `decode` adds (a failure becomes a note, never an exception). */
function decodeFrame(bytes: Buffer, size: number, decode: (bytes: Buffer, nodes: DisplayNode[]) => void): CapturedMessage {
  const nodes: DisplayNode[] = [{ name: 'size', start: 0, end: 4, value: `${bytes.readInt32BE(0)} (bytes after this field)` }];
  try {
    decode(bytes, nodes);
  } catch (err) {
    const why = bytes.length < size ? `only the first ${bytes.length} of ${size} bytes were kept` : (err as Error).message;
    nodes.push({ name: 'not decoded', start: 4, end: bytes.length, value: why });
  }
  const tree = { name: 'frame', start: 0, end: size, children: nodes };
  return { hex: bytes.toString('hex', 0, Math.min(bytes.length, CAPTURED_BYTES)), size, tree };
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
