// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const WriteTxnMarkersRequest = message({
  name: 'WriteTxnMarkersRequest', type: 'request', apiKey: 27, validVersions: '0-2', flexibleVersions: '1+',
  fields: [
    { name: 'markers', type: '[]', versions: '0+', fields: [
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      { name: 'transactionResult', type: 'bool', versions: '0+' },
      { name: 'topics', type: '[]', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
      ] },
      { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
      { name: 'transactionVersion', type: 'int8', versions: '2+', default: 0, ignorable: true },
    ] },
  ],
});

export const WriteTxnMarkersResponse = message({
  name: 'WriteTxnMarkersResponse', type: 'response', apiKey: 27, validVersions: '0-2', flexibleVersions: '1+',
  fields: [
    { name: 'markers', type: '[]', versions: '0+', fields: [
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'topics', type: '[]', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ] },
      ] },
    ] },
  ],
});

export const WriteTxnMarkers = api({ apiKey: 27, name: 'WriteTxnMarkers', request: WriteTxnMarkersRequest, response: WriteTxnMarkersResponse });
