// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const AlterUserScramCredentialsRequest = message({
  name: 'AlterUserScramCredentialsRequest', type: 'request', apiKey: 51, validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'deletions', type: '[]', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'mechanism', type: 'int8', versions: '0+' },
    ] },
    { name: 'upsertions', type: '[]', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'mechanism', type: 'int8', versions: '0+' },
      { name: 'iterations', type: 'int32', versions: '0+' },
      { name: 'salt', type: 'bytes', versions: '0+' },
      { name: 'saltedPassword', type: 'bytes', versions: '0+' },
    ] },
  ],
});

export const AlterUserScramCredentialsResponse = message({
  name: 'AlterUserScramCredentialsResponse', type: 'response', apiKey: 51, validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]', versions: '0+', fields: [
      { name: 'user', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    ] },
  ],
});

export const AlterUserScramCredentials = api({ apiKey: 51, name: 'AlterUserScramCredentials', request: AlterUserScramCredentialsRequest, response: AlterUserScramCredentialsResponse });
