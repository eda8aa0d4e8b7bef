// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const DescribeProducersRequest = message({
  name: 'DescribeProducersRequest', type: 'request', apiKey: 61, validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'topics', type: '[]', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
    ] },
  ],
});

export const DescribeProducersResponse = message({
  name: 'DescribeProducersResponse', type: 'response', apiKey: 61, validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'topics', type: '[]', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'activeProducers', type: '[]', versions: '0+', fields: [
          { name: 'producerId', type: 'int64', versions: '0+' },
          { name: 'producerEpoch', type: 'int32', versions: '0+' },
          { name: 'lastSequence', type: 'int32', versions: '0+', default: -1 },
          { name: 'lastTimestamp', type: 'int64', versions: '0+', default: -1n },
          { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
          { name: 'currentTxnStartOffset', type: 'int64', versions: '0+', default: -1n },
        ] },
      ] },
    ] },
  ],
});

export const DescribeProducers = api({ apiKey: 61, name: 'DescribeProducers', request: DescribeProducersRequest, response: DescribeProducersResponse });
