/**
 * `tafka format`: prepare a data directory before the first start, as Kafka's
 * `kafka-storage.sh format` — here, to add SCRAM users, so a broker whose listeners all require
 * SCRAM can be reached at all:
 *
 *   tafka format --data-dir ./data --add-scram 'SCRAM-SHA-256=[name=alice,password=alice-secret]'
 *
 * Each --add-scram is Kafka's syntax: MECHANISM=[name=...,password=...,iterations=...] (iterations
 * default 4096), or with salt=... and saltedpassword=... (base64) instead of the password. The
 * credentials are stored salted and hashed (tafka-scram-credentials.json); meta.properties is
 * written if missing. Unlike Kafka, an existing data directory is fine: the users are added or
 * replaced. Run it while the broker is stopped.
 */
import { randomBytes } from 'node:crypto';
import type { CommandModule } from 'yargs';
import { BrokerConfig } from '../config/broker-config.js';
import { ConfigError } from '../config/parse.js';
import { loadOrCreateMetaProperties } from '../meta-properties.js';
import { saltedPassword, scramMechanism } from '../security/sasl/scram-formatter.js';
import { ScramCredentialStore, type ScramUpsertion } from '../security/scram-credentials.js';
import { CliError } from './common.js';
import { settingsFromArgs, type StartArgs } from './start-args.js';

/** One --add-scram value: MECHANISM=[key=value,...], values optionally double-quoted. */
export function parseAddScram(text: string): ScramUpsertion {
  const m = /^([A-Z0-9-]+)=\[(.*)\]$/.exec(text.trim());
  const bad = (why: string) => new ConfigError(`Invalid --add-scram "${text}": ${why}`);
  if (!m) throw bad('expected MECHANISM=[name=...,password=...]');
  const mechanism = scramMechanism(m[1]);
  if (!mechanism) throw bad(`unknown SCRAM mechanism ${m[1]} (SCRAM-SHA-256 or SCRAM-SHA-512)`);
  const fields = new Map<string, string>();
  for (const part of m[2].match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw bad(`expected key=value, got ${part}`);
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  const name = fields.get('name');
  if (!name) throw bad('name is required');
  const iterations = Number(fields.get('iterations') ?? mechanism.minIterations);
  if (!Number.isInteger(iterations)) throw bad('iterations must be a number');
  const password = fields.get('password');
  if (password !== undefined) {
    const salt = fields.has('salt') ? Buffer.from(fields.get('salt')!, 'base64') : randomBytes(32);
    return { name, mechanism: mechanism.type, iterations, salt, saltedPassword: saltedPassword(mechanism, password, salt, iterations) };
  }
  if (!fields.has('salt') || !fields.has('saltedpassword')) throw bad('give password, or salt and saltedpassword');
  return { name, mechanism: mechanism.type, iterations, salt: Buffer.from(fields.get('salt')!, 'base64'), saltedPassword: Buffer.from(fields.get('saltedpassword')!, 'base64') };
}

/** Adds the users to the data directory's credentials; returns one line per user. */
export async function formatDataDir(config: BrokerConfig, addScram: readonly string[]): Promise<string[]> {
  const upsertions = addScram.map(parseAddScram);
  await loadOrCreateMetaProperties(config.dataDir, config.get('node.id'));
  const store = await ScramCredentialStore.open(config.dataDir);
  const lines: string[] = [];
  // One change per user and mechanism: a request may name a user once (a user with both mechanisms is two).
  for (const u of upsertions) {
    const [result] = await store.alter([], [u]);
    if (result.errorCode !== 0) throw new ConfigError(`--add-scram for ${u.name}: ${result.errorMessage}`);
    lines.push(`added ${scramMechanism(u.mechanism)!.name} credentials for ${u.name} in ${config.dataDir}`);
  }
  return lines;
}

interface FormatArgs extends Omit<StartArgs, 'host' | 'port' | 'log-level'> {
  'add-scram'?: string[];
}

export const formatCommand: CommandModule<object, FormatArgs> = {
  command: 'format',
  describe: 'Prepare a data directory before the first start; add SCRAM users (like kafka-storage.sh format --add-scram)',
  builder: (y) =>
    y
      .option('data-dir', { type: 'string', describe: 'Data directory (sets log.dirs)' })
      .option('config', { type: 'string', describe: 'A Kafka server.properties file' })
      .option('override', { type: 'string', array: true, describe: 'key=value, with Kafka config names; repeatable' })
      .option('add-scram', { type: 'string', array: true, describe: "'SCRAM-SHA-256=[name=alice,password=alice-secret]'; repeatable" }),
  handler: async (args) => {
    let lines: string[];
    try {
      lines = await formatDataDir(new BrokerConfig(settingsFromArgs({ ...args, 'log-level': 'info' })), args['add-scram'] ?? []);
    } catch (err) {
      // One line on stderr and exit code 1, as every CLI mistake (src/main.ts).
      if (err instanceof ConfigError) throw new CliError(err.message);
      throw err;
    }
    for (const line of lines) process.stdout.write(`${line}\n`);
  },
};
