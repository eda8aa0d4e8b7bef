/**
 * What the admin server reads of the broker: read-only slices of the log manager, the group
 * coordinator and the topic service, filled in by src/broker.ts as start-up loads them (so /health
 * and /metrics answer while the logs are still loading).
 */
import type { GroupCoordinator } from '../group/coordinator.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { NodeIdentity, TopicService } from '../services.js';

/** One partition log, read-only. */
export type PartitionView = Pick<
  PartitionLog,
  'topic' | 'partition' | 'logStartOffset' | 'highWatermark' | 'logEndOffset' | 'recoveryPoint' | 'sizeInBytes' | 'segmentCount' | 'inspectSegments' | 'read'
>;

export type LogView = { allLogs(): PartitionView[]; getLog(topic: string, partition: number): PartitionView | undefined };
export type GroupView = Pick<GroupCoordinator, 'listGroups' | 'group' | 'fetchOffsets' | 'consumerGroupDescribe'>;

/** Members and generation of a listed group of either kind (a KIP-848 group's generation is its group epoch). */
export function groupSize(groups: GroupView, groupId: string): { members: number; generation: number } {
  const classic = groups.group(groupId);
  if (classic) return { members: classic.members.size, generation: classic.generationId };
  const described = groups.consumerGroupDescribe(groupId);
  return { members: described.members.length, generation: described.groupEpoch };
}
export type TopicView = Pick<TopicService, 'get' | 'getById'>;

/** Where start-up is: Kafka's BrokerState values, as kafka_server_kafkaserver_brokerstate reports. */
export const BrokerState = { STARTING: 1, RUNNING: 3, SHUTTING_DOWN: 7 } as const;

export class AdminSources {
  state: number = BrokerState.STARTING;
  logs: LogView | undefined;
  groups: GroupView | undefined;
  topics: TopicView | undefined;
  node: NodeIdentity | undefined;
  /** The Kafka listener's bound address, once listening. */
  listener: string | undefined;
  readonly startup: { logsMs?: number; groupsMs?: number } = {};
}
