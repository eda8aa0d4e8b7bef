// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const AlterClientQuotasRequest = message({
  name: 'AlterClientQuotasRequest', type: 'request', apiKey: 49, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    { name: 'entries', type: '[]', versions: '0+', fields: [
      { name: 'entity', type: '[]', versions: '0+', fields: [
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
      { name: 'ops', type: '[]', versions: '0+', fields: [
        { name: 'key', type: 'string', versions: '0+' },
        { name: 'value', type: 'float64', versions: '0+' },
        { name: 'remove', type: 'bool', versions: '0+' },
      ] },
    ] },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
});

export const AlterClientQuotasResponse = message({
  name: 'AlterClientQuotasResponse', type: 'response', apiKey: 49, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'entries', type: '[]', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'entity', type: '[]', versions: '0+', fields: [
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
  ],
});

export const AlterClientQuotas = api({ apiKey: 49, name: 'AlterClientQuotas', request: AlterClientQuotasRequest, response: AlterClientQuotasResponse });
