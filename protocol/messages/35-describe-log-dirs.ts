// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { api, message } from '../schema.js';

export const DescribeLogDirsRequest = message({
  name: 'DescribeLogDirsRequest', type: 'request', apiKey: 35, validVersions: '0-5', flexibleVersions: '2+',
  fields: [
    { name: 'topics', type: '[]', versions: '0+', nullableVersions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]int32', versions: '0+' },
    ] },
  ],
});

export const DescribeLogDirsResponse = message({
  name: 'DescribeLogDirsResponse', type: 'response', apiKey: 35, validVersions: '0-5', flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '3+', ignorable: true },
    { name: 'results', type: '[]', versions: '0+', fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'logDir', type: 'string', versions: '0+' },
      { name: 'topics', type: '[]', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'partitionSize', type: 'int64', versions: '0+' },
          { name: 'offsetLag', type: 'int64', versions: '0+' },
          { name: 'isFutureKey', type: 'bool', versions: '0+' },
        ] },
      ] },
      { name: 'totalBytes', type: 'int64', versions: '4+', default: -1n, ignorable: true },
      { name: 'usableBytes', type: 'int64', versions: '4+', default: -1n, ignorable: true },
      { name: 'isCordoned', type: 'bool', versions: '5+', default: false, ignorable: true },
    ] },
  ],
});

export const DescribeLogDirs = api({ apiKey: 35, name: 'DescribeLogDirs', request: DescribeLogDirsRequest, response: DescribeLogDirsResponse });
