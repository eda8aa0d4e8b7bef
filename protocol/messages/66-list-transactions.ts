// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const ListTransactionsRequest = message({
  name: 'ListTransactionsRequest', type: 'request', apiKey: 66, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    { name: 'stateFilters', type: '[]string', versions: '0+' },
    { name: 'producerIdFilters', type: '[]int64', versions: '0+' },
    { name: 'durationFilter', type: 'int64', versions: '1+', default: -1n },
    { name: 'transactionalIdPattern', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
  ],
});

export const ListTransactionsResponse = message({
  name: 'ListTransactionsResponse', type: 'response', apiKey: 66, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'unknownStateFilters', type: '[]string', versions: '0+' },
    { name: 'transactionStates', type: '[]', versions: '0+', fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'transactionState', type: 'string', versions: '0+' },
    ] },
  ],
});

export const ListTransactions = api({ apiKey: 66, name: 'ListTransactions', request: ListTransactionsRequest, response: ListTransactionsResponse });
