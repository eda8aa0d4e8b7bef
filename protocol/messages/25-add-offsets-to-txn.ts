// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const AddOffsetsToTxnRequest = message({
  name: 'AddOffsetsToTxnRequest', type: 'request', apiKey: 25, validVersions: '0-4', flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
});

export const AddOffsetsToTxnResponse = message({
  name: 'AddOffsetsToTxnResponse', type: 'response', apiKey: 25, validVersions: '0-4', flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});

export const AddOffsetsToTxn = api({ apiKey: 25, name: 'AddOffsetsToTxn', request: AddOffsetsToTxnRequest, response: AddOffsetsToTxnResponse });
