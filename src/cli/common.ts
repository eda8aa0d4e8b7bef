/**
 * What every client subcommand shares: the `--brokers` and `--json` flags, a connected client
 * that is always closed, one-line errors, and aligned tables like Kafka's own tools print.
 */
import type { Argv } from 'yargs';
import { KafkaClient } from '../client/client.js';

export interface ClientArgs {
  brokers: string;
  json: boolean;
  'client-id': string;
  timeout: number;
}

/** A failure the user can act on: printed as one line, exit code 1, no stack, no usage text. */
export class CliError extends Error {
  readonly code = 'TAFKA_ERR_CLI';
}

export function clientOptions<T>(y: Argv<T>): Argv<T & ClientArgs> {
  return y
    .option('brokers', {
      alias: ['b', 'bootstrap-server'],
      type: 'string',
      default: process.env.TAFKA_BROKERS ?? 'localhost:9092',
      describe: 'host:port of one or more brokers, comma separated (env TAFKA_BROKERS)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable output: JSON' })
    .option('client-id', { type: 'string', default: 'tafka-cli', describe: 'client id sent to the broker' })
    .option('timeout', { type: 'number', default: 30_000, describe: 'request timeout, ms' }) as Argv<T & ClientArgs>;
}

export async function withClient<T>(args: ClientArgs, run: (client: KafkaClient) => Promise<T>): Promise<T> {
  const client = await KafkaClient.connect({
    brokers: args.brokers.split(',').filter(Boolean),
    clientId: args['client-id'],
    requestTimeoutMs: args.timeout,
  });
  try {
    return await run(client);
  } finally {
    client.close();
  }
}

/** Columns padded to their widest cell, as kafka-consumer-groups.sh and rpk print them. */
export function table(header: string[], rows: (string | number | bigint)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('').trimEnd()).join('\n') + '\n';
}

/** JSON with bigints as numbers when they fit and strings when they do not (offsets are int64). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v));
}

export function out(text: string): void {
  process.stdout.write(text);
}

/** `key=value` flags into pairs. */
export function keyValues(items: readonly string[] | undefined, flag: string): [string, string][] {
  return (items ?? []).map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError(`${flag} "${item}": expected key=value`);
    return [item.slice(0, eq), item.slice(eq + 1)];
  });
}
