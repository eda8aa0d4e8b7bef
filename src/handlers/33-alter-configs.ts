/**
 * AlterConfigs (key 33): replace a resource's whole set of config overrides (the legacy, non-
 * incremental form: a key left out of the request goes back to its default).
 *
 * Versions: 0-2.
 *
 * Behavior:
 * - TOPIC: the new overrides are validated against Kafka's topic config table
 *   (src/config/topic-keys.ts), stored in the topic registry (so they survive restarts), and pushed
 *   into the partition logs at once: retention, segment size and roll time, max.message.bytes,
 *   message.timestamp.type and the flush settings take effect without a restart.
 * - BROKER "" (cluster-wide default) or "<node.id>": replaces that resource's dynamic broker configs
 *   (src/config/dynamic.ts) — stored in tafka-broker-configs.json, in force at once (topics without
 *   an override of their own follow new log defaults immediately), described by DescribeConfigs as
 *   DYNAMIC_DEFAULT_BROKER_CONFIG / DYNAMIC_BROKER_CONFIG.
 * - validate_only validates and stores nothing.
 * - Errors per resource: 3 UNKNOWN_TOPIC_OR_PARTITION, 17 INVALID_TOPIC_EXCEPTION, 40 INVALID_CONFIG
 *   (unknown topic config name or bad topic value, naming the key), 42 INVALID_REQUEST (resource named
 *   twice, duplicate keys, a null value, another broker's id, a broker config Kafka cannot change
 *   dynamically or a bad broker value — Kafka's messages — or an unsupported resource type).
 * - ACLs: ALTER_CONFIGS on the topic (else 29) or, for a BROKER resource, on the cluster (else 31).
 *
 * Version notes:
 * - v1: like v0 (throttling after the response).  v2: flexible.
 */
import { AlterConfigs } from '../../protocol/messages/33-alter-configs.js';
import { AclOperation } from '../auth/authorizer.js';
import { alterResources, configsAuthorizationError } from '../config-resource.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx): Promise<Response<typeof AlterConfigs>> {
    const responses = await alterResources(
      ctx.services, req.resources, req.validateOnly,
      (r) => Object.fromEntries(r.configs.map((c) => [c.name, c.value])),
      (r) => r.configs.filter((c) => c.value === null).map((c) => c.name),
      (r) => configsAuthorizationError(ctx.services.authorizer, ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName),
    );
    return { throttleTimeMs: 0, responses };
  },
});
