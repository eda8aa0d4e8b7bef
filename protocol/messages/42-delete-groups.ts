// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const DeleteGroupsRequest = message({
  name: 'DeleteGroupsRequest', type: 'request', apiKey: 42, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'groupsNames', type: '[]string', versions: '0+' },
  ],
});

export const DeleteGroupsResponse = message({
  name: 'DeleteGroupsResponse', type: 'response', apiKey: 42, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]', versions: '0+', fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ] },
  ],
});

export const DeleteGroups = api({ apiKey: 42, name: 'DeleteGroups', request: DeleteGroupsRequest, response: DeleteGroupsResponse });
