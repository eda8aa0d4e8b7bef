// Written from Apache Kafka's message specs (facts only) by protocol/tools/import-kafka-json.mjs.

import { message } from '../schema.js';

export const ResponseHeader = message({
  name: 'ResponseHeader', type: 'header', validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    { name: 'correlationId', type: 'int32', versions: '0+' },
  ],
});
