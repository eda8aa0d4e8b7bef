/**
 * `tafka consume TOPIC...`: print records, like kafka-console-consumer.sh and `kcat -C`.
 *
 * Without `--group` it reads every partition (or `--partition`) by itself, as kcat does, and
 * leaves no trace on the broker. With `--group` it joins a consumer group, starts each partition it
 * is given at the group's committed offset (else at `--offset`), commits every 5 s and on exit, and
 * leaves the group, so another member takes over at once.
 */
import type { Argv, CommandModule } from 'yargs';
import type { KafkaClient } from '../../client/client.js';
import { EARLIEST, Fetcher, LATEST, listOffsets, tpKey, type TopicPartition } from '../../client/consumer.js';
import { GroupMember } from '../../client/group-member.js';
import type { ConsumedRecord } from '../../client/records.js';
import { CliError, clientOptions, out, toJson, withClient, type ClientArgs } from '../common.js';

type ConsumeArgs = ClientArgs & {
  topics: string[];
  group?: string;
  offset: string;
  partition?: number[];
  format: string;
  count?: number;
  exit: boolean;
};

/** Where to start: a ListOffsets timestamp (EARLIEST, LATEST or a time), an offset, or N before the end. */
export type StartSpec = { kind: 'timestamp'; timestamp: bigint } | { kind: 'offset'; offset: bigint } | { kind: 'fromEnd'; count: bigint };

export function parseOffset(text: string): StartSpec {
  const t = text.trim();
  if (['beginning', 'earliest', 'start'].includes(t)) return { kind: 'timestamp', timestamp: EARLIEST };
  if (['end', 'latest'].includes(t)) return { kind: 'timestamp', timestamp: LATEST };
  if (/^\d+$/.test(t)) return { kind: 'offset', offset: BigInt(t) };
  if (/^-\d+$/.test(t)) return { kind: 'fromEnd', count: -BigInt(t) };
  if (t.startsWith('@')) {
    const spec = t.slice(1);
    const ms = /^\d+$/.test(spec) ? Number(spec) : Date.parse(spec);
    if (Number.isNaN(ms)) throw new CliError(`--offset ${text}: not a time (give ms since the epoch or an ISO date)`);
    return { kind: 'timestamp', timestamp: BigInt(ms) };
  }
  throw new CliError(`--offset ${text}: expected beginning, end, an offset, -N (N before the end) or @time`);
}

async function startOffsets(client: KafkaClient, tps: readonly TopicPartition[], spec: StartSpec): Promise<Map<string, bigint>> {
  if (tps.length === 0) return new Map();
  if (spec.kind === 'timestamp') return listOffsets(client, tps, spec.timestamp);
  const [earliest, latest] = await Promise.all([listOffsets(client, tps, EARLIEST), listOffsets(client, tps, LATEST)]);
  const out = new Map<string, bigint>();
  for (const tp of tps) {
    const key = tpKey(tp.topic, tp.partition);
    const [lo, hi] = [earliest.get(key)!, latest.get(key)!];
    const want = spec.kind === 'offset' ? spec.offset : hi - spec.count;
    out.set(key, want < lo ? lo : want > hi ? hi : want);
  }
  return out;
}

function escapes(format: string): string {
  return format.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\' })[c] ?? c);
}

/**
 * kcat's `-f` tokens: %t topic, %p partition, %o offset, %k key, %s value, %K / %S key / value
 * length (-1 for null), %T timestamp (ms), %h headers (k=v,...), %% a percent sign.
 */
export function formatRecord(format: string, r: ConsumedRecord): string {
  const text = (b: Buffer | null) => (b === null ? '' : b.toString('utf8'));
  return escapes(format).replace(/%([tpokKsSTh%])/g, (_, c: string) => {
    switch (c) {
      case 't': return r.topic;
      case 'p': return String(r.partition);
      case 'o': return String(r.offset);
      case 'k': return text(r.key);
      case 's': return text(r.value);
      case 'K': return String(r.key?.length ?? -1);
      case 'S': return String(r.value?.length ?? -1);
      case 'T': return String(r.timestamp);
      case 'h': return r.headers.map((h) => `${h.key}=${text(h.value)}`).join(',');
      default: return '%';
    }
  });
}

function recordJson(r: ConsumedRecord): string {
  const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
  return toJson({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    key: text(r.key),
    value: text(r.value),
    headers: Object.fromEntries(r.headers.map((h) => [h.key, text(h.value)])),
  }) + '\n';
}

const AUTO_COMMIT_MS = 5000;

export const consumeCommand: CommandModule<object, ConsumeArgs> = {
  command: 'consume <topics..>',
  describe: 'Print records from topics',
  builder: (y) =>
    clientOptions(y)
      .positional('topics', { type: 'string', array: true, demandOption: true })
      .option('group', { alias: 'g', type: 'string', describe: 'consume as a member of this group (committed offsets win over --offset)' })
      .option('offset', {
        alias: 'o',
        type: 'string',
        default: 'beginning',
        describe: 'where to start: beginning, end, an offset, -N (N before the end), @time (ms or ISO date)',
      })
      .option('partition', { alias: 'p', type: 'number', array: true, describe: 'only these partitions (not with --group)' })
      .option('format', { alias: 'f', type: 'string', default: '%s\\n', describe: 'output format, kcat\'s -f tokens: %t %p %o %k %s %K %S %T %h' })
      .option('count', { alias: 'n', type: 'number', describe: 'exit after this many records' })
      .option('exit', { alias: 'e', type: 'boolean', default: false, describe: 'exit at the end of every partition' })
      .conflicts('group', 'partition') as Argv<ConsumeArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const spec = parseOffset(args.offset);
      const fetcher = new Fetcher(client, { reset: 'earliest' });
      const member = args.group ? new GroupMember(client, { groupId: args.group, topics: args.topics }) : undefined;
      /** The next offset to read per partition, moved as records are printed (what a commit stores). */
      const consumed = new Map<string, { tp: TopicPartition; offset: bigint }>();
      const assign = async (tps: TopicPartition[]) => {
        const committed = member ? await member.committed(tps) : new Map<string, bigint>();
        const fallback = await startOffsets(client, tps.filter((tp) => !committed.has(tpKey(tp.topic, tp.partition))), spec);
        consumed.clear();
        for (const tp of tps) {
          const key = tpKey(tp.topic, tp.partition);
          consumed.set(key, { tp, offset: committed.get(key) ?? fallback.get(key)! });
        }
        fetcher.assign(consumed);
      };
      if (member) {
        await assign(await member.join());
      } else {
        const tps: TopicPartition[] = [];
        for (const name of args.topics) {
          const t = await client.topic(name);
          for (const p of t.partitions) if (!args.partition || args.partition.includes(p.partition)) tps.push({ topic: name, partition: p.partition });
        }
        if (tps.length === 0) throw new CliError(`no such partition: ${args.partition?.join(',')}`);
        await assign(tps);
      }
      let stopping = false;
      const stop = () => void (stopping = true);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let printed = 0;
      let lastCommit = client.now();
      try {
        while (!stopping) {
          if (member?.rejoinNeeded) {
            await member.commit(consumed.values());
            await assign(await member.join());
          }
          for (const r of await fetcher.poll()) {
            out(args.json ? recordJson(r) : formatRecord(args.format, r));
            consumed.get(tpKey(r.topic, r.partition))!.offset = r.offset + 1n;
            if (args.count !== undefined && ++printed >= args.count) stopping = true;
            if (stopping) break;
          }
          if (args.exit && fetcher.atEnd()) break;
          if (member && client.now() - lastCommit >= AUTO_COMMIT_MS) {
            await member.commit(consumed.values());
            lastCommit = client.now();
          }
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        if (member) {
          await member.commit(consumed.values()).catch(() => {});
          await member.leave();
        }
      }
    }),
};
