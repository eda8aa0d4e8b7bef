// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const ElectLeadersRequest = message({
  name: 'ElectLeadersRequest', type: 'request', apiKey: 43, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'electionType', type: 'int8', versions: '1+' },
    { name: 'topicPartitions', type: '[]', versions: '0+', nullableVersions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]int32', versions: '0+' },
    ] },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
  ],
});

export const ElectLeadersResponse = message({
  name: 'ElectLeadersResponse', type: 'response', apiKey: 43, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '1+' },
    { name: 'replicaElectionResults', type: '[]', versions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitionResult', type: '[]', versions: '0+', fields: [
        { name: 'partitionId', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
  ],
});

export const ElectLeaders = api({ apiKey: 43, name: 'ElectLeaders', request: ElectLeadersRequest, response: ElectLeadersResponse });
