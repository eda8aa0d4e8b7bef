// Written from Apache Kafka's message specs (facts only): ConsumerProtocolSubscription.json and
// ConsumerProtocolAssignment.json. Not APIs: the bytes a classic consumer group's members put in
// JoinGroup's protocol metadata and SyncGroup's assignments, each prefixed by an int16 version.

import { message } from '../schema.js';

export const ConsumerProtocolSubscription = message({
  name: 'ConsumerProtocolSubscription', type: 'data', validVersions: '0-3', flexibleVersions: 'none',
  fields: [
    { name: 'topics', type: '[]string', versions: '0+' },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'ownedPartitions', type: '[]', versions: '1+', ignorable: true, fields: [
      { name: 'topic', type: 'string', versions: '1+' },
      { name: 'partitions', type: '[]int32', versions: '1+' },
    ] },
    { name: 'generationId', type: 'int32', versions: '2+', default: -1, ignorable: true },
    { name: 'rackId', type: 'string', versions: '3+', nullableVersions: '3+', default: null, ignorable: true },
  ],
});

export const ConsumerProtocolAssignment = message({
  name: 'ConsumerProtocolAssignment', type: 'data', validVersions: '0-3', flexibleVersions: 'none',
  fields: [
    { name: 'assignedPartitions', type: '[]', versions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]int32', versions: '0+' },
    ] },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
  ],
});
