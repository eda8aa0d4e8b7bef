// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const HeartbeatRequest = message({
  name: 'HeartbeatRequest', type: 'request', apiKey: 12, validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
});

export const HeartbeatResponse = message({
  name: 'HeartbeatResponse', type: 'response', apiKey: 12, validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});

export const Heartbeat = api({ apiKey: 12, name: 'Heartbeat', request: HeartbeatRequest, response: HeartbeatResponse });
