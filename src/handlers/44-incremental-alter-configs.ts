/**
 * IncrementalAlterConfigs (key 44): change single config keys of a resource, leaving the rest.
 *
 * Versions: 0-1.
 *
 * Behavior:
 * - Operations per key: SET (0) a value, DELETE (1) the override (back to the broker default),
 *   APPEND (2) / SUBTRACT (3) items of a LIST config (cleanup.policy, the throttled-replica lists),
 *   starting from the value in force when the topic has no override.
 * - The resulting configs go through the same validation, storage and live effect as AlterConfigs
 *   (src/config-resource.ts): a topic's logs act on the change at once; a BROKER resource's dynamic
 *   configs are in force at once.
 * - BROKER resources follow Kafka's ConfigAdminManager: APPEND/SUBTRACT start from the resource's
 *   dynamic value, else the key's default, and need a LIST key.
 * - Errors per resource: 40 INVALID_CONFIG (unknown topic config name, bad topic value, APPEND/SUBTRACT
 *   on a non-list config), 42 INVALID_REQUEST (unknown operation, duplicate keys or resources, a null
 *   value for SET/APPEND/SUBTRACT, a broker config that is not dynamic or a bad broker value),
 *   3 / 17 for topics, as AlterConfigs.
 * - ACLs: ALTER_CONFIGS on the topic (else 29) or, for a BROKER resource, on the cluster (else 31).
 *
 * Version notes:
 * - v1: flexible.
 */
import { IncrementalAlterConfigs } from '../../protocol/messages/44-incremental-alter-configs.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { AclOperation } from '../auth/authorizer.js';
import { alterResources, configsAuthorizationError, ConfigResourceType } from '../config-resource.js';
import { brokerKey } from '../config/broker-keys.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { defineHandler, type Request, type Response } from '../server/handler.js';
import { effectiveTopicConfig } from '../config/describe.js';
import { topicKey } from '../config/topic-keys.js';

type Op = Request<typeof IncrementalAlterConfigs>['resources'][number]['configs'][number];

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

const items = (list: string) => (list === '' ? [] : list.split(',').map((s) => s.trim()));

/**
 * APPEND/SUBTRACT on a BROKER resource (Kafka's ConfigAdminManager.prepareIncrementalConfigs): the
 * list starts from the resource's dynamic value, else the key's default.
 */
function brokerListOp(op: Op, next: Record<string, string | null>): string {
  const def = brokerKey(op.name);
  const verb = op.configOperation === APPEND ? 'append' : 'subtract';
  if (!def) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${op.name}`);
  if (def.type !== 'LIST') throw new KafkaError(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${op.name}`);
  const base = items(next[op.name] ?? def.default ?? '');
  const given = items(op.value ?? '');
  return (op.configOperation === APPEND ? [...base, ...given.filter((v) => !base.includes(v))] : base.filter((v) => !given.includes(v))).join(',');
}

/** Applies the operations to a copy of the resource's configs (a topic's overrides, or a broker resource's dynamic configs). */
function applyOps(config: BrokerConfig, resourceType: number, ops: readonly Op[], current: Readonly<Record<string, string>>): Record<string, string | null> {
  const next: Record<string, string | null> = { ...current };
  for (const op of ops) {
    switch (op.configOperation) {
      case SET:
        next[op.name] = op.value;
        break;
      case DELETE:
        delete next[op.name];
        break;
      case APPEND:
      case SUBTRACT: {
        if (resourceType === ConfigResourceType.BROKER) {
          next[op.name] = brokerListOp(op, next);
          break;
        }
        const def = topicKey(op.name);
        if (!def) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${op.name}`);
        const verb = op.configOperation === APPEND ? 'APPEND' : 'SUBTRACT';
        if (def.type !== 'LIST') throw new KafkaError(ErrorCode.INVALID_CONFIG, `Can't ${verb} to key ${op.name} because its type is not LIST.`);
        const base = items(next[op.name] ?? effectiveTopicConfig(config, current, op.name));
        const given = items(op.value ?? '');
        const result = op.configOperation === APPEND ? [...base, ...given.filter((v) => !base.includes(v))] : base.filter((v) => !given.includes(v));
        next[op.name] = result.join(',');
        break;
      }
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown operation type ${op.configOperation}`);
    }
  }
  return next;
}

export default defineHandler({
  api: IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx): Promise<Response<typeof IncrementalAlterConfigs>> {
    const responses = await alterResources(
      ctx.services, req.resources, req.validateOnly,
      (r, current) => applyOps(ctx.services.config, r.resourceType, r.configs, current),
      (r) => r.configs.filter((c) => c.configOperation !== DELETE && c.value === null).map((c) => c.name),
      (r) => configsAuthorizationError(ctx.services.authorizer, ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName),
    );
    return { throttleTimeMs: 0, responses };
  },
});
