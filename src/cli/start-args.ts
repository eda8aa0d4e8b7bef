/**
 * `tafka start` flags → Kafka config settings.
 */
import { readFileSync } from 'node:fs';
import { BrokerConfig } from '../config/broker-config.js';
import { ConfigError, parseProperties } from '../config/parse.js';

export interface StartArgs {
  host?: string;
  port?: number;
  'data-dir'?: string;
  config?: string;
  override?: string[];
  'log-level': string;
}

/** Settings in precedence order: file, then --override flags, then the shortcut flags. */
export function settingsFromArgs(args: StartArgs): [string, string][] {
  const settings: [string, string][] = [];
  if (args.config) settings.push(...parseProperties(readFileSync(args.config, 'utf8')));
  for (const o of args.override ?? []) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError(`Malformed --override "${o}": expected key=value`);
    settings.push([o.slice(0, eq).trim(), o.slice(eq + 1)]);
  }
  if (args.host !== undefined || args.port !== undefined) {
    const current = new BrokerConfig(settings).listener;
    const host = args.host ?? current.host;
    settings.push(['listeners', `PLAINTEXT://${host.includes(':') ? `[${host}]` : host}:${args.port ?? current.port}`]);
  }
  if (args['data-dir'] !== undefined) settings.push(['log.dirs', args['data-dir']]);
  return settings;
}
