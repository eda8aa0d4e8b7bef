/**
 * DeleteRecords (key 21): move partitions' log start offsets forward, making older records
 * unreadable at once and deleting the segments wholly below the new start.
 *
 * Versions: 0-2.
 *
 * Behavior:
 * - offset -1 means the high watermark (delete everything written so far).
 * - low_watermark in the answer is the new log start offset; an offset below the current start
 *   changes nothing and answers the current start.
 * - Consumers asking for an offset below the new start get 1 OFFSET_OUT_OF_RANGE and reset;
 *   ListOffsets "earliest" answers the new start. The start offset is checkpointed, so it survives
 *   restarts (src/log/log-manager.ts).
 * - Errors per partition (low_watermark -1): 29 TOPIC_AUTHORIZATION_FAILED without DELETE on the
 *   topic (checked first), 3 UNKNOWN_TOPIC_OR_PARTITION, 1 OFFSET_OUT_OF_RANGE
 *   for an offset above the high watermark or below -1, 44 POLICY_VIOLATION for a topic whose
 *   cleanup.policy lacks "delete" (Kafka refuses to delete records of a compacted-only topic),
 *   17 INVALID_TOPIC_EXCEPTION for an internal topic, as Kafka.
 * - timeout_ms is not needed: there are no followers to wait for.
 *
 * Version notes:
 * - v1: like v0 (throttling after the response).  v2: flexible.
 */
import { DeleteRecords } from '../../protocol/messages/21-delete-records.js';
import { ErrorCode, isKafkaError, KafkaError } from '../../protocol/errors.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';
import type { BrokerServices } from '../services.js';
import { effectiveTopicConfig } from '../config/describe.js';
import { internalTopicRefusal } from '../topics/internal-guard.js';

type Partition = Response<typeof DeleteRecords>['topics'][number]['partitions'][number];

async function deleteBefore({ config, topics }: BrokerServices, topicName: string, partitionIndex: number, offset: bigint): Promise<Partition> {
  try {
    const internal = internalTopicRefusal(topicName, 'deleteRecords');
    if (internal) throw internal;
    const topic = topics.get(topicName);
    const log = topic && topics.partitionLog(topicName, partitionIndex);
    if (!topic || !log) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (!effectiveTopicConfig(config, topic.configs, 'cleanup.policy').split(',').includes('delete')) {
      throw new KafkaError(ErrorCode.POLICY_VIOLATION, `Records of partition ${topicName}-${partitionIndex} can not be deleted due to the configured policy`);
    }
    if (offset < -1n) throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE);
    return { partitionIndex, lowWatermark: await log.deleteRecordsBefore(offset), errorCode: ErrorCode.NONE };
  } catch (err) {
    if (!isKafkaError(err)) throw err;
    return { partitionIndex, lowWatermark: -1n, errorCode: err.errorCode };
  }
}

export default defineHandler({
  api: DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx): Promise<Response<typeof DeleteRecords>> {
    // ACLs: DELETE on the topic, checked before its existence.
    const mayDelete = authorizeEach(ctx.services.authorizer, ctx, AclOperation.DELETE, 'TOPIC');
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(t.partitions.map((p) => (mayDelete(t.name)
          ? deleteBefore(ctx.services, t.name, p.partitionIndex, p.offset)
          : { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }))),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});
