// Every API Tafka has a schema for, by API key.
import type { ApiSpec } from './schema.js';
import { Produce } from './messages/00-produce.js';
import { Fetch } from './messages/01-fetch.js';
import { ListOffsets } from './messages/02-list-offsets.js';
import { Metadata } from './messages/03-metadata.js';
import { OffsetCommit } from './messages/08-offset-commit.js';
import { OffsetFetch } from './messages/09-offset-fetch.js';
import { FindCoordinator } from './messages/10-find-coordinator.js';
import { JoinGroup } from './messages/11-join-group.js';
import { Heartbeat } from './messages/12-heartbeat.js';
import { LeaveGroup } from './messages/13-leave-group.js';
import { SyncGroup } from './messages/14-sync-group.js';
import { DescribeGroups } from './messages/15-describe-groups.js';
import { ListGroups } from './messages/16-list-groups.js';
import { SaslHandshake } from './messages/17-sasl-handshake.js';
import { ApiVersions } from './messages/18-api-versions.js';
import { CreateTopics } from './messages/19-create-topics.js';
import { DeleteTopics } from './messages/20-delete-topics.js';
import { DeleteRecords } from './messages/21-delete-records.js';
import { InitProducerId } from './messages/22-init-producer-id.js';
import { OffsetForLeaderEpoch } from './messages/23-offset-for-leader-epoch.js';
import { AddPartitionsToTxn } from './messages/24-add-partitions-to-txn.js';
import { AddOffsetsToTxn } from './messages/25-add-offsets-to-txn.js';
import { EndTxn } from './messages/26-end-txn.js';
import { WriteTxnMarkers } from './messages/27-write-txn-markers.js';
import { TxnOffsetCommit } from './messages/28-txn-offset-commit.js';
import { DescribeAcls } from './messages/29-describe-acls.js';
import { CreateAcls } from './messages/30-create-acls.js';
import { DeleteAcls } from './messages/31-delete-acls.js';
import { DescribeConfigs } from './messages/32-describe-configs.js';
import { AlterConfigs } from './messages/33-alter-configs.js';
import { AlterReplicaLogDirs } from './messages/34-alter-replica-log-dirs.js';
import { DescribeLogDirs } from './messages/35-describe-log-dirs.js';
import { SaslAuthenticate } from './messages/36-sasl-authenticate.js';
import { CreatePartitions } from './messages/37-create-partitions.js';
import { DeleteGroups } from './messages/42-delete-groups.js';
import { ElectLeaders } from './messages/43-elect-leaders.js';
import { IncrementalAlterConfigs } from './messages/44-incremental-alter-configs.js';
import { AlterPartitionReassignments } from './messages/45-alter-partition-reassignments.js';
import { ListPartitionReassignments } from './messages/46-list-partition-reassignments.js';
import { OffsetDelete } from './messages/47-offset-delete.js';
import { DescribeClientQuotas } from './messages/48-describe-client-quotas.js';
import { AlterClientQuotas } from './messages/49-alter-client-quotas.js';
import { DescribeUserScramCredentials } from './messages/50-describe-user-scram-credentials.js';
import { AlterUserScramCredentials } from './messages/51-alter-user-scram-credentials.js';
import { DescribeQuorum } from './messages/55-describe-quorum.js';
import { UpdateFeatures } from './messages/57-update-features.js';
import { DescribeCluster } from './messages/60-describe-cluster.js';
import { DescribeProducers } from './messages/61-describe-producers.js';
import { DescribeTransactions } from './messages/65-describe-transactions.js';
import { ListTransactions } from './messages/66-list-transactions.js';
import { ConsumerGroupHeartbeat } from './messages/68-consumer-group-heartbeat.js';
import { ConsumerGroupDescribe } from './messages/69-consumer-group-describe.js';
import { ListConfigResources } from './messages/74-list-config-resources.js';
import { DescribeTopicPartitions } from './messages/75-describe-topic-partitions.js';

export const API_SPECS: readonly ApiSpec[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  OffsetForLeaderEpoch,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  WriteTxnMarkers,
  TxnOffsetCommit,
  DescribeAcls,
  CreateAcls,
  DeleteAcls,
  DescribeConfigs,
  AlterConfigs,
  AlterReplicaLogDirs,
  DescribeLogDirs,
  SaslAuthenticate,
  CreatePartitions,
  DeleteGroups,
  ElectLeaders,
  IncrementalAlterConfigs,
  AlterPartitionReassignments,
  ListPartitionReassignments,
  OffsetDelete,
  DescribeClientQuotas,
  AlterClientQuotas,
  DescribeUserScramCredentials,
  AlterUserScramCredentials,
  DescribeQuorum,
  UpdateFeatures,
  DescribeCluster,
  DescribeProducers,
  DescribeTransactions,
  ListTransactions,
  ConsumerGroupHeartbeat,
  ConsumerGroupDescribe,
  ListConfigResources,
  DescribeTopicPartitions,
];

const byKey = new Map(API_SPECS.map((a) => [a.apiKey, a]));

export function apiSpec(apiKey: number): ApiSpec | undefined {
  return byKey.get(apiKey);
}
