// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const DeleteRecordsRequest = message({
  name: 'DeleteRecordsRequest', type: 'request', apiKey: 21, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'topics', type: '[]', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'offset', type: 'int64', versions: '0+' },
      ] },
    ] },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
});

export const DeleteRecordsResponse = message({
  name: 'DeleteRecordsResponse', type: 'response', apiKey: 21, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'topics', type: '[]', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'lowWatermark', type: 'int64', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
  ],
});

export const DeleteRecords = api({ apiKey: 21, name: 'DeleteRecords', request: DeleteRecordsRequest, response: DeleteRecordsResponse });
