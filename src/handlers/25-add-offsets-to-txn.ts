/**
 * AddOffsetsToTxn (key 25): a transactional producer is about to commit a consumer group's offsets
 * inside its transaction (KafkaJS `sendOffsets`, librdkafka `send_offsets_to_transaction`). The
 * group's `__consumer_offsets` partition joins the transaction, so the transaction's marker also
 * lands there and decides the offsets TxnOffsetCommit (28) will write.
 *
 * Versions: 0-4.
 *
 * Behavior: the errors of AddPartitionsToTxn for that one partition: 49 INVALID_PRODUCER_ID_MAPPING,
 * 90 PRODUCER_FENCED (47 before v2), 51 CONCURRENT_TRANSACTIONS, 15/14 while the coordinator is
 * not ready.
 *
 * Version notes: v1 same as v0; v2 PRODUCER_FENCED; v3 flexible; v4 TRANSACTION_ABORTABLE may be returned.
 */
import { AddOffsetsToTxn } from '../../protocol/messages/25-add-offsets-to-txn.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: AddOffsetsToTxn,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx): Promise<Response<typeof AddOffsetsToTxn>> {
    let errorCode = await ctx.services.txn.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId);
    if (errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode };
  },
});
