#!/usr/bin/env node
/**
 * The `tafka` command line.
 *
 *   tafka start [--host H] [--port P] [--data-dir DIR] [--config server.properties]
 *               [--override key=value ...] [--log-level info]
 *   tafka dump-log FILE... [--print-data-log]     (like Kafka's kafka-dump-log.sh)
 */
import { pino } from 'pino';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Broker } from './broker.js';
import { BrokerConfig } from './config/broker-config.js';
import { ConfigError } from './config/parse.js';
import { settingsFromArgs, type StartArgs } from './cli/start-args.js';
import { dumpLogCommand } from './cli/dump-log.js';
import { DataDirLockedError } from './log/data-dir-lock.js';

async function start(args: StartArgs): Promise<void> {
  const logger = pino({ level: args['log-level'], base: { name: 'tafka' } });
  /** A start-up failure the operator can fix: one clear line, exit status 1. */
  const fatal = (message: string): never => {
    logger.fatal(message);
    process.stderr.write(`tafka: ${message}\n`);
    process.exit(1);
  };
  let config: BrokerConfig;
  try {
    config = new BrokerConfig(settingsFromArgs(args));
  } catch (err) {
    if (err instanceof ConfigError) fatal(err.message);
    throw err;
  }
  let broker: Broker;
  try {
    broker = await Broker.start({ config, logger });
  } catch (err) {
    if (err instanceof DataDirLockedError) fatal(err.message);
    throw err;
  }
  const { host } = config.listener;
  const { advertised, nodeId, clusterId } = broker.services.node;
  logger.info(
    { listen: `${host || '0.0.0.0'}:${broker.port}`, advertised: `${advertised.host}:${advertised.port}`, dataDir: config.dataDir, nodeId, clusterId },
    `Tafka listening on ${host || '0.0.0.0'}:${broker.port}, data in ${config.dataDir}`,
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
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
