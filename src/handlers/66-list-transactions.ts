/**
 * ListTransactions (key 66): the transactional ids the coordinator knows, as `kafka-transactions.sh
 * list` shows them, optionally filtered.
 *
 * Versions: 0-2.
 *
 * Behavior: filters combine: state names (Kafka's, e.g. "Ongoing"; unknown ones are listed back in
 * unknown_state_filters), producer ids, v1 duration (transactions open longer than that many ms),
 * v2 a transactional id pattern (a regular expression; an invalid one is 42 INVALID_REQUEST).
 * 14 while the coordinator loads. Before the first transactional request there are none.
 */
import { ListTransactions } from '../../protocol/messages/66-list-transactions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: ListTransactions,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx): Response<typeof ListTransactions> {
    const empty = { throttleTimeMs: 0, unknownStateFilters: [], transactionStates: [] };
    let idPattern: RegExp | null = null;
    if (req.transactionalIdPattern !== null && req.transactionalIdPattern !== '') {
      try {
        idPattern = new RegExp(`^(?:${req.transactionalIdPattern})$`);
      } catch {
        return { ...empty, errorCode: ErrorCode.INVALID_REQUEST };
      }
    }
    const r = ctx.services.txn.list({
      states: req.stateFilters, producerIds: req.producerIdFilters, minDurationMs: Number(req.durationFilter), idPattern,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      unknownStateFilters: r.unknownStates,
      transactionStates: r.transactions.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
    };
  },
});
