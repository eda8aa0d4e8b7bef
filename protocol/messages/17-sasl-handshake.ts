// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const SaslHandshakeRequest = message({
  name: 'SaslHandshakeRequest', type: 'request', apiKey: 17, validVersions: '0-1', flexibleVersions: 'none',
  fields: [
    { name: 'mechanism', type: 'string', versions: '0+' },
  ],
});

export const SaslHandshakeResponse = message({
  name: 'SaslHandshakeResponse', type: 'response', apiKey: 17, validVersions: '0-1', flexibleVersions: 'none',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: '[]string', versions: '0+' },
  ],
});

export const SaslHandshake = api({ apiKey: 17, name: 'SaslHandshake', request: SaslHandshakeRequest, response: SaslHandshakeResponse });
