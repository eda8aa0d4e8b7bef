// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const ConsumerGroupHeartbeatRequest = message({
  name: 'ConsumerGroupHeartbeatRequest', type: 'request', apiKey: 68, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'memberEpoch', type: 'int32', versions: '0+' },
    { name: 'instanceId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '0+', default: -1 },
    { name: 'subscribedTopicNames', type: '[]string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'subscribedTopicRegex', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
    { name: 'serverAssignor', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'topicPartitions', type: '[]', versions: '0+', nullableVersions: '0+', default: null, fields: [
      { name: 'topicId', type: 'uuid', versions: '0+' },
      { name: 'partitions', type: '[]int32', versions: '0+' },
    ] },
  ],
});

export const ConsumerGroupHeartbeatResponse = message({
  name: 'ConsumerGroupHeartbeatResponse', type: 'response', apiKey: 68, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'memberId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'memberEpoch', type: 'int32', versions: '0+' },
    { name: 'heartbeatIntervalMs', type: 'int32', versions: '0+' },
    { name: 'assignment', type: '{}', versions: '0+', nullableVersions: '0+', default: null, fields: [
      { name: 'topicPartitions', type: '[]', versions: '0+', fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ] },
    ] },
  ],
});

export const ConsumerGroupHeartbeat = api({ apiKey: 68, name: 'ConsumerGroupHeartbeat', request: ConsumerGroupHeartbeatRequest, response: ConsumerGroupHeartbeatResponse });
