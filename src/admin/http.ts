/**
 * The admin HTTP server's routes, on Node's `http` module (a dozen GET routes need no framework):
 *
 *   /health    200 while the process is up and not shutting down (liveness)
 *   /ready     200 once the logs and the group coordinator are loaded and the Kafka listener is
 *              bound; 503 with the failing checks before that and during shutdown (readiness)
 *   /metrics   Prometheus text format (metrics.ts)
 *   /inspector the inspector's page (static/), and its JSON under /api/
 *   /docs/…, /source/…   the chapters and source files the pages link to, as plain text
 *
 * Read-only: anything but GET and HEAD is answered 405.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import type { Clock, ScheduledTask } from '../clock.js';
import { batchView, groupsView, groupView, partitionView, stateMachine, topicsView } from './inspect.js';
import { BrokerState, type AdminSources } from './sources.js';
import type { GroupTimeline } from './stats.js';
import type { TrafficCapture, TrafficSummary } from './traffic.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The inspector's files: next to this module (copied into dist/ by `make build`), else in the source tree. */
const STATIC_DIR = [join(HERE, 'static'), join(HERE, '..', '..', '..', 'src', 'admin', 'static')].find((d) => existsSync(d))!;
/** The repository or package root, for /docs and /source (absent from an install without them: 404). */
const ROOT = [join(HERE, '..', '..'), join(HERE, '..', '..', '..')].find((d) => existsSync(join(d, 'package.json')))!;

const STATIC_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'inspector.js': 'text/javascript; charset=utf-8',
  'inspector.css': 'text/css; charset=utf-8',
};
/** Only chapters and source files, by name: nothing else under the root is served. */
const DOC_PATH = /^docs\/[\w.-]+\.md$/;
const SOURCE_PATH = /^(src|protocol)\/[\w/.-]+\.ts$/;
/** SSE clients that fall this far behind miss events rather than grow the broker's memory. */
const SSE_MAX_BUFFERED = 1 << 20;
const SSE_FLUSH_MS = 100;
const SSE_KEEPALIVE_MS = 15_000;

export interface AdminRoutes {
  readonly sources: AdminSources;
  readonly registry: Registry;
  readonly traffic: TrafficCapture;
  readonly timeline: GroupTimeline;
  readonly clock: Clock;
}

export function createAdminServer(routes: AdminRoutes, onError: (err: unknown) => void): Server {
  return createServer((req, res) => {
    handle(routes, req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
}

async function handle(r: AdminRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'the admin server is read-only\n');
  }
  const url = new URL(req.url ?? '/', 'http://admin');
  const path = decodeURIComponent(url.pathname);
  const parts = path.split('/').filter(Boolean);
  const { sources } = r;
  switch (path) {
    case '/':
      res.setHeader('Location', '/inspector/');
      return send(res, 302, 'text/plain; charset=utf-8', '');
    case '/health': {
      const up = sources.state !== BrokerState.SHUTTING_DOWN;
      return json(res, up ? 200 : 503, { status: up ? 'up' : 'shutting down' });
    }
    case '/ready': {
      const checks = {
        logsLoaded: sources.logs !== undefined,
        groupCoordinatorLoaded: sources.groups !== undefined,
        listening: sources.listener !== undefined,
        notShuttingDown: sources.state !== BrokerState.SHUTTING_DOWN,
      };
      const ready = Object.values(checks).every(Boolean);
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
    }
    case '/favicon.ico':
      return send(res, 204, 'image/x-icon', '');
    case '/metrics':
      return send(res, 200, r.registry.contentType, await r.registry.metrics());
    case '/inspector':
      res.setHeader('Location', '/inspector/');
      return send(res, 302, 'text/plain; charset=utf-8', '');
    case '/inspector/':
      return file(res, join(STATIC_DIR, 'index.html'), STATIC_FILES['index.html']!);
    case '/api/overview':
      return json(res, 200, overview(r));
    case '/api/traffic':
      return json(res, 200, { enabled: r.traffic.enabled, exchanges: r.traffic.recent() });
    case '/api/traffic/stream':
      return stream(r, req, res);
    case '/api/topics':
      return json(res, 200, topicsView(sources));
    case '/api/groups':
      return json(res, 200, { groups: groupsView(sources), stateMachine: stateMachine() });
  }
  if (parts[0] === 'inspector' && parts.length === 2 && STATIC_FILES[parts[1]!]) {
    return file(res, join(STATIC_DIR, parts[1]!), STATIC_FILES[parts[1]!]!);
  }
  if (parts[0] === 'api') {
    if (parts[1] === 'traffic' && parts.length === 3) {
      const entry = r.traffic.detail(Number(parts[2]));
      return entry ? json(res, 200, entry) : notFound(res, 'that exchange is no longer kept');
    }
    if (parts[1] === 'partitions' && parts.length >= 4) {
      const [topic, partition] = [parts[2]!, Number(parts[3])];
      if (parts.length === 4) return maybe(res, await partitionView(sources, topic, partition), 'no such partition');
      if (parts[4] === 'batch' && parts.length === 5) {
        const offset = url.searchParams.get('offset') ?? '0';
        if (!/^\d+$/.test(offset)) return json(res, 400, { error: 'offset must be a non-negative integer' });
        return maybe(res, await readBatch(r, topic, partition, BigInt(offset)), 'no such partition');
      }
    }
    if (parts[1] === 'groups' && parts.length === 3) return maybe(res, groupView(sources, r.timeline, parts[2]!), 'no such group');
  }
  if (DOC_PATH.test(path.slice(1)) || SOURCE_PATH.test(path.replace(/^\/source\//, ''))) {
    const rel = path.startsWith('/source/') ? path.slice('/source/'.length) : path.slice(1);
    if (!normalize(rel).includes('..')) return file(res, join(ROOT, rel), 'text/plain; charset=utf-8');
  }
  return notFound(res, `nothing at ${path}`);
}

/** A batch read can fail on an offset outside the log: that is the client's 404, not our 500. */
async function readBatch(r: AdminRoutes, topic: string, partition: number, offset: bigint) {
  try {
    return await batchView(r.sources, topic, partition, offset);
  } catch (err) {
    return { offset: offset.toString(), found: false as const, error: (err as Error).message };
  }
}

function overview(r: AdminRoutes) {
  const s = r.sources;
  return {
    nodeId: s.node?.nodeId ?? null,
    clusterId: s.node?.clusterId ?? null,
    listener: s.listener ?? null,
    advertised: s.node ? `${s.node.advertised.host}:${s.node.advertised.port}` : null,
    state: Object.entries(BrokerState).find(([, v]) => v === s.state)?.[0] ?? String(s.state),
    trafficCapture: r.traffic.enabled,
    topics: new Set((s.logs?.allLogs() ?? []).map((p) => p.topic)).size,
    partitions: s.logs?.allLogs().length ?? 0,
    groups: s.groups?.listGroups([], []).groups.length ?? 0,
  };
}

/**
 * Server-Sent Events: each finished exchange as one `data:` line of JSON. Events are gathered and
 * written every SSE_FLUSH_MS, one write per batch: a busy broker must not pay a syscall per request.
 */
function stream(r: AdminRoutes, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write(`event: status\ndata: ${JSON.stringify({ enabled: r.traffic.enabled })}\n\n`);
  let pending: TrafficSummary[] = [];
  let flush: ScheduledTask | undefined;
  const unsubscribe = r.traffic.subscribe((s: TrafficSummary) => {
    pending.push(s);
    flush ??= r.clock.schedule(SSE_FLUSH_MS, () => {
      flush = undefined;
      // A page that stopped reading misses events rather than grow the broker's memory.
      if (res.writableLength < SSE_MAX_BUFFERED) res.write(pending.map((x) => `data: ${JSON.stringify(x)}\n\n`).join(''));
      pending = [];
    });
  });
  const keepAlive = r.clock.scheduleEvery(SSE_KEEPALIVE_MS, () => res.write(': keep-alive\n\n'));
  req.on('close', () => {
    unsubscribe();
    flush?.cancel();
    keepAlive.cancel();
  });
}

function maybe(res: ServerResponse, body: unknown, missing: string): void {
  return body === undefined ? notFound(res, missing) : json(res, 200, body);
}

function notFound(res: ServerResponse, message: string): void {
  json(res, 404, { error: message });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

function file(res: ServerResponse, path: string, type: string): void {
  if (!existsSync(path)) return notFound(res, 'not part of this installation');
  send(res, 200, type, readFileSync(path));
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
