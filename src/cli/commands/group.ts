/**
 * `tafka group list|describe|delete|reset-offsets`: kafka-consumer-groups.sh over ListGroups,
 * DescribeGroups, OffsetFetch, ListOffsets, DeleteGroups and OffsetCommit.
 */
import type { Argv, CommandModule } from 'yargs';
import { DeleteGroups } from '../../../protocol/messages/42-delete-groups.js';
import { DescribeGroups } from '../../../protocol/messages/15-describe-groups.js';
import { ListGroups } from '../../../protocol/messages/16-list-groups.js';
import { OffsetCommit } from '../../../protocol/messages/08-offset-commit.js';
import { check, type KafkaClient } from '../../client/client.js';
import { EARLIEST, LATEST, listOffsets, tpKey, type TopicPartition } from '../../client/consumer.js';
import { fetchCommitted } from '../../client/group-member.js';
import { decodeAssignment } from '../../client/group-protocol.js';
import { CliError, clientOptions, out, table, toJson, withClient, type ClientArgs } from '../common.js';

async function describeGroup(client: KafkaClient, groupId: string) {
  const coordinator = await client.coordinator(groupId);
  const r = await client.send(DescribeGroups, { groups: [groupId] }, { target: coordinator });
  const g = r.groups[0]!;
  check(g.errorCode, `describe group ${groupId}`);
  return { coordinator, group: g };
}

const list: CommandModule<object, ClientArgs> = {
  command: 'list',
  aliases: ['ls'],
  describe: 'List consumer groups (from every broker)',
  builder: (y) => clientOptions(y),
  handler: (args) =>
    withClient(args, async (client) => {
      const md = await client.metadata([]);
      const groups = [];
      for (const b of md.brokers) {
        const r = await client.send(ListGroups, {}, { target: b.nodeId });
        check(r.errorCode, `ListGroups on broker ${b.nodeId}`);
        groups.push(...r.groups.map((g) => ({ group: g.groupId, state: g.groupState, protocolType: g.protocolType, coordinator: b.nodeId })));
      }
      groups.sort((a, b) => (a.group < b.group ? -1 : 1));
      if (args.json) return out(toJson(groups) + '\n');
      out(table(['GROUP', 'STATE', 'PROTOCOL-TYPE', 'COORDINATOR'], groups.map((g) => [g.group, g.state || '-', g.protocolType || '-', g.coordinator])));
    }),
};

type GroupsArgs = ClientArgs & { groups: string[] };

const describe: CommandModule<object, GroupsArgs> = {
  command: 'describe <groups..>',
  describe: 'Members, committed offsets and lag per partition, as kafka-consumer-groups.sh --describe',
  builder: (y) => clientOptions(y).positional('groups', { type: 'string', array: true, demandOption: true }) as Argv<GroupsArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const described = [];
      for (const groupId of args.groups) {
        const { coordinator, group } = await describeGroup(client, groupId);
        const owner = new Map<string, { consumerId: string; host: string; clientId: string }>();
        for (const m of group.members) {
          const tps = group.protocolType === 'consumer' ? decodeAssignment(m.memberAssignment) : [];
          for (const tp of tps) owner.set(tpKey(tp.topic, tp.partition), { consumerId: m.memberId, host: m.clientHost, clientId: m.clientId });
        }
        const committed = await fetchCommitted(client, groupId, null, coordinator);
        const keys = [...new Set([...committed.keys(), ...owner.keys()])];
        const tps = keys.map((k) => ({ topic: k.slice(0, k.lastIndexOf(':')), partition: Number(k.slice(k.lastIndexOf(':') + 1)) }));
        const ends = await listOffsets(client, tps, LATEST);
        const partitions = tps
          .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
          .map((tp) => {
            const key = tpKey(tp.topic, tp.partition);
            const current = committed.get(key);
            const end = ends.get(key)!;
            const member = owner.get(key) ?? { consumerId: null, host: null, clientId: null };
            return { ...tp, currentOffset: current ?? null, logEndOffset: end, lag: current === undefined ? null : end - current, ...member };
          });
        described.push({ group: groupId, state: group.groupState, members: group.members.length, partitions });
      }
      if (args.json) return out(toJson(described) + '\n');
      for (const d of described) {
        if (d.members === 0) out(`\nConsumer group '${d.group}' has no active members.\n`);
        out('\n');
        const dash = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
        out(
          table(
            ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
            d.partitions.map((p) => [
              d.group, p.topic, p.partition, dash(p.currentOffset), p.logEndOffset, dash(p.lag), dash(p.consumerId), dash(p.host), dash(p.clientId),
            ]),
          ),
        );
      }
    }),
};

const del: CommandModule<object, GroupsArgs> = {
  command: 'delete <groups..>',
  describe: 'Delete empty groups and their committed offsets',
  builder: (y) => clientOptions(y).positional('groups', { type: 'string', array: true, demandOption: true }) as Argv<GroupsArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      for (const groupId of args.groups) {
        const r = await client.send(DeleteGroups, { groupsNames: [groupId] }, { target: await client.coordinator(groupId) });
        const res = r.results[0]!;
        check(res.errorCode, `delete group ${groupId}`);
      }
      const names = args.groups.map((g) => `'${g}'`).join(', ');
      out(args.json ? toJson(args.groups.map((group) => ({ group, deleted: true }))) + '\n' : `Deletion of requested consumer groups (${names}) was successful.\n`);
    }),
};

type ResetArgs = ClientArgs & {
  group: string;
  topic?: string[];
  'all-topics': boolean;
  'to-earliest': boolean;
  'to-latest': boolean;
  'to-offset'?: number;
  'to-datetime'?: string;
  'shift-by'?: number;
  execute: boolean;
  'dry-run': boolean;
};

/** `--topic t` or `--topic t:0,2` (Kafka's syntax) into partitions, from the topic's metadata. */
async function topicPartitions(client: KafkaClient, specs: string[]): Promise<TopicPartition[]> {
  const out: TopicPartition[] = [];
  for (const spec of specs) {
    const [topic, list] = spec.split(':') as [string, string | undefined];
    const t = await client.topic(topic);
    const wanted = list ? list.split(',').map(Number) : t.partitions.map((p) => p.partition);
    for (const partition of wanted) {
      if (!t.partitions.some((p) => p.partition === partition)) throw new CliError(`topic ${topic} has no partition ${partition}`);
      out.push({ topic, partition });
    }
  }
  return out;
}

const reset: CommandModule<object, ResetArgs> = {
  command: 'reset-offsets <group>',
  describe: 'Move an inactive group\'s committed offsets; prints the plan and changes nothing without --execute',
  builder: (y) =>
    clientOptions(y)
      .positional('group', { type: 'string', demandOption: true })
      .option('topic', { alias: 't', type: 'string', array: true, describe: 'topic, or topic:p1,p2; repeatable' })
      .option('all-topics', { type: 'boolean', default: false, describe: 'every topic the group has committed offsets for' })
      .option('to-earliest', { type: 'boolean', default: false })
      .option('to-latest', { type: 'boolean', default: false })
      .option('to-offset', { type: 'number' })
      .option('to-datetime', { type: 'string', describe: 'ISO date, e.g. 2024-01-31T12:00:00Z' })
      .option('shift-by', { type: 'number', describe: 'move each committed offset by N (negative: back)' })
      .option('execute', { type: 'boolean', default: false, describe: 'commit the new offsets' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'only print the plan (the default)' })
      .check((a) => {
        const how = ['to-earliest', 'to-latest', 'to-offset', 'to-datetime', 'shift-by'].filter((k) => a[k] !== undefined && a[k] !== false);
        if (how.length !== 1) return 'give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by';
        if (!a['all-topics'] && !a.topic?.length) return 'give --topic or --all-topics';
        if (a.execute && a['dry-run']) return '--execute and --dry-run exclude each other';
        return true;
      }) as Argv<ResetArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const { coordinator, group } = await describeGroup(client, args.group);
      if (group.groupState !== 'Empty' && group.groupState !== 'Dead') {
        throw new CliError(`Assignments can only be reset if the group '${args.group}' is inactive, but the current state is ${group.groupState}.`);
      }
      const committed = await fetchCommitted(client, args.group, null, coordinator);
      const tps = args['all-topics']
        ? [...committed.keys()].map((k) => ({ topic: k.slice(0, k.lastIndexOf(':')), partition: Number(k.slice(k.lastIndexOf(':') + 1)) }))
        : await topicPartitions(client, args.topic!);
      const [earliest, latest] = await Promise.all([listOffsets(client, tps, EARLIEST), listOffsets(client, tps, LATEST)]);
      let target: Map<string, bigint>;
      if (args['to-datetime'] !== undefined) {
        const ms = Date.parse(args['to-datetime']);
        if (Number.isNaN(ms)) throw new CliError(`--to-datetime ${args['to-datetime']}: not a date`);
        target = await listOffsets(client, tps, BigInt(ms));
      } else {
        target = new Map();
        for (const tp of tps) {
          const key = tpKey(tp.topic, tp.partition);
          const [lo, hi] = [earliest.get(key)!, latest.get(key)!];
          let want: bigint;
          if (args['to-earliest']) want = lo;
          else if (args['to-latest']) want = hi;
          else if (args['to-offset'] !== undefined) want = BigInt(args['to-offset']);
          else want = (committed.get(key) ?? lo) + BigInt(args['shift-by']!);
          // Kafka's tool clamps to the log's range, so a reset never points outside it.
          target.set(key, want < lo ? lo : want > hi ? hi : want);
        }
      }
      const plan = tps.map((tp) => ({ ...tp, newOffset: target.get(tpKey(tp.topic, tp.partition))! }));
      if (args.execute) {
        const topics = [...new Set(plan.map((p) => p.topic))].map((name) => ({
          name,
          partitions: plan.filter((p) => p.topic === name).map((p) => ({ partitionIndex: p.partition, committedOffset: p.newOffset, committedMetadata: '' })),
        }));
        // generation -1 and no member id: an admin commit, accepted while the group has no members.
        const r = await client.send(OffsetCommit, { groupId: args.group, generationIdOrMemberEpoch: -1, memberId: '', topics }, { target: coordinator });
        for (const t of r.topics) for (const p of t.partitions) check(p.errorCode, `commit ${t.name}-${p.partitionIndex}`);
      }
      if (args.json) return out(toJson({ group: args.group, executed: args.execute, partitions: plan }) + '\n');
      if (!args.execute) out('WARN: No action will be performed as the --execute option is missing.\n');
      out('\n' + table(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], plan.map((p) => [args.group, p.topic, p.partition, p.newOffset])));
    }),
};

export const groupCommand: CommandModule = {
  command: 'group <command>',
  describe: 'List, describe and delete consumer groups; reset their offsets',
  builder: (y) => y.command(list).command(describe).command(del).command(reset).demandCommand(1),
  handler: () => {},
};
