/**
 * `tafka start` flags → Kafka config settings.
 */
import { readFileSync } from 'node:fs';
import { BrokerConfig } from '../config/broker-config.js';
import { ConfigError, parseProperties } from '../config/parse.js';
import { settingsFromEnv } from './env-config.js';

/**
 * `listeners` with the first client listener moved to --host/--port; the other listeners (a
 * SASL_SSL one, a controller one) stay as written.
 */
function withFirstListenerAt(config: BrokerConfig, host: string | undefined, port: number | undefined): string {
  const { client, controller } = config.listenerSettings;
  const entry = (l: { name: string; host: string; port: number }) => `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;
  const first = { ...client[0], host: host ?? client[0].host, port: port ?? client[0].port };
  return [first, ...client.slice(1), ...controller].map(entry).join(',');
}

export interface StartArgs {
  host?: string;
  port?: number;
  'data-dir'?: string;
  config?: string;
  override?: string[];
  'config-from-env'?: boolean;
  'log-level': string;
}

/** Settings in precedence order: file, then KAFKA_* variables (--config-from-env), then --override flags, then the shortcut flags. */
export function settingsFromArgs(args: StartArgs, env: NodeJS.ProcessEnv = process.env): [string, string][] {
  const settings: [string, string][] = [];
  if (args.config) settings.push(...parseProperties(readFileSync(args.config, 'utf8')));
  if (args['config-from-env']) settings.push(...settingsFromEnv(env));
  for (const o of args.override ?? []) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError(`Malformed --override "${o}": expected key=value`);
    settings.push([o.slice(0, eq).trim(), o.slice(eq + 1)]);
  }
  if (args.host !== undefined || args.port !== undefined) settings.push(['listeners', withFirstListenerAt(new BrokerConfig(settings), args.host, args.port)]);
  if (args['data-dir'] !== undefined) settings.push(['log.dirs', args['data-dir']]);
  return settings;
}
