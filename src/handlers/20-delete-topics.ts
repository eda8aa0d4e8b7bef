/**
 * DeleteTopics (key 20): delete topics, by name or (v6) by topic id.
 *
 * Versions: 0-6, as Kafka 3.9 served v0 (Kafka 4.0 removed it).
 *
 * Behavior:
 * - A deleted topic is gone from the registry first, then its partition directories are removed
 *   (see src/topics/manager.ts), so a request racing the deletion finds either the whole topic or
 *   none of it: producers and consumers get 3 UNKNOWN_TOPIC_OR_PARTITION (100 UNKNOWN_TOPIC_ID by id).
 * - Errors per topic: 3 UNKNOWN_TOPIC_OR_PARTITION (by name), 100 UNKNOWN_TOPIC_ID (by id),
 *   42 INVALID_REQUEST for a topic named twice, for both a name and an id, or for neither, and
 *   for an internal topic (src/topics/internal-guard.ts);
 *   73 TOPIC_DELETION_DISABLED when delete.topic.enable is false (42 before v3, as in Kafka).
 * - ACLs: DELETE on the topic, else 29 TOPIC_AUTHORIZATION_FAILED; asked for by id, a topic the
 *   principal may not DESCRIBE is 29 with no name, so the id does not reveal it.
 * - timeout_ms is not needed: the topic is deleted before the answer.
 *
 * Version notes:
 * - v1: throttle time.  v4: flexible.  v5: error message.  v6: topics by name or id; the
 *   response carries both.
 */
import { DeleteTopics } from '../../protocol/messages/20-delete-topics.js';
import { ErrorCode, isKafkaError, KafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { AclOperation, AUTHORIZATION_FAILED_MESSAGE, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';
import { internalTopicRefusal } from '../topics/internal-guard.js';
import { findTopic, requireTopic } from '../topics/lookup.js';

type Result = Response<typeof DeleteTopics>['responses'][number];

export default defineHandler({
  api: DeleteTopics,
  minVersion: 1,
  legacyMinVersion: 0,
  maxVersion: 6,
  async handle(req, ctx): Promise<Response<typeof DeleteTopics>> {
    const { apiVersion } = ctx;
    const { config, topics, authorizer } = ctx.services;
    const mayDescribe = authorizeEach(authorizer, ctx, AclOperation.DESCRIBE, 'TOPIC');
    const mayDelete = authorizeEach(authorizer, ctx, AclOperation.DELETE, 'TOPIC');
    const wanted = apiVersion >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const keyOf = (t: { name: string | null; topicId: string }) => t.name ?? t.topicId;
    const seen = new Map<string, number>();
    for (const t of wanted) seen.set(keyOf(t), (seen.get(keyOf(t)) ?? 0) + 1);

    const responses: Result[] = [];
    const answered = new Set<string>();
    for (const t of wanted) {
      if (answered.has(keyOf(t))) continue; // a repeated topic is answered once, as Kafka does
      answered.add(keyOf(t));
      const result = { name: t.name, topicId: t.topicId, errorCode: ErrorCode.NONE as number, errorMessage: null as string | null };
      try {
        if (seen.get(keyOf(t))! > 1) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, t.name !== null ? 'Duplicate topic name.' : 'Duplicate topic id.');
        }
        if (t.name !== null && t.topicId !== ZERO_UUID) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.');
        if (t.name === null && t.topicId === ZERO_UUID) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
        if (!config.get('delete.topic.enable')) {
          throw new KafkaError(apiVersion < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
        }
        // By id, a topic the principal may not DESCRIBE keeps its name secret (the id is not).
        const byId = t.name === null ? findTopic(topics, { id: t.topicId }).topic : undefined;
        if (byId && !mayDescribe(byId.name)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, AUTHORIZATION_FAILED_MESSAGE.TOPIC);
        const name = t.name ?? byId?.name;
        if (name !== undefined && !mayDelete(name)) {
          result.name = name;
          throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, AUTHORIZATION_FAILED_MESSAGE.TOPIC);
        }
        const topic = requireTopic(topics, t.name !== null ? { name: t.name } : { id: t.topicId });
        result.name = topic.name;
        result.topicId = topic.id;
        const internal = internalTopicRefusal(topic.name, 'delete');
        if (internal) throw internal;
        await topics.delete(topic.name);
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
