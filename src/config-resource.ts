/**
 * The resources the config APIs (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs) name, and
 * what they share: Kafka's ConfigResource.Type ids, how a topic or broker resource name is
 * resolved, and how a change to a resource is validated and applied.
 */
import { ErrorCode, isKafkaError, KafkaError } from '../protocol/errors.js';
import { AUTHORIZATION_FAILED_MESSAGE, CLUSTER_NAME, type Authorizer, type Requester, type ResourceType } from './auth/authorizer.js';
import type { DynamicScope } from './config/broker-config.js';
import type { BrokerServices } from './services.js';
import { normalizeTopicConfigs } from './config/topic-values.js';
import { requireTopic, type TopicDirectory } from './topics/lookup.js';
import { invalidTopicName, type TopicInfo } from './topics/registry.js';

export const ConfigResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

/**
 * The ACL check of the config APIs (Kafka's ConfigHelper and configsAuthorizationApiError): a TOPIC
 * or GROUP resource is checked on itself, a BROKER or BROKER_LOGGER on the cluster; a refusal is 29,
 * 30 or 31. Undefined when allowed (or for a resource type the API refuses anyway).
 */
export function configsAuthorizationError(
  authorizer: Authorizer, requester: Requester, operation: number, resourceType: number, resourceName: string,
): KafkaError | undefined {
  const on: Partial<Record<number, [Exclude<ResourceType, 'TRANSACTIONAL_ID' | 'DELEGATION_TOKEN' | 'USER'>, string, number]>> = {
    [ConfigResourceType.TOPIC]: ['TOPIC', resourceName, ErrorCode.TOPIC_AUTHORIZATION_FAILED],
    [ConfigResourceType.GROUP]: ['GROUP', resourceName, ErrorCode.GROUP_AUTHORIZATION_FAILED],
    [ConfigResourceType.BROKER]: ['CLUSTER', CLUSTER_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED],
    [ConfigResourceType.BROKER_LOGGER]: ['CLUSTER', CLUSTER_NAME, ErrorCode.CLUSTER_AUTHORIZATION_FAILED],
  };
  const target = on[resourceType];
  if (!target || authorizer.authorize(requester, operation, target[0], target[1])) return undefined;
  return new KafkaError(target[2], AUTHORIZATION_FAILED_MESSAGE[target[0]]);
}

/** The topic a TOPIC resource names; 17 for an illegal name, 3 when there is no such topic. */
export function topicResource(topics: TopicDirectory, name: string): TopicInfo {
  const bad = invalidTopicName(name);
  if (bad) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
  return requireTopic(topics, { name });
}

/** Java's Integer.parseInt: an optional sign and digits, within int32; null where Java throws. */
function javaInt(text: string): number | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= -2147483648 && n <= 2147483647 ? n : null;
}

/**
 * A BROKER resource is this broker's id, or "" for the cluster-wide dynamic defaults; any other
 * name is 42 INVALID_REQUEST, with the messages of Kafka's DescribeConfigs (ConfigHelper).
 */
export function brokerResource(nodeId: number, name: string): DynamicScope {
  if (name === '') return 'cluster-default';
  const id = javaInt(name);
  if (id === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
  if (id !== nodeId) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} or empty string, but received ${name}`);
  }
  return 'this-broker';
}

/** The same for the alter APIs, with their own messages (Kafka's ConfigAdminManager). */
export function alterBrokerResource(nodeId: number, name: string): DynamicScope {
  if (name === '') return 'cluster-default';
  const id = javaInt(name);
  if (id === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${name}`);
  if (id !== nodeId) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId}, but received ${name}`);
  return 'this-broker';
}

/**
 * The part AlterConfigs and IncrementalAlterConfigs share: resolve the resource, let `change` turn
 * its current configs into the new set, validate it, and store it (unless validate_only) so it takes
 * effect at once. A TOPIC's configs are its overrides, checked against Kafka's topic config table; a
 * BROKER's are the dynamic broker configs of that resource ("" or this node's id, src/config/dynamic.ts).
 */
async function alterResource(
  services: BrokerServices,
  resourceType: number,
  resourceName: string,
  change: (current: Readonly<Record<string, string>>) => Record<string, string | null>,
  validateOnly: boolean,
): Promise<void> {
  switch (resourceType) {
    case ConfigResourceType.TOPIC: {
      const topic = topicResource(services.topics, resourceName);
      const next = normalizeTopicConfigs(Object.entries(change(topic.configs)).map(([name, value]) => ({ name, value })));
      if (!validateOnly) await services.topics.setConfigs(topic.name, next);
      return;
    }
    case ConfigResourceType.BROKER: {
      const scope = alterBrokerResource(services.node.nodeId, resourceName);
      const next = Object.entries(change(services.dynamicConfigs.current(scope))).filter((e): e is [string, string] => e[1] !== null);
      await services.dynamicConfigs.alter(scope, Object.fromEntries(next), validateOnly);
      return;
    }
    default:
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceType}`);
  }
}

export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * The loop AlterConfigs and IncrementalAlterConfigs share: each resource is altered on its own, a
 * resource named twice gets 42, and a Kafka error fails only its resource.
 */
export async function alterResources<R extends { resourceType: number; resourceName: string; configs: readonly { name: string }[] }>(
  services: BrokerServices,
  resources: readonly R[],
  validateOnly: boolean,
  change: (resource: R, current: Readonly<Record<string, string>>) => Record<string, string | null>,
  /** The names the request gives a null value where it must give one (Kafka refuses those first). */
  nullValued: (resource: R) => string[],
  /** The ACL refusal of a resource, if any (configsAuthorizationError with ALTER_CONFIGS). */
  refused: (resource: R) => KafkaError | undefined,
): Promise<AlterResult[]> {
  const dups = duplicateResources(resources);
  const results: AlterResult[] = [];
  for (const r of resources) {
    const result: AlterResult = { errorCode: ErrorCode.NONE, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
    try {
      if (dups.has(`${r.resourceType}:${r.resourceName}`)) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.');
      const refusal = refused(r);
      if (refusal) throw refusal;
      const keys = r.configs.map((c) => c.name);
      if (new Set(keys).size !== keys.length) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
      const nulls = nullValued(r);
      if (nulls.length > 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(', ')}`);
      await alterResource(services, r.resourceType, r.resourceName, (current) => change(r, current), validateOnly);
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      result.errorCode = err.errorCode;
      result.errorMessage = err.message;
    }
    results.push(result);
  }
  return results;
}

/** Kafka's rule: one request may name a resource only once (ConfigAdminManager). */
function duplicateResources(resources: readonly { resourceType: number; resourceName: string }[]): Set<string> {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`;
    if (seen.has(key)) dups.add(key);
    seen.add(key);
  }
  return dups;
}
