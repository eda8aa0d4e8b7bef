// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const SaslAuthenticateRequest = message({
  name: 'SaslAuthenticateRequest', type: 'request', apiKey: 36, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'authBytes', type: 'bytes', versions: '0+' },
  ],
});

export const SaslAuthenticateResponse = message({
  name: 'SaslAuthenticateResponse', type: 'response', apiKey: 36, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0n, ignorable: true },
  ],
});

export const SaslAuthenticate = api({ apiKey: 36, name: 'SaslAuthenticate', request: SaslAuthenticateRequest, response: SaslAuthenticateResponse });
