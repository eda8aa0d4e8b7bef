// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const UpdateFeaturesRequest = message({
  name: 'UpdateFeaturesRequest', type: 'request', apiKey: 57, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    { name: 'featureUpdates', type: '[]', versions: '0+', fields: [
      { name: 'feature', type: 'string', versions: '0+' },
      { name: 'maxVersionLevel', type: 'int16', versions: '0+' },
      { name: 'allowDowngrade', type: 'bool', versions: '0' },
      { name: 'upgradeType', type: 'int8', versions: '1+', default: 1 },
    ] },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
  ],
});

export const UpdateFeaturesResponse = message({
  name: 'UpdateFeaturesResponse', type: 'response', apiKey: 57, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'results', type: '[]', versions: '0-1', ignorable: true, fields: [
      { name: 'feature', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    ] },
  ],
});

export const UpdateFeatures = api({ apiKey: 57, name: 'UpdateFeatures', request: UpdateFeaturesRequest, response: UpdateFeaturesResponse });
