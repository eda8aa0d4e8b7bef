/**
 * `tafka cluster info`: the cluster id, the controller and the brokers, from Metadata (every broker
 * answers it, Kafka and Tafka alike), with the topic and partition counts.
 */
import type { CommandModule } from 'yargs';
import { clientOptions, out, table, toJson, withClient, type ClientArgs } from '../common.js';

const info: CommandModule<object, ClientArgs> = {
  command: 'info',
  describe: 'Cluster id, controller, brokers, topic count',
  builder: (y) => clientOptions(y),
  handler: (args) =>
    withClient(args, async (client) => {
      const md = await client.metadata(null);
      const topics = md.topics.filter((t) => !t.internal);
      const summary = {
        clusterId: md.clusterId,
        controllerId: md.controllerId,
        brokers: md.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
        topics: topics.length,
        partitions: topics.reduce((n, t) => n + t.partitions.length, 0),
      };
      if (args.json) return out(toJson(summary) + '\n');
      out(`CLUSTER\n=======\n${summary.clusterId ?? '-'}\n\nBROKERS\n=======\n`);
      out(table(['ID', 'HOST', 'PORT', 'RACK'], summary.brokers.map((b) => [b.id === md.controllerId ? `${b.id}*` : String(b.id), b.host, b.port, b.rack ?? '-'])));
      out(`\nTOPICS\n======\n${summary.topics} topics, ${summary.partitions} partitions\n`);
    }),
};

export const clusterCommand: CommandModule = {
  command: 'cluster <command>',
  describe: 'Describe the cluster',
  builder: (y) => y.command(info).demandCommand(1),
  handler: () => {},
};
