/**
 * Metadata (key 3): the brokers, the controller, and topics with their partitions and leaders.
 *
 * Versions: 0-13.
 *
 * Behavior:
 * - One broker: it is every partition's leader, its only replica and in-sync replica, and the controller.
 * - A null topic list (v1+), or an empty one at v0, means "all topics". An empty list at v1+ means none.
 * - Unknown topics are created when the request allows it (v4+ flag; always before v4) and
 *   `auto.create.topics.enable` is true, with `num.partitions` partitions. A created topic is
 *   answered at once, ready, since a single node has no leader election to wait for.
 * - Internal topics (`__consumer_offsets`, once a group has used it) are listed among all topics,
 *   flagged is_internal, as Kafka lists them. Asked for by name with auto-creation allowed,
 *   `__consumer_offsets` is created by the group coordinator and `__transaction_state` by the
 *   transaction coordinator (their partitions and configs), as Kafka's AutoTopicCreationManager does;
 *   an internal topic is flagged is_internal in errors too.
 * - Authorization (ACLs): a topic the principal may not DESCRIBE is left out of "all topics" and
 *   answered 29 TOPIC_AUTHORIZATION_FAILED when named — whether it exists or not, so its existence is
 *   not disclosed (asked for by id: 29 with the id and no name). Auto-creation needs CREATE on the
 *   cluster or on the topic, else 29.
 * - The broker is advertised at the address of the listener the request came in on.
 * - Errors: 17 INVALID_TOPIC_EXCEPTION for an illegal name, 3 UNKNOWN_TOPIC_OR_PARTITION for an
 *   unknown topic that is not created, 100 UNKNOWN_TOPIC_ID for an unknown topic id (v10+).
 *
 * Version notes:
 * - v1: rack, controller id, is_internal; null = all topics.  v2: cluster id.  v3: throttle time.
 * - v4: allow_auto_topic_creation.  v5: offline replicas.  v7: leader epoch.
 * - v8: authorized operations (KIP-430): when asked, each topic's (v8+) and the cluster's (v8-10)
 *   as bit fields of AclOperation codes, from the authorizer (everything Kafka supports on the
 *   resource without an authorizer); Integer.MIN_VALUE when not asked or refused.
 * - v9: flexible.  v10: topic ids.  v12: topics may be asked for by id alone (name null); a null
 *   name before v12 closes the connection, as Kafka's request parser does.
 * - v13: top-level error code.
 */
import { Metadata } from '../../protocol/messages/03-metadata.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { AclOperation, authorizeCluster, authorizedOperations, authorizeEach, clusterAuthorizedOperations, OPERATIONS_NOT_REQUESTED } from '../auth/authorizer.js';
import { LEADER_EPOCH } from '../leader-epoch.js';
import { defineHandler, type Response } from '../server/handler.js';
import type { BrokerServices } from '../services.js';
import { findTopic } from '../topics/lookup.js';
import { CONSUMER_OFFSETS_TOPIC, isInternalTopic, TRANSACTION_STATE_TOPIC } from '../topics/internal.js';
import { invalidTopicName, type TopicInfo } from '../topics/registry.js';

type TopicResult = Response<typeof Metadata>['topics'][number];

function describeTopic(nodeId: number, t: TopicInfo): TopicResult {
  const partitions = [];
  for (let i = 0; i < t.partitions; i++) {
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: i,
      leaderId: nodeId,
      leaderEpoch: LEADER_EPOCH,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    });
  }
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.id,
    isInternal: t.internal,
    partitions,
    topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

const topicError = (errorCode: number, name: string | null, topicId = ZERO_UUID): TopicResult => ({
  errorCode,
  name,
  topicId,
  isInternal: name !== null && isInternalTopic(name),
  partitions: [],
  topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
});

async function lookup(
  { topics, groups, txn }: BrokerServices, nodeId: number, name: string, allowCreate: boolean, mayCreate: (topic: string) => boolean,
): Promise<TopicResult> {
  const existing = topics.get(name);
  if (existing) return describeTopic(nodeId, existing);
  if (invalidTopicName(name)) return topicError(ErrorCode.INVALID_TOPIC_EXCEPTION, name);
  if (!allowCreate) return topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name);
  if (!mayCreate(name)) return topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name);
  try {
    // An internal topic is created by its coordinator, with its own partitions and configs, as Kafka's
    // AutoTopicCreationManager does.
    if (name === CONSUMER_OFFSETS_TOPIC) await groups.prepare();
    else if (name === TRANSACTION_STATE_TOPIC) {
      if ((await txn.findCoordinatorError()) !== ErrorCode.NONE) return topicError(ErrorCode.LEADER_NOT_AVAILABLE, name);
    } else if (isInternalTopic(name)) return topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name);
    const created = topics.get(name) ?? (await topics.autoCreate(name));
    return describeTopic(nodeId, created);
  } catch (err) {
    if (err instanceof KafkaError) return topicError(err.errorCode, name);
    throw err;
  }
}

export default defineHandler({
  api: Metadata,
  minVersion: 0,
  maxVersion: 13,
  async handle(req, ctx): Promise<Response<typeof Metadata> | null> {
    const { apiVersion } = ctx;
    const { config, topics, node } = ctx.services;
    if (apiVersion < 12 && req.topics?.some((t) => t.name === null)) {
      // v10-11 carry topic ids but may not ask by id alone; Kafka refuses such a request at parse time.
      ctx.closeConnection(`Metadata v${apiVersion} does not support null topic names`);
      return null;
    }
    const allowCreate = (apiVersion < 4 || req.allowAutoTopicCreation) && config.get('auto.create.topics.enable');
    const all = req.topics === null || (apiVersion === 0 && req.topics.length === 0);
    const { authorizer } = ctx.services;
    const mayDescribe = authorizeEach(authorizer, ctx, AclOperation.DESCRIBE, 'TOPIC');
    // Auto-creation needs CREATE on the cluster, or on the topic itself.
    const mayCreateAny = authorizeCluster(authorizer, ctx, AclOperation.CREATE);
    const mayCreateTopic = authorizeEach(authorizer, ctx, AclOperation.CREATE, 'TOPIC');
    const mayCreate = (topic: string) => mayCreateAny || mayCreateTopic(topic);
    let results: TopicResult[];
    /** Entries the client may see the details of (others are 29, and get no authorized operations). */
    const described = new Set<TopicResult>();
    const describe = (t: TopicResult) => {
      if (t.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED) described.add(t);
      return t;
    };
    if (all) {
      // Topics the client may not describe are left out, as if they did not exist.
      results = topics.list().filter((t) => mayDescribe(t.name)).map((t) => describe(describeTopic(node.nodeId, t)));
    } else {
      results = await Promise.all(
        req.topics!.map(async (wanted) => {
          if (wanted.name === null) {
            const byId = findTopic(topics, { id: wanted.topicId });
            if (!byId.topic) return topicError(byId.errorCode, null, wanted.topicId);
            // Topic ids are not secret: a topic asked for by id is refused without its name.
            if (!mayDescribe(byId.topic.name)) return topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null, wanted.topicId);
            return describe(describeTopic(node.nodeId, byId.topic));
          }
          // Existence is not disclosed to a client that may not describe the topic.
          if (!mayDescribe(wanted.name)) return { ...topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, wanted.name), isInternal: false };
          return describe(await lookup(ctx.services, node.nodeId, wanted.name, allowCreate, mayCreate));
        }),
      );
    }
    if (apiVersion >= 8 && req.includeTopicAuthorizedOperations) {
      // Topics named in the request get theirs even when they do not exist, as in Kafka; unknown ids do not.
      for (const t of described) if (t.name !== null) t.topicAuthorizedOperations = authorizedOperations(authorizer, ctx, 'TOPIC', t.name);
    }
    const { host, port } = node.advertisedFor(ctx.listenerName);
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: node.nodeId, host, port, rack: node.rack }],
      clusterId: node.clusterId,
      controllerId: node.nodeId,
      topics: results,
      clusterAuthorizedOperations: apiVersion >= 8 && apiVersion <= 10 && req.includeClusterAuthorizedOperations
        ? clusterAuthorizedOperations(authorizer, ctx)
        : OPERATIONS_NOT_REQUESTED,
      errorCode: ErrorCode.NONE,
    };
  },
});
