// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const DescribeQuorumRequest = message({
  name: 'DescribeQuorumRequest', type: 'request', apiKey: 55, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    { name: 'topics', type: '[]', versions: '0+', fields: [
      { name: 'topicName', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
      ] },
    ] },
  ],
});

export const DescribeQuorumResponse = message({
  name: 'DescribeQuorumResponse', type: 'response', apiKey: 55, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '2+', nullableVersions: '2+', ignorable: true },
    { name: 'topics', type: '[]', versions: '0+', fields: [
      { name: 'topicName', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '2+', nullableVersions: '2+', ignorable: true },
        { name: 'leaderId', type: 'int32', versions: '0+' },
        { name: 'leaderEpoch', type: 'int32', versions: '0+' },
        { name: 'highWatermark', type: 'int64', versions: '0+' },
        { name: 'currentVoters', type: '[]', versions: '0+', fields: [
          { name: 'replicaId', type: 'int32', versions: '0+' },
          { name: 'replicaDirectoryId', type: 'uuid', versions: '2+' },
          { name: 'logEndOffset', type: 'int64', versions: '0+' },
          { name: 'lastFetchTimestamp', type: 'int64', versions: '1+', default: -1n, ignorable: true },
          { name: 'lastCaughtUpTimestamp', type: 'int64', versions: '1+', default: -1n, ignorable: true },
        ] },
        { name: 'observers', type: '[]', versions: '0+', fields: [
          { name: 'replicaId', type: 'int32', versions: '0+' },
          { name: 'replicaDirectoryId', type: 'uuid', versions: '2+' },
          { name: 'logEndOffset', type: 'int64', versions: '0+' },
          { name: 'lastFetchTimestamp', type: 'int64', versions: '1+', default: -1n, ignorable: true },
          { name: 'lastCaughtUpTimestamp', type: 'int64', versions: '1+', default: -1n, ignorable: true },
        ] },
      ] },
    ] },
    { name: 'nodes', type: '[]', versions: '2+', fields: [
      { name: 'nodeId', type: 'int32', versions: '2+' },
      { name: 'listeners', type: '[]', versions: '2+', fields: [
        { name: 'name', type: 'string', versions: '2+' },
        { name: 'host', type: 'string', versions: '2+' },
        { name: 'port', type: 'uint16', versions: '2+' },
      ] },
    ] },
  ],
});

export const DescribeQuorum = api({ apiKey: 55, name: 'DescribeQuorum', request: DescribeQuorumRequest, response: DescribeQuorumResponse });
