/**
 * EndTxn (key 26): commit or abort the producer's transaction.
 *
 * Versions: 0-5.
 *
 * Behavior:
 * - The answer comes once the decision (PrepareCommit or PrepareAbort) is in `__transaction_state`:
 *   from then on the transaction will complete even across a crash. The COMMIT or ABORT markers
 *   are written to its partitions right after, and consumers reading read_committed see the
 *   transaction's records (or skip them) once its marker is written.
 * - Retrying a commit that completed answers 0; the other decision after one is made: 48
 *   INVALID_TXN_STATE; EndTxn with no transaction open: 48; 49 INVALID_PRODUCER_ID_MAPPING; 90
 *   PRODUCER_FENCED (47 before v2); 51 CONCURRENT_TRANSACTIONS while completing (rare here).
 * - v5 (transaction version 2, KIP-890): every commit or abort bumps the producer epoch, and the
 *   answer carries the producer id and epoch to use next.
 *
 * Version notes: v1 same as v0; v2 PRODUCER_FENCED; v3 flexible; v4 TRANSACTION_ABORTABLE;
 * v5 epoch bump per transaction, producer id and epoch in the answer.
 */
import { EndTxn } from '../../protocol/messages/26-end-txn.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: EndTxn,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx): Promise<Response<typeof EndTxn>> {
    const clientTransactionVersion = ctx.apiVersion >= 5 ? 2 : 0;
    const r = await ctx.services.txn.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed, clientTransactionVersion);
    const errorCode = r.errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : r.errorCode;
    return { throttleTimeMs: 0, errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch };
  },
});
