/**
 * Every API this broker serves: one module per API key. ApiVersions is built from this list.
 */
import type { Handler } from '../server/handler.js';
import metadata from './03-metadata.js';
import apiVersions from './18-api-versions.js';
import createTopics from './19-create-topics.js';
import describeConfigs from './32-describe-configs.js';
import describeCluster from './60-describe-cluster.js';

export const HANDLERS: readonly Handler<any>[] = [
  metadata,
  apiVersions,
  createTopics,
  describeConfigs,
  describeCluster,
];
