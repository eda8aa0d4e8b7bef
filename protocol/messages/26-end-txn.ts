// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const EndTxnRequest = message({
  name: 'EndTxnRequest', type: 'request', apiKey: 26, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
});

export const EndTxnResponse = message({
  name: 'EndTxnResponse', type: 'response', apiKey: 26, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '5+', default: -1n, ignorable: true },
    { name: 'producerEpoch', type: 'int16', versions: '5+', default: -1, ignorable: true },
  ],
});

export const EndTxn = api({ apiKey: 26, name: 'EndTxn', request: EndTxnRequest, response: EndTxnResponse });
