/**
 * CreateTopics (key 19): create topics with a partition count, a replication factor and configs.
 *
 * Versions: 0-7, as Kafka 3.9 served v0-1 (Kafka 4.0 removed them).
 *
 * Behavior:
 * - num_partitions / replication_factor -1 mean the broker's num.partitions / default.replication.factor.
 * - A single broker holds one replica per partition: a replication factor above 1 is refused with
 *   38 INVALID_REPLICATION_FACTOR, as Kafka refuses more replicas than it has brokers.
 * - Manual assignments (num_partitions and replication_factor both -1) may name only this broker;
 *   their partition indexes must run 0..n-1.
 * - Configs are checked against Kafka's topic config table (src/config/topic-keys.ts): an unknown name or
 *   a bad value is 40 INVALID_CONFIG, naming the key; nothing is created.
 * - validate_only runs every check and answers as if created, without creating anything (the
 *   topic id is then the zero uuid: no topic was made).
 * - A request whose topics would take more than 10,000 metadata records (a topic, its partitions and
 *   its configs: src/topics/request-limit.ts) fails whole with 44 POLICY_VIOLATION, as in Kafka 4.
 *   Beyond `max.broker.partitions` a topic gets 44 too (src/topics/manager.ts).
 * - Errors per topic: 17 INVALID_TOPIC_EXCEPTION (illegal name, or it collides with an existing one
 *   once '.' and '_' are treated alike), 36 TOPIC_ALREADY_EXISTS, 37 INVALID_PARTITIONS,
 *   38 INVALID_REPLICATION_FACTOR, 39 INVALID_REPLICA_ASSIGNMENT, 40 INVALID_CONFIG, and
 *   42 INVALID_REQUEST for a name given twice in one request or an internal topic's name
 *   (src/topics/internal-guard.ts), 56 KAFKA_STORAGE_ERROR when the disk refuses (nothing is left behind).
 * - ACLs: CREATE on the cluster, or on the topic, else 29 TOPIC_AUTHORIZATION_FAILED ("Authorization
 *   failed."); a created topic's configs are shown only with DESCRIBE_CONFIGS on it, else its
 *   topic_config_error_code is 29.
 * - timeout_ms is not needed: a single node creates the topic before answering.
 *
 * Version notes:
 * - v1: validate_only; error messages.  v2: throttle time.  v4: like v3 (KIP-464 defaults, -1 allowed).  v5: flexible; the created
 *   topic's partitions, replication factor and configs.  v7: topic id.
 */
import { CreateTopics } from '../../protocol/messages/19-create-topics.js';
import { ErrorCode, isKafkaError, KafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { AclOperation, authorizeCluster, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Request, type Response } from '../server/handler.js';
import type { BrokerServices } from '../services.js';
import { describeTopicConfig } from '../config/describe.js';
import { topicConfigNames } from '../config/topic-keys.js';
import { normalizeTopicConfigs } from '../config/topic-values.js';
import { internalTopicRefusal } from '../topics/internal-guard.js';
import { collidingTopic } from '../topics/manager.js';
import { invalidTopicName } from '../topics/registry.js';
import { MAX_RECORDS_PER_REQUEST, tooLargeRequest } from '../topics/request-limit.js';

type Creatable = Request<typeof CreateTopics>['topics'][number];
type Result = Response<typeof CreateTopics>['topics'][number];

const failed = (name: string, err: KafkaError): Result => ({
  name,
  topicId: ZERO_UUID,
  errorCode: err.errorCode,
  errorMessage: err.message,
  topicConfigErrorCode: ErrorCode.NONE,
  numPartitions: -1,
  replicationFactor: -1,
  configs: [],
});

/** Checks everything CreateTopics checks; returns the partition count and normalized configs. */
function validate({ config, topics, node }: BrokerServices, t: Creatable): { partitions: number; configs: Record<string, string> } {
  const bad = invalidTopicName(t.name);
  if (bad) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
  if (topics.get(t.name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
  const internal = internalTopicRefusal(t.name, 'create');
  if (internal) throw internal;
  const collides = collidingTopic(topics.list(), t.name);
  if (collides) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${t.name}' collides with existing topic: ${collides.name}`);

  let partitions: number;
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.');
    }
    if (t.replicationFactor !== -1) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replicationFactor was not set to -1.');
    }
    const indexes = t.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
    if (indexes.some((p, i) => p !== i)) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence.');
    }
    for (const { brokerIds } of t.assignments) checkReplicas(node.nodeId, brokerIds);
    partitions = t.assignments.length;
  } else {
    partitions = t.numPartitions === -1 ? config.get('num.partitions') : t.numPartitions;
    if (partitions <= 0) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
    const replicas = t.replicationFactor === -1 ? config.get('default.replication.factor') : t.replicationFactor;
    if (replicas <= 0) {
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
    }
    if (replicas > 1) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${replicas} time(s): The target replication factor of ${replicas} cannot be reached because only 1 broker(s) are registered.`,
      );
    }
  }
  return { partitions, configs: normalizeTopicConfigs(t.configs) };
}

/** A manual replica list on a one-broker cluster can only be [this broker]. */
export function checkReplicas(nodeId: number, brokerIds: readonly number[]): void {
  if (brokerIds.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.');
  const seen = new Set<number>();
  for (const id of brokerIds) {
    if (seen.has(id)) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${id} more than once.`);
    seen.add(id);
    if (id !== nodeId) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes broker ${id}, but no broker with that ID is registered.`,
      );
    }
  }
}

/** The metadata records Kafka's controller would write for the topics that pass validation. */
function metadataRecords(services: BrokerServices, topics: Creatable[]): number {
  let records = 0;
  for (const t of topics) {
    try {
      const { partitions, configs } = validate(services, t);
      records += 1 + partitions + Object.keys(configs).length;
    } catch (err) {
      if (!isKafkaError(err)) throw err;
    }
  }
  return records;
}

async function create(services: BrokerServices, t: Creatable, validateOnly: boolean, mayDescribeConfigs: boolean): Promise<Result> {
  try {
    const { partitions, configs } = validate(services, t);
    if (validateOnly) services.topics.checkPartitionLimit(partitions);
    const topicId = validateOnly ? ZERO_UUID : (await services.topics.create(t.name, partitions, configs)).id;
    return {
      name: t.name,
      topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      // A principal that may not DESCRIBE_CONFIGS the topic is told so instead of its configs.
      topicConfigErrorCode: mayDescribeConfigs ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      numPartitions: partitions,
      replicationFactor: 1,
      configs: !mayDescribeConfigs ? [] : topicConfigNames().map((name) => {
        const c = describeTopicConfig(services.config, configs, name);
        return { name, value: c.value, readOnly: false, configSource: c.source, isSensitive: false };
      }),
    };
  } catch (err) {
    if (isKafkaError(err)) return failed(t.name, err as KafkaError);
    throw err;
  }
}

export default defineHandler({
  api: CreateTopics,
  minVersion: 2,
  legacyMinVersion: 0,
  maxVersion: 7,
  async handle(req, ctx): Promise<Response<typeof CreateTopics>> {
    const count = new Map<string, number>();
    for (const t of req.topics) count.set(t.name, (count.get(t.name) ?? 0) + 1);
    const unique = req.topics.filter((t) => count.get(t.name) === 1);
    if (metadataRecords(ctx.services, unique) > MAX_RECORDS_PER_REQUEST) {
      const refusal = tooLargeRequest();
      return { throttleTimeMs: 0, topics: [...new Set(req.topics.map((t) => t.name))].map((name) => failed(name, refusal)) };
    }
    const topics: Result[] = [];
    const answered = new Set<string>();
    // CREATE on the cluster allows any topic; else CREATE on each topic is needed.
    const { authorizer } = ctx.services;
    const mayCreateAny = authorizeCluster(authorizer, ctx, AclOperation.CREATE);
    const mayCreate = authorizeEach(authorizer, ctx, AclOperation.CREATE, 'TOPIC');
    const mayDescribeConfigs = authorizeEach(authorizer, ctx, AclOperation.DESCRIBE_CONFIGS, 'TOPIC');
    // One at a time, in request order: two topics of one request may collide with each other.
    for (const t of req.topics) {
      if (answered.has(t.name)) continue;
      answered.add(t.name);
      if (count.get(t.name)! > 1) topics.push(failed(t.name, new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.')));
      else if (!mayCreateAny && !mayCreate(t.name)) topics.push(failed(t.name, new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.')));
      else topics.push(await create(ctx.services, t, req.validateOnly, mayDescribeConfigs(t.name)));
    }
    return { throttleTimeMs: 0, topics };
  },
});
