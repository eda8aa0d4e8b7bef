/**
 * DescribeProducers (key 61): the idempotent producers a partition tracks, as `kafka-transactions.sh
 * describe-producers` shows them.
 *
 * Versions: 0 (the only one).
 *
 * Behavior:
 * - Per partition: every producer in the log's producer state (src/log/producer-state.ts), with its
 *   epoch, the last sequence and max timestamp of its last batch, the coordinator epoch of its
 *   last transaction marker, and the first offset of its open transaction (-1 when none): what
 *   `kafka-transactions.sh find-hanging` looks at.
 * - Unknown topic or partition: 3 UNKNOWN_TOPIC_OR_PARTITION for that partition.
 * - ACLs: READ on the topic, else 29 TOPIC_AUTHORIZATION_FAILED (checked first).
 */
import { DescribeProducers } from '../../protocol/messages/61-describe-producers.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx): Response<typeof DescribeProducers> {
    const { topics, authorizer } = ctx.services;
    const mayRead = authorizeEach(authorizer, ctx, AclOperation.READ, 'TOPIC');
    return {
      throttleTimeMs: 0,
      topics: req.topics.map(({ name, partitionIndexes }) => ({
        name,
        partitions: partitionIndexes.map((partitionIndex) => {
          if (!mayRead(name)) return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] };
          const log = topics.partitionLog(name, partitionIndex);
          if (!log) {
            return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
          }
          return {
            partitionIndex,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            activeProducers: log.activeProducers().map((p) => ({
              producerId: p.producerId,
              producerEpoch: p.epoch,
              lastSequence: p.batches.at(-1)?.lastSeq ?? -1,
              lastTimestamp: BigInt(p.lastTimestamp),
              coordinatorEpoch: p.coordinatorEpoch,
              currentTxnStartOffset: p.currentTxnFirstOffset,
            })),
          };
        }),
      })),
    };
  },
});
