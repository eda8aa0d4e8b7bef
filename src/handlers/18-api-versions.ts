/**
 * ApiVersions (key 18): which APIs and versions this broker serves.
 *
 * Versions: 0-4.
 *
 * Behavior:
 * - The list is built from the handler registry, never maintained by hand: a broker can only
 *   advertise what it handles.
 * - A version above 4 never reaches this handler: dispatch.ts answers it with a v0 body and error 35
 *   (UNSUPPORTED_VERSION), as Kafka does, so the client retries with a version we know.
 * - v3+: the client's software name and version must match Kafka's pattern, else 42 INVALID_REQUEST.
 *
 * Version notes:
 * - v1: throttle_time_ms.  v3: flexible; client software name/version; tagged feature lists.
 * - The response header is always v0, even for flexible versions (see dispatch.ts).
 */
import { ApiVersions } from '../../protocol/messages/18-api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type Response } from '../server/handler.js';

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export default defineHandler({
  api: ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx): Response<typeof ApiVersions> {
    const valid = ctx.apiVersion < 3 || (SOFTWARE.test(req.clientSoftwareName) && SOFTWARE.test(req.clientSoftwareVersion));
    return {
      errorCode: valid ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST,
      apiKeys: valid ? ctx.apis.advertised() : [],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  },
});
