// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const DescribeClientQuotasRequest = message({
  name: 'DescribeClientQuotasRequest', type: 'request', apiKey: 48, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    { name: 'components', type: '[]', versions: '0+', fields: [
      { name: 'entityType', type: 'string', versions: '0+' },
      { name: 'matchType', type: 'int8', versions: '0+' },
      { name: 'match', type: 'string', versions: '0+', nullableVersions: '0+' },
    ] },
    { name: 'strict', type: 'bool', versions: '0+' },
  ],
});

export const DescribeClientQuotasResponse = message({
  name: 'DescribeClientQuotasResponse', type: 'response', apiKey: 48, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'entries', type: '[]', versions: '0+', nullableVersions: '0+', fields: [
      { name: 'entity', type: '[]', versions: '0+', fields: [
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
      { name: 'values', type: '[]', versions: '0+', fields: [
        { name: 'key', type: 'string', versions: '0+' },
        { name: 'value', type: 'float64', versions: '0+' },
      ] },
    ] },
  ],
});

export const DescribeClientQuotas = api({ apiKey: 48, name: 'DescribeClientQuotas', request: DescribeClientQuotasRequest, response: DescribeClientQuotasResponse });
