/**
 * Every API this broker serves: one module per API key. ApiVersions is built from this list.
 */
import type { Handler } from '../server/handler.js';
import metadata from './03-metadata.js';
import apiVersions from './18-api-versions.js';

export const HANDLERS: readonly Handler<any>[] = [
  metadata,
  apiVersions,
];
