/**
 * DescribeTransactions (key 65): the state of transactional ids, as `kafka-transactions.sh
 * describe` shows it: state, timeout, start time, producer id and epoch, and the partitions of
 * the open transaction.
 *
 * Versions: 0.
 *
 * Behavior: per id, 53 TRANSACTIONAL_ID_AUTHORIZATION_FAILED without DESCRIBE on it (its other
 * fields left at their defaults), 105 TRANSACTIONAL_ID_NOT_FOUND for an unknown (or expiring) id,
 * 42 INVALID_REQUEST for an empty one, 14/15 while the coordinator is not ready. The partitions of
 * topics the principal may not DESCRIBE are left out of the answer (as Kafka).
 */
import { DescribeTransactions } from '../../protocol/messages/65-describe-transactions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx): Promise<Response<typeof DescribeTransactions>> {
    const { txn, authorizer } = ctx.services;
    const mayDescribeId = authorizeEach(authorizer, ctx, AclOperation.DESCRIBE, 'TRANSACTIONAL_ID');
    const mayDescribeTopic = authorizeEach(authorizer, ctx, AclOperation.DESCRIBE, 'TOPIC');
    const transactionStates = await Promise.all(
      req.transactionalIds.map(async (id) => {
        if (!mayDescribeId(id)) {
          return {
            errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transactionalId: id, transactionState: '',
            transactionTimeoutMs: 0, transactionStartTimeMs: 0n, producerId: 0n, producerEpoch: 0, topics: [],
          };
        }
        const d = await txn.describe(id);
        return {
          errorCode: d.errorCode,
          transactionalId: d.transactionalId,
          transactionState: d.state,
          transactionTimeoutMs: d.timeoutMs,
          transactionStartTimeMs: d.startTimeMs,
          producerId: d.producerId,
          producerEpoch: d.producerEpoch,
          topics: d.topics.filter((t) => mayDescribeTopic(t.topic)),
        };
      }),
    );
    return { throttleTimeMs: 0, transactionStates };
  },
});
