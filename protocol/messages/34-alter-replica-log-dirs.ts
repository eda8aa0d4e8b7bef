// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const AlterReplicaLogDirsRequest = message({
  name: 'AlterReplicaLogDirsRequest', type: 'request', apiKey: 34, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'dirs', type: '[]', versions: '0+', fields: [
      { name: 'path', type: 'string', versions: '0+' },
      { name: 'topics', type: '[]', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ] },
    ] },
  ],
});

export const AlterReplicaLogDirsResponse = message({
  name: 'AlterReplicaLogDirsResponse', type: 'response', apiKey: 34, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]', versions: '0+', fields: [
      { name: 'topicName', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
  ],
});

export const AlterReplicaLogDirs = api({ apiKey: 34, name: 'AlterReplicaLogDirs', request: AlterReplicaLogDirsRequest, response: AlterReplicaLogDirsResponse });
