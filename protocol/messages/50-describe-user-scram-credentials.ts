// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const DescribeUserScramCredentialsRequest = message({
  name: 'DescribeUserScramCredentialsRequest', type: 'request', apiKey: 50, validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'users', type: '[]', versions: '0+', nullableVersions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
    ] },
  ],
});

export const DescribeUserScramCredentialsResponse = message({
  name: 'DescribeUserScramCredentialsResponse', type: 'response', apiKey: 50, validVersions: '0', flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'results', type: '[]', versions: '0+', fields: [
      { name: 'user', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'credentialInfos', type: '[]', versions: '0+', fields: [
        { name: 'mechanism', type: 'int8', versions: '0+' },
        { name: 'iterations', type: 'int32', versions: '0+' },
      ] },
    ] },
  ],
});

export const DescribeUserScramCredentials = api({ apiKey: 50, name: 'DescribeUserScramCredentials', request: DescribeUserScramCredentialsRequest, response: DescribeUserScramCredentialsResponse });
