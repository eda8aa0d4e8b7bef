// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const InitProducerIdRequest = message({
  name: 'InitProducerIdRequest', type: 'request', apiKey: 22, validVersions: '0-6', flexibleVersions: '2+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
    { name: 'enable2Pc', type: 'bool', versions: '6+', default: false },
    { name: 'keepPreparedTxn', type: 'bool', versions: '6+', default: false },
  ],
});

export const InitProducerIdResponse = message({
  name: 'InitProducerIdResponse', type: 'response', apiKey: 22, validVersions: '0-6', flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'ongoingTxnProducerId', type: 'int64', versions: '6+', default: -1n },
    { name: 'ongoingTxnProducerEpoch', type: 'int16', versions: '6+', default: -1 },
  ],
});

export const InitProducerId = api({ apiKey: 22, name: 'InitProducerId', request: InitProducerIdRequest, response: InitProducerIdResponse });
