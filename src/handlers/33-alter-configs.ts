/**
 * AlterConfigs (key 33): replace a resource's whole set of config overrides (the legacy, non-
 * incremental form: a key left out of the request goes back to its default).
 *
 * Versions: 0-2.
 *
 * Behavior:
 * - TOPIC: the new overrides are validated against Kafka's topic config table
 *   (src/topic-configs.ts), stored in the topic registry (so they survive restarts), and pushed into
 *   the partition logs at once: retention, segment size and roll time, max.message.bytes,
 *   message.timestamp.type and the flush settings take effect without a restart.
 * - BROKER: Tafka has no dynamic broker configs; any key is refused as read-only (42).
 * - validate_only validates and stores nothing.
 * - Errors per resource: 3 UNKNOWN_TOPIC_OR_PARTITION, 17 INVALID_TOPIC_EXCEPTION, 40 INVALID_CONFIG
 *   (unknown name or bad value, naming the key), 42 INVALID_REQUEST (resource named twice, duplicate
 *   keys, another broker's id, read-only broker config, unsupported resource type).
 *
 * Version notes:
 * - v1: like v0 (throttling after the response).  v2: flexible.
 */
import { AlterConfigs } from '../../protocol/messages/33-alter-configs.js';
import { ErrorCode, isKafkaError, KafkaError } from '../../protocol/errors.js';
import { alterResource, duplicateResources } from '../config-resource.js';
import { defineHandler, type Response } from '../server/handler.js';

type Result = Response<typeof AlterConfigs>['responses'][number];

export default defineHandler({
  api: AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx): Promise<Response<typeof AlterConfigs>> {
    const dups = duplicateResources(req.resources);
    const responses: Result[] = [];
    for (const r of req.resources) {
      const result: Result = { errorCode: ErrorCode.NONE, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
      try {
        if (dups.has(`${r.resourceType}:${r.resourceName}`)) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.');
        const keys = r.configs.map((c) => c.name);
        await alterResource(ctx.broker, r.resourceType, r.resourceName, keys, () => Object.fromEntries(r.configs.map((c) => [c.name, c.value])), req.validateOnly);
      } catch (err) {
        if (!isKafkaError(err)) throw err;
        result.errorCode = err.errorCode;
        result.errorMessage = err.message;
      }
      responses.push(result);
    }
    return { throttleTimeMs: 0, responses };
  },
});
