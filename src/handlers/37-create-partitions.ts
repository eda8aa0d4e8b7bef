/**
 * CreatePartitions (key 37): raise a topic's partition count.
 *
 * Versions: 0-3.
 *
 * Behavior:
 * - `count` is the new total. New partitions get empty logs at once; existing ones are untouched.
 *   Clients see the new partitions at their next Metadata request.
 * - Assignments, when given, must list exactly one replica list per new partition, each naming only
 *   this broker (one replica, like every existing partition).
 * - validate_only checks everything and changes nothing.
 * - More than 10,000 new partitions in one request fail it whole with 44 POLICY_VIOLATION
 *   (src/topics/request-limit.ts); beyond `max.broker.partitions` a topic gets 44 (src/topics/manager.ts).
 * - Errors per topic: 3 UNKNOWN_TOPIC_OR_PARTITION, 37 INVALID_PARTITIONS (not an increase),
 *   39 INVALID_REPLICA_ASSIGNMENT, 42 INVALID_REQUEST for a topic named twice (answered once) or
 *   an internal topic (src/topics/internal-guard.ts), 56 KAFKA_STORAGE_ERROR when the disk refuses.
 * - ACLs: ALTER on the topic, else 29 TOPIC_AUTHORIZATION_FAILED.
 *
 * Version notes:
 * - v1: like v0 (throttling after the response).  v2: flexible.  v3: like v2.
 */
import { CreatePartitions } from '../../protocol/messages/37-create-partitions.js';
import { ErrorCode, isKafkaError, KafkaError } from '../../protocol/errors.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';
import { internalTopicRefusal } from '../topics/internal-guard.js';
import { requireTopic } from '../topics/lookup.js';
import { MAX_RECORDS_PER_REQUEST, tooLargeRequest } from '../topics/request-limit.js';
import { checkReplicas } from './19-create-topics.js';

type Result = Response<typeof CreatePartitions>['results'][number];

export default defineHandler({
  api: CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx): Promise<Response<typeof CreatePartitions>> {
    const { topics, node, authorizer } = ctx.services;
    const mayAlter = authorizeEach(authorizer, ctx, AclOperation.ALTER, 'TOPIC');
    const count = new Map<string, number>();
    for (const t of req.topics) count.set(t.name, (count.get(t.name) ?? 0) + 1);
    let adding = 0;
    for (const t of req.topics) adding += Math.max(0, t.count - (topics.get(t.name)?.partitions ?? t.count));
    if (adding > MAX_RECORDS_PER_REQUEST) {
      const { errorCode, message } = tooLargeRequest();
      return { throttleTimeMs: 0, results: [...new Set(req.topics.map((t) => t.name))].map((name) => ({ name, errorCode, errorMessage: message })) };
    }
    const results: Result[] = [];
    const answered = new Set<string>();
    for (const t of req.topics) {
      if (answered.has(t.name)) continue; // a repeated name is answered once, as Kafka does
      answered.add(t.name);
      try {
        if (count.get(t.name)! > 1) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
        if (!mayAlter(t.name)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'The topic authorization is failed.');
        const topic = requireTopic(topics, { name: t.name });
        const internal = internalTopicRefusal(t.name, 'createPartitions');
        if (internal) throw internal;
        const current = topic.partitions;
        if (t.count === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
        if (t.count < current) {
          throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `The topic ${t.name} currently has ${current} partition(s); ${t.count} would not be an increase.`);
        }
        if (t.assignments !== null) {
          const adding = t.count - current;
          if (t.assignments.length !== adding) {
            throw new KafkaError(
              ErrorCode.INVALID_REPLICA_ASSIGNMENT,
              `Attempted to add ${adding} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
            );
          }
          for (const { brokerIds } of t.assignments) checkReplicas(node.nodeId, brokerIds);
        }
        if (req.validateOnly) topics.checkPartitionLimit(t.count - current);
        else await topics.createPartitions(t.name, t.count);
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        if (!isKafkaError(err)) throw err;
        results.push({ name: t.name, errorCode: err.errorCode, errorMessage: err.message });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});
