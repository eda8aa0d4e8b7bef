// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const IncrementalAlterConfigsRequest = message({
  name: 'IncrementalAlterConfigsRequest', type: 'request', apiKey: 44, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    { name: 'resources', type: '[]', versions: '0+', fields: [
      { name: 'resourceType', type: 'int8', versions: '0+' },
      { name: 'resourceName', type: 'string', versions: '0+' },
      { name: 'configs', type: '[]', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'configOperation', type: 'int8', versions: '0+' },
        { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
});

export const IncrementalAlterConfigsResponse = message({
  name: 'IncrementalAlterConfigsResponse', type: 'response', apiKey: 44, validVersions: '0-1', flexibleVersions: '1+',
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

export const IncrementalAlterConfigs = api({ apiKey: 44, name: 'IncrementalAlterConfigs', request: IncrementalAlterConfigsRequest, response: IncrementalAlterConfigsResponse });
