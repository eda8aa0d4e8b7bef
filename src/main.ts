#!/usr/bin/env node
/**
 * The `tafka` command line.
 *
 *   tafka start [--host H] [--port P] [--data-dir DIR] [--config server.properties]
 *               [--override key=value ...] [--log-level info]
 *   tafka dump-log FILE... [--print-data-log]     (like Kafka's kafka-dump-log.sh)
 *   tafka format [--data-dir DIR] --add-scram 'SCRAM-SHA-256=[name=alice,password=...]'
 *                                                 (like kafka-storage.sh format --add-scram)
 */
import { pino } from 'pino';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Broker } from './broker.js';
import { BrokerConfig } from './config/broker-config.js';
import { ConfigError } from './config/parse.js';
import { settingsFromArgs, type StartArgs } from './cli/start-args.js';
import { dumpLogCommand } from './cli/dump-log.js';
import { formatCommand } from './cli/format.js';

async function start(args: StartArgs): Promise<void> {
  const logger = pino({ level: args['log-level'], base: { name: 'tafka' } });
  const refuse = (err: ConfigError): never => {
    logger.fatal(err.message);
    process.stderr.write(`tafka: ${err.message}\n`);
    process.exit(1);
  };
  let config: BrokerConfig;
  let broker: Broker;
  try {
    config = new BrokerConfig(settingsFromArgs(args));
    // Listener security (key stores, JAAS, JWKS) is checked as the broker starts: a listener that
    // cannot be served as configured stops start-up with a message, never falls back to plaintext.
    broker = await Broker.start({ config, logger });
  } catch (err) {
    if (err instanceof ConfigError) refuse(err);
    throw err;
  }
  const { client } = config.listenerSettings;
  const at = (l: (typeof client)[number]) => `${l.host || '0.0.0.0'}:${broker.ports.get(l.name)}`;
  // One listener: "host:port" as before; several: each with its name (and so its security protocol).
  const listen = client.length === 1 ? at(client[0]) : client.map((l) => `${l.name}://${at(l)}`).join(', ');
  const { advertised, nodeId, clusterId } = broker.services.node;
  logger.info(
    { listen, advertised: `${advertised.host}:${advertised.port}`, dataDir: config.dataDir, nodeId, clusterId },
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

await yargs(hideBin(process.argv))
  .scriptName('tafka')
  .command<StartArgs>(
    'start',
    'Run the broker',
    (y) =>
      y
        .option('host', { type: 'string', describe: 'Interface to listen on (sets listeners)' })
        .option('port', { type: 'number', describe: 'Port to listen on (sets listeners)' })
        .option('data-dir', { type: 'string', describe: 'Data directory (sets log.dirs)' })
        .option('config', { type: 'string', describe: 'A Kafka server.properties file' })
        .option('override', { type: 'string', array: true, describe: 'key=value, with Kafka config names; repeatable' })
        .option('log-level', { type: 'string', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] }),
    (args) => start(args),
  )
  .command(dumpLogCommand)
  .command(formatCommand)
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
