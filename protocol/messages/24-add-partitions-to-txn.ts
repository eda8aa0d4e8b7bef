// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const AddPartitionsToTxnRequest = message({
  name: 'AddPartitionsToTxnRequest', type: 'request', apiKey: 24, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    { name: 'transactions', type: '[]', versions: '4+', fields: [
      { name: 'transactionalId', type: 'string', versions: '4+' },
      { name: 'producerId', type: 'int64', versions: '4+' },
      { name: 'producerEpoch', type: 'int16', versions: '4+' },
      { name: 'verifyOnly', type: 'bool', versions: '4+', default: false },
      { name: 'topics', type: '[]', versions: '4+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ] },
    ] },
    { name: 'v3AndBelowTransactionalId', type: 'string', versions: '0-3' },
    { name: 'v3AndBelowProducerId', type: 'int64', versions: '0-3' },
    { name: 'v3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
    { name: 'v3AndBelowTopics', type: '[]', versions: '0-3', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]int32', versions: '0+' },
    ] },
  ],
});

export const AddPartitionsToTxnResponse = message({
  name: 'AddPartitionsToTxnResponse', type: 'response', apiKey: 24, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '4+', ignorable: true },
    { name: 'resultsByTransaction', type: '[]', versions: '4+', fields: [
      { name: 'transactionalId', type: 'string', versions: '4+' },
      { name: 'topicResults', type: '[]', versions: '4+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'resultsByPartition', type: '[]', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
        ] },
      ] },
    ] },
    { name: 'resultsByTopicV3AndBelow', type: '[]', versions: '0-3', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'resultsByPartition', type: '[]', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
  ],
});

export const AddPartitionsToTxn = api({ apiKey: 24, name: 'AddPartitionsToTxn', request: AddPartitionsToTxnRequest, response: AddPartitionsToTxnResponse });
