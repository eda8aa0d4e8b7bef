/**
 * `tafka topic create|list|describe|delete|alter-config|add-partitions`: kafka-topics.sh and
 * kafka-configs.sh for topics, over CreateTopics, Metadata, DescribeConfigs, DeleteTopics,
 * IncrementalAlterConfigs and CreatePartitions.
 */
import type { Argv, CommandModule } from 'yargs';
import { CreatePartitions } from '../../../protocol/messages/37-create-partitions.js';
import { CreateTopics } from '../../../protocol/messages/19-create-topics.js';
import { DeleteTopics } from '../../../protocol/messages/20-delete-topics.js';
import { DescribeConfigs } from '../../../protocol/messages/32-describe-configs.js';
import { IncrementalAlterConfigs } from '../../../protocol/messages/44-incremental-alter-configs.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { check, type KafkaClient } from '../../client/client.js';
import { clientOptions, keyValues, out, table, toJson, withClient, type ClientArgs } from '../common.js';

const TOPIC_RESOURCE = 2;
/** DescribeConfigs' config_source for a value set on the topic itself. */
const DYNAMIC_TOPIC_CONFIG = 1;

async function topicConfigs(client: KafkaClient, name: string): Promise<Record<string, string | null>> {
  const r = await client.send(DescribeConfigs, { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: name, configurationKeys: null }] });
  const res = r.results[0]!;
  check(res.errorCode, `describe configs of ${name}`, res.errorMessage);
  return Object.fromEntries(res.configs.filter((c) => c.configSource === DYNAMIC_TOPIC_CONFIG).map((c) => [c.name, c.value]));
}

type CreateArgs = ClientArgs & { name: string; partitions: number; 'replication-factor': number; config?: string[]; 'if-not-exists': boolean };

const create: CommandModule<object, CreateArgs> = {
  command: 'create <name>',
  describe: 'Create a topic',
  builder: (y) =>
    clientOptions(y)
      .positional('name', { type: 'string', demandOption: true })
      .option('partitions', { alias: 'p', type: 'number', default: -1, describe: 'partitions (-1: the broker\'s num.partitions)' })
      .option('replication-factor', { alias: 'r', type: 'number', default: -1, describe: 'replicas (-1: the broker\'s default)' })
      .option('config', { alias: 'c', type: 'string', array: true, describe: 'topic config key=value; repeatable' })
      .option('if-not-exists', { type: 'boolean', default: false, describe: 'succeed when the topic exists' }) as Argv<CreateArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const configs = keyValues(args.config, '--config').map(([name, value]) => ({ name, value }));
      const r = await client.send(CreateTopics, {
        topics: [{ name: args.name, numPartitions: args.partitions, replicationFactor: args['replication-factor'], configs }],
        timeoutMs: args.timeout,
      });
      const t = r.topics[0]!;
      if (t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && args['if-not-exists']) {
        out(args.json ? toJson({ name: args.name, created: false }) + '\n' : `Topic ${args.name} already exists.\n`);
        return;
      }
      check(t.errorCode, `create topic ${args.name}`, t.errorMessage);
      out(
        args.json
          ? toJson({ name: t.name, topicId: t.topicId, partitions: t.numPartitions, replicationFactor: t.replicationFactor, created: true }) + '\n'
          : `Created topic ${args.name}.\n`,
      );
    }),
};

type ListArgs = ClientArgs & { internal: boolean };

const list: CommandModule<object, ListArgs> = {
  command: 'list',
  aliases: ['ls'],
  describe: 'List topics with their partition and replica counts',
  builder: (y) => clientOptions(y).option('internal', { alias: 'i', type: 'boolean', default: false, describe: 'include internal topics' }) as Argv<ListArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const md = await client.metadata(null);
      const topics = md.topics
        .filter((t) => args.internal || !t.internal)
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((t) => ({ name: t.name, partitions: t.partitions.length, replicas: t.partitions[0]?.replicas.length ?? 0, internal: t.internal }));
      if (args.json) return out(toJson(topics) + '\n');
      out(table(['NAME', 'PARTITIONS', 'REPLICAS'], topics.map((t) => [t.name, t.partitions, t.replicas])));
    }),
};

type NamesArgs = ClientArgs & { names: string[] };

const describe: CommandModule<object, NamesArgs> = {
  command: 'describe <names..>',
  describe: 'Show partitions, leaders and the topic\'s own configs, as kafka-topics.sh --describe does',
  builder: (y) => clientOptions(y).positional('names', { type: 'string', array: true, demandOption: true }) as Argv<NamesArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const described = [];
      for (const name of args.names) {
        const t = await client.topic(name);
        described.push({ ...t, replicationFactor: t.partitions[0]?.replicas.length ?? 0, configs: await topicConfigs(client, name) });
      }
      if (args.json) return out(toJson(described) + '\n');
      for (const t of described) {
        const configs = Object.entries(t.configs).map(([k, v]) => `${k}=${v}`).join(',');
        out(`Topic: ${t.name}\tTopicId: ${t.topicId}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${t.replicationFactor}\tConfigs: ${configs}\n`);
        for (const p of t.partitions) {
          out(`\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\n`);
        }
      }
    }),
};

const del: CommandModule<object, NamesArgs> = {
  command: 'delete <names..>',
  describe: 'Delete topics',
  builder: (y) => clientOptions(y).positional('names', { type: 'string', array: true, demandOption: true }) as Argv<NamesArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const version = await client.version(DeleteTopics);
      // DeleteTopics v6 names topics in a struct (name or id); earlier versions in a list of names.
      const r = await client.send(
        DeleteTopics,
        version >= 6 ? { topics: args.names.map((name) => ({ name })), timeoutMs: args.timeout } : { topicNames: args.names, timeoutMs: args.timeout },
      );
      for (const t of r.responses) check(t.errorCode, `delete topic ${t.name}`, t.errorMessage);
      out(args.json ? toJson(r.responses.map((t) => ({ name: t.name, deleted: true }))) + '\n' : args.names.map((n) => `Deleted topic ${n}.\n`).join(''));
    }),
};

type AlterArgs = ClientArgs & { name: string; set?: string[]; delete?: string[] };

/** IncrementalAlterConfigs' operations. */
const SET = 0;
const DELETE = 1;

const alterConfig: CommandModule<object, AlterArgs> = {
  command: 'alter-config <name>',
  describe: 'Set or delete topic configs (kafka-configs.sh --alter --entity-type topics)',
  builder: (y) =>
    clientOptions(y)
      .positional('name', { type: 'string', demandOption: true })
      .option('set', { alias: 's', type: 'string', array: true, describe: 'key=value to set; repeatable' })
      .option('delete', { alias: 'd', type: 'string', array: true, describe: 'key to delete (back to the broker default); repeatable' })
      .check((a) => ((a.set?.length ?? 0) + (a.delete?.length ?? 0) > 0 ? true : 'give --set key=value or --delete key')) as Argv<AlterArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const configs = [
        ...keyValues(args.set, '--set').map(([name, value]) => ({ name, configOperation: SET, value })),
        ...(args.delete ?? []).map((name) => ({ name, configOperation: DELETE, value: null })),
      ];
      const r = await client.send(IncrementalAlterConfigs, { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: args.name, configs }] });
      const res = r.responses[0]!;
      check(res.errorCode, `alter configs of ${args.name}`, res.errorMessage);
      out(args.json ? toJson({ name: args.name, configs: await topicConfigs(client, args.name) }) + '\n' : `Completed updating config for topic ${args.name}.\n`);
    }),
};

type AddArgs = ClientArgs & { name: string; num: number };

const addPartitions: CommandModule<object, AddArgs> = {
  command: 'add-partitions <name>',
  describe: 'Add partitions to a topic (existing keys may then map to other partitions)',
  builder: (y) =>
    clientOptions(y)
      .positional('name', { type: 'string', demandOption: true })
      .option('num', { alias: 'n', type: 'number', demandOption: true, describe: 'how many partitions to add' }) as Argv<AddArgs>,
  handler: (args) =>
    withClient(args, async (client) => {
      const before = (await client.topic(args.name)).partitions.length;
      const count = before + args.num;
      const r = await client.send(CreatePartitions, { topics: [{ name: args.name, count, assignments: null }], timeoutMs: args.timeout });
      const res = r.results[0]!;
      check(res.errorCode, `add partitions to ${args.name}`, res.errorMessage);
      out(args.json ? toJson({ name: args.name, partitions: count }) + '\n' : `Topic ${args.name} now has ${count} partitions.\n`);
    }),
};

export const topicCommand: CommandModule = {
  command: 'topic <command>',
  describe: 'Create, list, describe, delete and configure topics',
  builder: (y) => y.command(create).command(list).command(describe).command(del).command(alterConfig).command(addPartitions).demandCommand(1),
  handler: () => {},
};
