/**
 * OffsetDelete (key 47): deletes a group's committed offsets for some partitions (KIP-496).
 *
 * Versions: 0.
 *
 * Behavior:
 * - Allowed for an Empty group, and for a consumer group's topics that no member subscribes to.
 *   A subscribed topic's partitions get 86 GROUP_SUBSCRIBED_TO_TOPIC.
 * - Top-level errors: 69 GROUP_ID_NOT_FOUND, 68 NON_EMPTY_GROUP (members of a non-consumer
 *   protocol, whose subscriptions cannot be read), 24 INVALID_GROUP_ID, 14 while loading.
 * - Per partition: 3 UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist.
 * - Tombstones are written before the answer.
 * - ACLs: DELETE on the group, else 30 GROUP_AUTHORIZATION_FAILED (top level); READ on each topic,
 *   else 29 TOPIC_AUTHORIZATION_FAILED for its partitions.
 */
import { OffsetDelete } from '../../protocol/messages/47-offset-delete.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx): Promise<Response<typeof OffsetDelete>> {
    const { topics, groups, authorizer } = ctx.services;
    if (!authorizer.authorize(ctx, AclOperation.DELETE, 'GROUP', req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    const mayRead = authorizeEach(authorizer, ctx, AclOperation.READ, 'TOPIC');
    const exists = (topic: string, p: number) => {
      const t = topics.get(topic);
      return t !== undefined && p >= 0 && p < t.partitions;
    };
    const known = req.topics.filter((t) => mayRead(t.name))
      .map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex).filter((p) => exists(t.name, p)) }));
    const { errorCode, results } = await groups.deleteOffsets(req.groupId, known);
    if (errorCode !== ErrorCode.NONE) return { errorCode, throttleTimeMs: 0, topics: [] };
    const codeOf = (topic: string, p: number) =>
      (!mayRead(topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : undefined)
      ?? results.find((r) => r.topic === topic && r.partition === p)?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return {
      errorCode,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codeOf(t.name, p.partitionIndex) })),
      })),
    };
  },
});
