/**
 * A KafkaServer with handlers of the test's choosing, on a loopback port: for tests of the
 * connection layer (backpressure, limits, idle close, quotas, failures) without a whole broker.
 */
import { pino } from 'pino';
import { systemClock, type Clock } from '../../src/clock.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { ClientQuotas } from '../../src/quota/client-quotas.js';
import { ClientQuotaStore } from '../../src/quota/store.js';
import { ConnectionQuotas } from '../../src/server/connection-quotas.js';
import { HandlerRegistry } from '../../src/server/dispatch.js';
import type { Handler } from '../../src/server/handler.js';
import { RequestGate } from '../../src/server/request-gate.js';
import { ListenerSecurity } from '../../src/security/listener-security.js';
import { KafkaServer } from '../../src/server/server.js';
import type { BrokerServices } from '../../src/services.js';

export interface TestServer {
  readonly port: number;
  readonly server: KafkaServer;
  readonly gate: RequestGate;
  readonly store: ClientQuotaStore;
  readonly quotas: ClientQuotas;
  /** Log records at level info and above, as objects. */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly clock?: Clock;
  /** Broker config overrides, e.g. { 'max.connections': '1' }. */
  readonly config?: Record<string, string>;
  /** For ClientQuotas: a fake stopwatch. */
  readonly stopwatch?: () => number;
}

export async function startTestServer(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers for different APIs
  handlers: readonly Handler<any>[],
  opts: TestServerOptions = {},
): Promise<TestServer> {
  const config = new BrokerConfig(Object.entries(opts.config ?? {}));
  const clock = opts.clock ?? systemClock;
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const store = await ClientQuotaStore.open(undefined);
  const quotas = new ClientQuotas(store, { samples: config.get('quota.window.num'), windowMs: config.get('quota.window.size.seconds') * 1000 }, clock, opts.stopwatch);
  const gate = RequestGate.fromConfig(config.get('queued.max.requests'), config.get('queued.max.request.bytes'), config.get('socket.request.max.bytes'));
  const services = { config, clock } as unknown as BrokerServices;
  const endpoint = config.listenerSettings.client[0];
  const security = await ListenerSecurity.create(endpoint, { config, clock, scram: { credential: () => undefined }, logger });
  const server = new KafkaServer({
    services,
    registry: new HandlerRegistry(handlers),
    logger,
    gate,
    quotas,
    limits: new ConnectionQuotas({
      maxConnections: () => config.get('max.connections'),
      maxConnectionsPerIp: () => config.get('max.connections.per.ip'),
      perIpOverrides: () => config.get('max.connections.per.ip.overrides'),
    }),
    backlog: config.get('socket.listen.backlog.size'),
    idleMs: config.get('connections.max.idle.ms'),
    security,
  });
  const port = await server.listen('127.0.0.1', 0);
  return {
    port, server, gate, store, quotas, logs,
    close: async () => {
      quotas.close();
      await server.close();
    },
  };
}

/** Resolves once `check` holds, polling; fails after `timeoutMs` (a liveness bound, not a timing claim). */
export async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves once `value()` has not changed for `quietMs` (the server has done all it will do). */
export async function settled(value: () => number, quietMs = 300, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = value();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error('value never settled');
    await new Promise((r) => setTimeout(r, 10));
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}
