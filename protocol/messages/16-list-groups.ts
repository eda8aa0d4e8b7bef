// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const ListGroupsRequest = message({
  name: 'ListGroupsRequest', type: 'request', apiKey: 16, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    { name: 'statesFilter', type: '[]string', versions: '4+' },
    { name: 'typesFilter', type: '[]string', versions: '5+' },
  ],
});

export const ListGroupsResponse = message({
  name: 'ListGroupsResponse', type: 'response', apiKey: 16, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'groups', type: '[]', versions: '0+', fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'protocolType', type: 'string', versions: '0+' },
      { name: 'groupState', type: 'string', versions: '4+', ignorable: true },
      { name: 'groupType', type: 'string', versions: '5+', ignorable: true },
    ] },
  ],
});

export const ListGroups = api({ apiKey: 16, name: 'ListGroups', request: ListGroupsRequest, response: ListGroupsResponse });
