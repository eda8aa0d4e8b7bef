/**
 * `tafka produce TOPIC`: one record per stdin line, like kafka-console-producer.sh and `kcat -P`.
 * Lines are sent in batches: whatever has arrived when the previous batch is acknowledged (at most
 * 1000 records), so a pipe streams fast and a person typing sees each line go out at once.
 */
import { createInterface } from 'node:readline';
import type { Argv, CommandModule } from 'yargs';
import { Producer, type OutgoingRecord } from '../../client/producer.js';
import type { CompressionName } from '../../client/records.js';
import { CliError, clientOptions, keyValues, out, toJson, withClient, type ClientArgs } from '../common.js';

type ProduceArgs = ClientArgs & {
  topic: string;
  'key-separator'?: string;
  header?: string[];
  partition?: number;
  compression: CompressionName;
  acks: string;
};

const BATCH = 1000;

function parseAcks(text: string): -1 | 0 | 1 {
  if (text === 'all' || text === '-1') return -1;
  if (text === '0' || text === '1') return Number(text) as 0 | 1;
  throw new CliError(`--acks ${text}: expected all, -1, 0 or 1`);
}

export function lineToRecord(line: string, separator: string | undefined, headers: [string, string][], now: number): OutgoingRecord {
  let key: Buffer | null = null;
  let value = line;
  if (separator !== undefined && separator !== '') {
    const at = line.indexOf(separator);
    if (at >= 0) {
      key = Buffer.from(line.slice(0, at));
      value = line.slice(at + separator.length);
    }
  }
  return { key, value: Buffer.from(value), headers: headers.map(([k, v]) => ({ key: k, value: Buffer.from(v) })), timestamp: now };
}

export const produceCommand: CommandModule<object, ProduceArgs> = {
  command: 'produce <topic>',
  describe: 'Send stdin lines as records',
  builder: (y) =>
    clientOptions(y)
      .positional('topic', { type: 'string', demandOption: true })
      .option('key-separator', { alias: 'K', type: 'string', describe: 'split each line into key and value at the first occurrence of this text' })
      .option('header', { alias: 'H', type: 'string', array: true, describe: 'header key=value added to every record; repeatable' })
      .option('partition', { alias: 'p', type: 'number', describe: 'partition to send to (default: by key hash, else one partition per batch)' })
      .option('compression', { alias: 'z', type: 'string', default: 'none', choices: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] })
      .option('acks', { type: 'string', default: 'all', describe: 'all (-1), 1 or 0' }) as Argv<ProduceArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const producer = new Producer(client, { acks: parseAcks(args.acks), compression: args.compression, timeoutMs: args.timeout });
      const headers = keyValues(args.header, '--header');
      const pending: OutgoingRecord[] = [];
      let failed: unknown;
      let pumping: Promise<void> | undefined;
      // One batch in flight at a time; the lines that arrive meanwhile make up the next one.
      const pump = (): Promise<void> =>
        (pumping ??= (async () => {
          try {
            while (pending.length > 0 && !failed) {
              const results = await producer.send(args.topic, pending.splice(0, BATCH));
              if (!args.json) continue;
              for (const r of results) out(toJson({ topic: args.topic, partition: r.partition, offset: r.baseOffset, count: r.count }) + '\n');
            }
          } catch (err) {
            failed = err;
          } finally {
            pumping = undefined;
          }
        })());
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of lines) {
        if (failed) break;
        pending.push({ ...lineToRecord(line, args['key-separator'], headers, client.now()), partition: args.partition });
        void pump();
      }
      await pump();
      if (failed) throw failed as Error;
    }),
};
