// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const AlterConfigsRequest = message({
  name: 'AlterConfigsRequest', type: 'request', apiKey: 33, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'resources', type: '[]', versions: '0+', fields: [
      { name: 'resourceType', type: 'int8', versions: '0+' },
      { name: 'resourceName', type: 'string', versions: '0+' },
      { name: 'configs', type: '[]', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
});

export const AlterConfigsResponse = message({
  name: 'AlterConfigsResponse', type: 'response', apiKey: 33, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'responses', type: '[]', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'resourceType', type: 'int8', versions: '0+' },
      { name: 'resourceName', type: 'string', versions: '0+' },
    ] },
  ],
});

export const AlterConfigs = api({ apiKey: 33, name: 'AlterConfigs', request: AlterConfigsRequest, response: AlterConfigsResponse });
