#!/usr/bin/env node
/**
 * The `tafka` command line.
 *
 *   tafka start [--port P] [--data-dir DIR] [--config server.properties] [--override k=v ...]
 *   tafka topic create|list|describe|delete|alter-config|add-partitions ...
 *   tafka produce TOPIC            (stdin lines)
 *   tafka consume TOPIC... [-g GROUP] [-o beginning|end|N|-N|@time] [-f FORMAT] [-n N] [-e]
 *   tafka group list|describe|delete|reset-offsets ...
 *   tafka cluster info
 *   tafka dump-log FILE... [--print-data-log]     (like Kafka's kafka-dump-log.sh)
 *   tafka format [--data-dir DIR] --add-scram 'SCRAM-SHA-256=[name=alice,password=...]'
 *                                                 (like kafka-storage.sh format --add-scram)
 *
 * Every client subcommand speaks Kafka's protocol (src/client/) to any broker given with
 * `--brokers` (default localhost:9092, or TAFKA_BROKERS).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ClientError } from './client/errors.js';
import { CliError } from './cli/common.js';
import { clusterCommand } from './cli/commands/cluster.js';
import { consumeCommand } from './cli/commands/consume.js';
import { groupCommand } from './cli/commands/group.js';
import { produceCommand } from './cli/commands/produce.js';
import { topicCommand } from './cli/commands/topic.js';
import { dumpLogCommand } from './cli/dump-log.js';
import { formatCommand } from './cli/format.js';
import { startCommand } from './cli/start.js';

/** Errors a person can act on: one line, no stack, no usage text. */
const EXPECTED = [CliError, ClientError];

// `tafka consume t | head -1`: the reader went away; that is the end of the output, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

await yargs(hideBin(process.argv))
  .scriptName('tafka')
  .wrap(Math.min(120, process.stdout.columns ?? 120))
  .command(startCommand)
  .command(topicCommand)
  .command(produceCommand)
  .command(consumeCommand)
  .command(groupCommand)
  .command(clusterCommand)
  .command(dumpLogCommand)
  .command(formatCommand)
  .demandCommand(1)
  .strict()
  .help()
  .fail((message, err, y) => {
    if (err && EXPECTED.some((type) => err instanceof type)) {
      process.stderr.write(`tafka: ${err.message}\n`);
      process.exit(1);
    }
    if (err) throw err;
    // A usage mistake: the command's help, then what was wrong.
    y.showHelp();
    process.stderr.write(`\n${message}\n`);
    process.exit(1);
  })
  .parseAsync();
