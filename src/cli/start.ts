/**
 * `tafka start`: run the broker in the foreground until SIGINT/SIGTERM.
 *
 * Start-up says what it did in one banner line (listener, data dir, cluster id, what was loaded),
 * logs each configuration key it ignores, and turns the failures a person can fix (a bad config
 * value, a port in use) into one line on stderr and exit code 1.
 */
import type { Argv, CommandModule } from 'yargs';
import type { Logger } from 'pino';
import type { Broker } from '../broker.js';
import { BrokerConfig } from '../config/broker-config.js';
import { ConfigError } from '../config/parse.js';
import { DataDirLockedError } from '../log/data-dir-lock.js';
import { createLogger, type LogFormat } from './logger.js';
import { portOwner } from './port-owner.js';
import { settingsFromArgs, type StartArgs } from './start-args.js';
import { CliError } from './common.js';

type Args = StartArgs & { 'log-format': LogFormat };

function portInUse(port: number): CliError {
  const owner = portOwner(port);
  const who = owner ? ` by pid ${owner.pid} (${owner.command})` : '';
  return new CliError(`port ${port} is already in use${who}: stop that process or start Tafka with --port <another port>`);
}

/** The banner's counts: user topics, their partitions, and the groups the coordinator loaded. */
function loaded(broker: Broker): { topics: number; partitions: number; groups: number } {
  const topics = broker.services.topics.list().filter((t) => !t.internal);
  return {
    topics: topics.length,
    partitions: topics.reduce((n, t) => n + t.partitions, 0),
    groups: broker.services.groups.listGroups([], []).groups.length,
  };
}

async function start(args: Args): Promise<void> {
  const logger: Logger = createLogger({ level: args['log-level'] as never, format: args['log-format'] });
  let config: BrokerConfig;
  try {
    config = new BrokerConfig(settingsFromArgs(args));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  // Kafka's own words for a key it does not know (AbstractConfig.logUnused), and it goes on.
  for (const key of config.ignored) logger.warn({ key }, `The configuration '${key}' was supplied but isn't a known config; ignored.`);
  // Loaded here, so that the client subcommands do not pay for loading the whole broker.
  const { Broker } = await import('../broker.js');
  let broker: Broker;
  try {
    broker = await Broker.start({ config, logger, admin: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(config.listener.port);
    if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new CliError(`no permission to listen on port ${config.listener.port} (ports below 1024 need root)`);
    if (err instanceof ConfigError || err instanceof DataDirLockedError) throw new CliError(err.message);
    throw err;
  }
  const { client } = config.listenerSettings;
  const at = (l: (typeof client)[number]) => `${l.host || '0.0.0.0'}:${broker.ports.get(l.name)}`;
  // One listener: "host:port" as before; several: each with its name (and so its security protocol).
  const listen = client.length === 1 ? at(client[0]) : client.map((l) => `${l.name}://${at(l)}`).join(', ');
  const { advertised, nodeId, clusterId } = broker.services.node;
  logger.info(
    { listen, advertised: `${advertised.host}:${advertised.port}`, dataDir: config.dataDir, nodeId, clusterId, ...loaded(broker) },
    `Tafka listening on ${listen}, data in ${config.dataDir}`,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await broker.close();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  // A rejected promise nobody awaited is a bug, but one request's bug must not stop the broker
  // (Node's default is to exit): log it loudly and keep serving.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

export const startCommand: CommandModule<object, Args> = {
  command: 'start',
  describe: 'Run the broker',
  builder: (y) =>
    y
      .option('host', { type: 'string', describe: 'Interface to listen on (sets listeners)' })
      .option('port', { type: 'number', describe: 'Port to listen on (sets listeners)' })
      .option('data-dir', { type: 'string', describe: 'Data directory (sets log.dirs)' })
      .option('config', { type: 'string', describe: 'A Kafka server.properties file' })
      .option('override', { type: 'string', array: true, describe: 'key=value, with Kafka config names; repeatable' })
      .option('config-from-env', {
        type: 'boolean',
        default: false,
        describe: 'read KAFKA_* variables as configs, like the apache/kafka image (KAFKA_LOG_RETENTION_MS -> log.retention.ms)',
      })
      .option('log-level', { type: 'string', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] })
      .option('log-format', {
        type: 'string',
        default: 'auto',
        choices: ['auto', 'pretty', 'json'],
        describe: 'pretty (coloured, for people) or json (for log shippers); auto: pretty on a terminal',
      }) as Argv<Args>,
  handler: (args) => start(args),
};
