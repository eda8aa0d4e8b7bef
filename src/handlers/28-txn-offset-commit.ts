/**
 * TxnOffsetCommit (key 28): commit a consumer group's offsets inside a producer's transaction —
 * the consume-transform-produce step that makes "read, process, write, advance" one atomic unit.
 *
 * Versions: 0-5.
 *
 * Behavior:
 * - The transaction coordinator is asked first (KIP-890) whether the group's offsets partition is
 *   in the producer's transaction (AddOffsetsToTxn): else 48 INVALID_TXN_STATE (120
 *   TRANSACTION_ABORTABLE at v5, where a transaction-version-2 client adds it implicitly: Tafka
 *   adds it then); 49 INVALID_PRODUCER_ID_MAPPING; 47 INVALID_PRODUCER_EPOCH for a fenced producer.
 * - The group coordinator then writes the offsets in a transactional batch and holds them as
 *   pending: OffsetFetch returns them only once the transaction commits, and never if it aborts;
 *   OffsetFetch with require_stable answers 88 UNSTABLE_OFFSET_COMMIT for them meanwhile.
 * - Member checks (v3+: member id, generation, group instance id) as OffsetCommit's; a request
 *   without them (v0-2, KafkaJS) is accepted whatever the group's members (Kafka's rule for
 *   transactional commits). 3 UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist.
 *
 * Version notes: v1 same as v0; v2 committed leader epoch; v3 flexible, member id, generation,
 * group instance id; v4 TRANSACTION_ABORTABLE; v5 transaction version 2 (implicit AddOffsetsToTxn).
 */
import { TxnOffsetCommit } from '../../protocol/messages/28-txn-offset-commit.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx): Promise<Response<typeof TxnOffsetCommit>> {
    const { txn, groups, topics } = ctx.services;
    const answer = (code: (topic: string, partition: number) => number): Response<typeof TxnOffsetCommit> => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name, p.partitionIndex) })),
      })),
    });
    if (ctx.apiVersion >= 5) await txn.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId);
    const verified = await txn.verifyOffsetCommit(req.transactionalId, req.producerId, req.producerEpoch, req.groupId, ctx.apiVersion);
    if (verified !== ErrorCode.NONE) return answer(() => verified);
    const exists = (topic: string, partition: number) => {
      const info = topics.get(topic);
      return info !== undefined && partition >= 0 && partition < info.partitions;
    };
    const entries = req.topics.flatMap((t) =>
      t.partitions.filter((p) => exists(t.name, p.partitionIndex)).map((p) => ({
        topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata,
      })));
    const codes = await groups.commitTxnOffsets(req.groupId, {
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      generationId: req.generationId,
      entries,
    });
    const byPartition = new Map(entries.map((e, i) => [`${e.topic}\0${e.partition}`, codes[i]!]));
    return answer((topic, partition) => byPartition.get(`${topic}\0${partition}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  },
});
