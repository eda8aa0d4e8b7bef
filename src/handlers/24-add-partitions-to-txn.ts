/**
 * AddPartitionsToTxn (key 24): a transactional producer names the partitions it is about to write
 * to, before its first batch to each, so the coordinator knows where its markers must go.
 *
 * Versions: 0-5. Clients send v0-3 (one transaction); v4+ is the batched form Kafka's brokers send
 * (KIP-890), a list of transactions, each possibly `verify_only`: then the coordinator answers
 * whether each partition is already in the transaction (0 or 120 TRANSACTION_ABORTABLE) without
 * adding it. @platformatic/kafka sends v5 with verify_only false, as a client.
 *
 * Behavior:
 * - A partition of an unknown topic: 3 UNKNOWN_TOPIC_OR_PARTITION for it and 55
 *   OPERATION_NOT_ATTEMPTED for the others of its transaction, which is not touched (as Kafka).
 * - Otherwise one error for all partitions of the transaction: 0; 49 INVALID_PRODUCER_ID_MAPPING
 *   for an unknown id or producer id; 90 PRODUCER_FENCED for an old epoch (47 before v2); 51
 *   CONCURRENT_TRANSACTIONS while the previous transaction is still being completed (rare here:
 *   the coordinator first waits for it); 15/14 while the coordinator is not ready.
 *
 * Version notes: v1 same as v0; v2 PRODUCER_FENCED; v3 flexible; v4 batched, verify_only, top-level
 * error code; v5 TRANSACTION_ABORTABLE may be returned.
 */
import { AddPartitionsToTxn } from '../../protocol/messages/24-add-partitions-to-txn.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type RequestContext, type Response } from '../server/handler.js';

type TopicResult = { name: string; resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[] };
type TopicsIn = readonly { name: string; partitions: readonly number[] }[];

/** One transaction's answer, per topic and partition. */
async function handleTransaction(
  ctx: RequestContext, transactionalId: string, producerId: bigint, producerEpoch: number, topics: TopicsIn, verifyOnly: boolean,
): Promise<TopicResult[]> {
  const { txn, topics: topicService } = ctx.services;
  const flat = topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const known = (topic: string, partition: number) => {
    const info = topicService.get(topic);
    return info !== undefined && partition >= 0 && partition < info.partitions;
  };
  let codes: number[];
  if (flat.some((p) => !known(p.topic, p.partition))) {
    codes = flat.map((p) => (known(p.topic, p.partition) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  } else if (verifyOnly) {
    codes = (await txn.verifyPartitions(transactionalId, producerId, producerEpoch, flat)).partitionErrors;
  } else {
    const partitions = new Map<string, Set<number>>();
    for (const p of flat) {
      let set = partitions.get(p.topic);
      if (!set) partitions.set(p.topic, (set = new Set()));
      set.add(p.partition);
    }
    let code = await txn.addPartitions(transactionalId, producerId, producerEpoch, partitions);
    if (code === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) code = ErrorCode.INVALID_PRODUCER_EPOCH;
    codes = flat.map(() => code);
  }
  let i = 0;
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: codes[i++]! })),
  }));
}

export default defineHandler({
  api: AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx): Promise<Response<typeof AddPartitionsToTxn>> {
    if (ctx.apiVersion >= 4) {
      const resultsByTransaction = await Promise.all(
        req.transactions.map(async (t) => ({
          transactionalId: t.transactionalId,
          topicResults: await handleTransaction(ctx, t.transactionalId, t.producerId, t.producerEpoch, t.topics, t.verifyOnly),
        })),
      );
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction, resultsByTopicV3AndBelow: [] };
    }
    const results = await handleTransaction(
      ctx, req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, req.v3AndBelowTopics, false,
    );
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: results };
  },
});
