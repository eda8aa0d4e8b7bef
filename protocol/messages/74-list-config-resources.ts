// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const ListConfigResourcesRequest = message({
  name: 'ListConfigResourcesRequest', type: 'request', apiKey: 74, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    { name: 'resourceTypes', type: '[]int8', versions: '1+' },
  ],
});

export const ListConfigResourcesResponse = message({
  name: 'ListConfigResourcesResponse', type: 'response', apiKey: 74, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'configResources', type: '[]', versions: '0+', fields: [
      { name: 'resourceName', type: 'string', versions: '0+' },
      { name: 'resourceType', type: 'int8', versions: '1+', default: 16, ignorable: true },
    ] },
  ],
});

export const ListConfigResources = api({ apiKey: 74, name: 'ListConfigResources', request: ListConfigResourcesRequest, response: ListConfigResourcesResponse });
