/**
 * An embedded broker: a real Tafka broker inside the calling process, reached over loopback TCP like
 * any other. The library entry (src/index.ts) exports it as `startBroker`.
 */
import { pino, type Logger } from 'pino';
import { Broker } from './broker.js';
import { BrokerConfig } from './config/broker-config.js';

export interface StartBrokerOptions {
  /** Keep the logs in this directory (created if needed); omitted, everything stays in memory. */
  readonly dataDir?: string;
  /** Port to listen on; 0 (the default) takes a free one. */
  readonly port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /**
   * Broker configs with Kafka's names, e.g. `{ 'num.partitions': 3, 'auto.create.topics.enable': false }`.
   * A malformed value rejects; a key Tafka does not know is ignored with a warning, as in Kafka.
   */
  readonly configs?: Readonly<Record<string, string | number | boolean>>;
  /** A pino logger for the broker's log lines; default: silent. */
  readonly logger?: Logger;
}

export interface RunningBroker {
  /** `host:port`, what a client's `brokers`/`bootstrap.servers` takes. */
  readonly bootstrap: string;
  /** The bound port (the free one chosen when `port` was 0). */
  readonly port: number;
  /** Closes the listener and every log; an in-memory broker's data is gone afterwards. */
  stop(): Promise<void>;
}

/** Tests want a fast first rebalance; Kafka's 3 s default is for production clusters. */
const EMBEDDED_DEFAULTS: Readonly<Record<string, string>> = { 'group.initial.rebalance.delay.ms': '0' };

export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const host = options.host ?? '127.0.0.1';
  const settings = new Map(Object.entries(EMBEDDED_DEFAULTS));
  for (const [key, value] of Object.entries(options.configs ?? {})) settings.set(key, String(value));
  settings.set('listeners', `PLAINTEXT://${host.includes(':') ? `[${host}]` : host}:${options.port ?? 0}`);
  if (options.dataDir !== undefined) settings.set('log.dirs', options.dataDir);
  const logger = options.logger ?? pino({ level: 'silent' });
  const config = new BrokerConfig(settings);
  for (const key of config.ignored) logger.warn({ key }, `The configuration '${key}' was supplied but isn't a known config.`);
  const broker = await Broker.start({ config, logger, inMemory: options.dataDir === undefined });
  const { advertised } = broker.services.node;
  let stopped: Promise<void> | undefined;
  return {
    bootstrap: `${advertised.host}:${advertised.port}`,
    port: broker.port,
    stop: () => (stopped ??= broker.close()),
  };
}
