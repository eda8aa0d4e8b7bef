// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs;
// v1 (MemberType, KIP-1099) added by hand from Kafka 4.0's spec.

import { api, message } from '../schema.js';

export const ConsumerGroupDescribeRequest = message({
  name: 'ConsumerGroupDescribeRequest', type: 'request', apiKey: 69, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    { name: 'groupIds', type: '[]string', versions: '0+' },
    { name: 'includeAuthorizedOperations', type: 'bool', versions: '0+' },
  ],
});

export const ConsumerGroupDescribeResponse = message({
  name: 'ConsumerGroupDescribeResponse', type: 'response', apiKey: 69, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'groups', type: '[]', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'groupState', type: 'string', versions: '0+' },
      { name: 'groupEpoch', type: 'int32', versions: '0+' },
      { name: 'assignmentEpoch', type: 'int32', versions: '0+' },
      { name: 'assignorName', type: 'string', versions: '0+' },
      { name: 'members', type: '[]', versions: '0+', fields: [
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'instanceId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'memberEpoch', type: 'int32', versions: '0+' },
        { name: 'clientId', type: 'string', versions: '0+' },
        { name: 'clientHost', type: 'string', versions: '0+' },
        { name: 'subscribedTopicNames', type: '[]string', versions: '0+' },
        { name: 'subscribedTopicRegex', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'assignment', type: '{}', versions: '0+', fields: [
          { name: 'topicPartitions', type: '[]', versions: '0+', fields: [
            { name: 'topicId', type: 'uuid', versions: '0+' },
            { name: 'topicName', type: 'string', versions: '0+' },
            { name: 'partitions', type: '[]int32', versions: '0+' },
          ] },
        ] },
        { name: 'targetAssignment', type: '{}', versions: '0+', fields: [
          { name: 'topicPartitions', type: '[]', versions: '0+', fields: [
            { name: 'topicId', type: 'uuid', versions: '0+' },
            { name: 'topicName', type: 'string', versions: '0+' },
            { name: 'partitions', type: '[]int32', versions: '0+' },
          ] },
        ] },
        // Kafka 4.0 (KIP-1099): -1 unknown, 0 a classic member, 1 a consumer-protocol member.
        { name: 'memberType', type: 'int8', versions: '1+', default: -1, ignorable: true },
      ] },
      { name: 'authorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
    ] },
  ],
});

export const ConsumerGroupDescribe = api({ apiKey: 69, name: 'ConsumerGroupDescribe', request: ConsumerGroupDescribeRequest, response: ConsumerGroupDescribeResponse });
