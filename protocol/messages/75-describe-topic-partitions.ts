// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const DescribeTopicPartitionsRequest = message({
  name: 'DescribeTopicPartitionsRequest', type: 'request', apiKey: 75, validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'topics', type: '[]', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
    ] },
    { name: 'responsePartitionLimit', type: 'int32', versions: '0+', default: 2000 },
    { name: 'cursor', type: '{}', versions: '0+', nullableVersions: '0+', default: null, fields: [
      { name: 'topicName', type: 'string', versions: '0+' },
      { name: 'partitionIndex', type: 'int32', versions: '0+' },
    ] },
  ],
});

export const DescribeTopicPartitionsResponse = message({
  name: 'DescribeTopicPartitionsResponse', type: 'response', apiKey: 75, validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+', ignorable: true },
    { name: 'topics', type: '[]', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'name', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'topicId', type: 'uuid', versions: '0+', ignorable: true },
      { name: 'isInternal', type: 'bool', versions: '0+', default: false, ignorable: true },
      { name: 'partitions', type: '[]', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'leaderId', type: 'int32', versions: '0+' },
        { name: 'leaderEpoch', type: 'int32', versions: '0+', default: -1, ignorable: true },
        { name: 'replicaNodes', type: '[]int32', versions: '0+' },
        { name: 'isrNodes', type: '[]int32', versions: '0+' },
        { name: 'eligibleLeaderReplicas', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'lastKnownElr', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'offlineReplicas', type: '[]int32', versions: '0+', ignorable: true },
      ] },
      { name: 'topicAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
    ] },
    { name: 'nextCursor', type: '{}', versions: '0+', nullableVersions: '0+', default: null, fields: [
      { name: 'topicName', type: 'string', versions: '0+' },
      { name: 'partitionIndex', type: 'int32', versions: '0+' },
    ] },
  ],
});

export const DescribeTopicPartitions = api({ apiKey: 75, name: 'DescribeTopicPartitions', request: DescribeTopicPartitionsRequest, response: DescribeTopicPartitionsResponse });
