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
 * - Authorization (Kafka's KafkaApis): v0-3 come from clients and need WRITE on the transactional
 *   id (else 53 TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition) and WRITE on each topic:
 *   29 TOPIC_AUTHORIZATION_FAILED for a topic without it, and always for an internal topic, whose
 *   coordinator alone writes it. v4+ comes from brokers and needs CLUSTER_ACTION on the cluster,
 *   else the top-level error is 31 CLUSTER_AUTHORIZATION_FAILED and no transaction is answered.
 * - A partition refused (29) or of an unknown topic (3 UNKNOWN_TOPIC_OR_PARTITION): 55
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
import { AclOperation, authorizeCluster, authorizeEach } from '../auth/authorizer.js';
import { isInternalTopic } from '../topics/internal.js';
import { defineHandler, type RequestContext, type Response } from '../server/handler.js';

type TopicResult = { name: string; resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[] };
type TopicsIn = readonly { name: string; partitions: readonly number[] }[];

/**
 * One transaction's answer, per topic and partition. `mayWriteTopic` is the client's topic check
 * (v0-3); a broker's batched request (v4+) was authorized as a whole.
 */
async function handleTransaction(
  ctx: RequestContext, transactionalId: string, producerId: bigint, producerEpoch: number, topics: TopicsIn, verifyOnly: boolean,
  mayWriteTopic: (topic: string) => boolean,
): Promise<TopicResult[]> {
  const { txn, topics: topicService } = ctx.services;
  const flat = topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  // Per partition: why it cannot be added, or NONE. Refusal comes before existence, as for Produce.
  const refusals = flat.map(({ topic, partition }) => {
    if (!mayWriteTopic(topic)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    const info = topicService.get(topic);
    return info !== undefined && partition >= 0 && partition < info.partitions ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  });
  let codes: number[];
  if (refusals.some((code) => code !== ErrorCode.NONE)) {
    codes = refusals.map((code) => (code === ErrorCode.NONE ? ErrorCode.OPERATION_NOT_ATTEMPTED : code));
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
  return perPartition(topics, codes);
}

/** The answer's shape: `codes` in the request's partition order. */
function perPartition(topics: TopicsIn, codes: readonly number[]): TopicResult[] {
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
    const { authorizer } = ctx.services;
    if (ctx.apiVersion >= 4) {
      if (!authorizeCluster(authorizer, ctx, AclOperation.CLUSTER_ACTION)) {
        const errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
        return { throttleTimeMs: 0, errorCode, resultsByTransaction: [], resultsByTopicV3AndBelow: [] };
      }
      const resultsByTransaction = await Promise.all(
        req.transactions.map(async (t) => ({
          transactionalId: t.transactionalId,
          topicResults: await handleTransaction(ctx, t.transactionalId, t.producerId, t.producerEpoch, t.topics, t.verifyOnly, () => true),
        })),
      );
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction, resultsByTopicV3AndBelow: [] };
    }
    const { v3AndBelowTransactionalId: transactionalId, v3AndBelowTopics: topics } = req;
    let results: TopicResult[];
    if (!authorizer.authorize(ctx, AclOperation.WRITE, 'TRANSACTIONAL_ID', transactionalId)) {
      const codes = topics.flatMap((t) => t.partitions.map(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
      results = perPartition(topics, codes);
    } else {
      const mayWrite = authorizeEach(authorizer, ctx, AclOperation.WRITE, 'TOPIC');
      const mayWriteTopic = (topic: string) => !isInternalTopic(topic) && mayWrite(topic);
      results = await handleTransaction(ctx, transactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, topics, false, mayWriteTopic);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: results };
  },
});
