/**
 * DescribeTransactions (key 65): the state of transactional ids, as `kafka-transactions.sh
 * describe` shows it: state, timeout, start time, producer id and epoch, and the partitions of
 * the open transaction.
 *
 * Versions: 0.
 *
 * Behavior: per id, 105 TRANSACTIONAL_ID_NOT_FOUND for an unknown (or expiring) id, 42
 * INVALID_REQUEST for an empty one, 14/15 while the coordinator is not ready.
 */
import { DescribeTransactions } from '../../protocol/messages/65-describe-transactions.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx): Promise<Response<typeof DescribeTransactions>> {
    const transactionStates = await Promise.all(
      req.transactionalIds.map(async (id) => {
        const d = await ctx.services.txn.describe(id);
        return {
          errorCode: d.errorCode,
          transactionalId: d.transactionalId,
          transactionState: d.state,
          transactionTimeoutMs: d.timeoutMs,
          transactionStartTimeMs: d.startTimeMs,
          producerId: d.producerId,
          producerEpoch: d.producerEpoch,
          topics: d.topics,
        };
      }),
    );
    return { throttleTimeMs: 0, transactionStates };
  },
});
