/**
 * Produce (key 0): append record batches to partition logs.
 *
 * Versions: 0-13, as Kafka 3.9 served v0-2. Kafka 4.x removed v0-2 (KIP-896) but still advertises
 * v0, because librdkafka enables gzip/snappy/lz4 only when Produce's range starts at 0
 * (KAFKA-18659); with `api.versions.floor=4.0` a v0-2 request closes the connection, as in Kafka 4.
 *
 * Behavior:
 * - Each partition carries exactly one v2 batch (Kafka's `ProduceRequest.validateRecords`, in
 *   src/codec/produce-records.ts): none, a second one, or magic 0/1 is 87 INVALID_RECORD; zstd before
 *   v7 is 76; partial bytes trailing the batch are dropped, as Kafka does.
 * - Batches are stored exactly as received. The log validates each batch header (length, magic 2,
 *   CRC-32C, record count) and the timestamps (`message.timestamp.*`; 32 INVALID_TIMESTAMP with
 *   record_errors, v8+), and assigns offsets by patching the base offset in place. Records are read
 *   only when the header's timestamps cannot be trusted, a bound needs them, or the topic is
 *   compacted: there a record without a key is 87 INVALID_RECORD with record_errors (v8+), as Kafka's
 *   LogValidator answers (src/log/timestamp-validation.ts, docs/03-produce-and-fetch.md).
 * - Offsets are assigned in request arrival order, before anything is awaited, so pipelined
 *   requests on one connection — and producers racing on one partition — get contiguous offsets:
 *   the handler starts every append in a synchronous first phase (`PartitionLog.startAppend`, which
 *   is synchronous by signature) and only then waits for the writes.
 * - acks: 1 and -1 answer after the append is written (and fsynced when the flush policy asks);
 *   with a single replica they are the same. acks=0 gets no response at all; if a partition failed,
 *   the connection is closed so the client refreshes its metadata, as Kafka does.
 * - Idempotent producers (batches with a producer id): the log checks epoch and sequence from the
 *   batch header in the same tick it assigns offsets (src/log/producer-state.ts). A retried batch is
 *   answered with the original offsets and not written again; 45 OUT_OF_ORDER_SEQUENCE_NUMBER for a
 *   gap, 47 INVALID_PRODUCER_EPOCH for a fenced epoch. Never 59 UNKNOWN_PRODUCER_ID: since KIP-360
 *   Kafka accepts a producer it has no state for at any sequence.
 * - v0-2 (clients older than Kafka 0.11) may send message sets, magic 0 or 1: they are converted into
 *   one record batch before the append, checked as Kafka 3.9's LogValidator checked them
 *   (src/codec/up-convert.ts); only these old clients pay for the per-message work. A message set
 *   without one whole message appends nothing and answers success with offset -1, as Kafka did.
 * - Transactional batches (KIP-890 part 1): the partition must be in the producer's open
 *   transaction, checked with the transaction coordinator in the same synchronous phase as the
 *   append (`txn.verifyProduce`): 49 INVALID_PRODUCER_ID_MAPPING for an unknown transactional id or
 *   producer, 47 for a fenced epoch, 19 NOT_ENOUGH_REPLICAS (retriable) while the transaction is
 *   being decided, 48 INVALID_TXN_STATE (120 TRANSACTION_ABORTABLE from v11) for a partition never
 *   added. A transactional id on a request with plain batches is ignored, as Kafka does.
 * - Authorization (ACLs), decided synchronously before any append starts: a topic the principal may
 *   not WRITE is 29 TOPIC_AUTHORIZATION_FAILED for each of its partitions, before its existence is
 *   looked at; transactional batches need WRITE on the request's transactional id, else every
 *   partition is 53 TRANSACTIONAL_ID_AUTHORIZATION_FAILED (also when the request has none, as in Kafka).
 * - Errors per partition (one bad partition does not fail the others): 3 UNKNOWN_TOPIC_OR_PARTITION,
 *   100 UNKNOWN_TOPIC_ID (v13), 2 CORRUPT_MESSAGE, 87 INVALID_RECORD, 76, 32, 10 MESSAGE_TOO_LARGE, 19
 *   NOT_ENOUGH_REPLICAS (acks=-1 with min.insync.replicas above 1: there is one replica), 45, 47, 49,
 *   17 INVALID_TOPIC_EXCEPTION for an internal topic (its coordinator alone writes it);
 *   for the whole request 21 INVALID_REQUIRED_ACKS.
 *
 * Version notes:
 * - v0: message sets (magic 0, or 1 from Kafka 0.10's clients).  v1: throttle time.  v2: log append time.
 * - v3: record batches v2 (magic 2), transactional id.  v5: log_start_offset.  v8: record errors and
 *   error message.  v9: flexible.  v10: current leader / node endpoints (tagged).  v13: topic ids.
 */
import { Produce } from '../../protocol/messages/00-produce.js';
import { ErrorCode, isKafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { ATTRIBUTES, CONTROL_BIT, CURRENT_MAGIC, HEADER_SIZE, MAGIC, PRODUCER_EPOCH, PRODUCER_ID, TRANSACTIONAL_BIT } from '../codec/record-batch.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { AclOperation, authorizeEach } from '../auth/authorizer.js';
import { firstBatch } from '../codec/produce-records.js';
import { startsWithRecordBatch, upConvert } from '../codec/up-convert.js';
import { effectiveTopicConfig } from '../config/describe.js';
import type { AppendTicket } from '../log/partition-log.js';
import { RecordValidationError } from '../log/timestamp-validation.js';
import { defineHandler, type Request, type RequestContext, type Response } from '../server/handler.js';
import { internalTopicRefusal } from '../topics/internal-guard.js';
import { findTopic } from '../topics/lookup.js';
import type { TopicInfo } from '../topics/registry.js';

/** A v2 data batch of a transaction (v0-2 message sets, control batches excluded: those are the log's to refuse). */
const isTransactionalBatch = (batch: Buffer): boolean =>
  batch.length >= HEADER_SIZE && batch.readInt8(MAGIC) === CURRENT_MAGIC &&
  (batch.readInt16BE(ATTRIBUTES) & (TRANSACTIONAL_BIT | CONTROL_BIT)) === TRANSACTIONAL_BIT;

const minInsyncReplicas = (config: BrokerConfig, topic: TopicInfo): number =>
  Number(topic.configs['min.insync.replicas'] ?? config.get('min.insync.replicas'));

type PartitionResponse = Response<typeof Produce>['responses'][number]['partitionResponses'][number];
/** A partition's answer: known at once (a refusal), or once its append is written. */
type Outcome = PartitionResponse | Promise<PartitionResponse>;

const result = (index: number, errorCode: number, errorMessage: string | null = null): PartitionResponse => ({
  index,
  errorCode,
  baseOffset: -1n,
  logAppendTimeMs: -1n,
  logStartOffset: -1n,
  recordErrors: [],
  errorMessage,
  currentLeader: { leaderId: -1, leaderEpoch: -1 },
});

/**
 * A KafkaError is the partition's answer; anything else fails the whole request. A refusal that
 * names records (32 INVALID_TIMESTAMP) carries them as `record_errors`, with the log start offset,
 * as Kafka's ReplicaManager answers a RecordValidationException.
 */
function errorOutcome(index: number, err: unknown, logStartOffset: bigint): Outcome {
  if (!isKafkaError(err)) return Promise.reject(err);
  const answer = result(index, err.errorCode, err.message);
  return err instanceof RecordValidationError ? { ...answer, recordErrors: err.recordErrors, logStartOffset } : answer;
}

/**
 * Produce v0-2: a record batch goes to the log as at v3+; a message set (magic 0/1) is converted into
 * one first, with the topic's settings (null: no whole message in it, nothing to append).
 */
function fromOldClient(records: Buffer, topic: TopicInfo, ctx: RequestContext): Buffer | null {
  if (startsWithRecordBatch(records)) return records;
  const setting = (name: string) => effectiveTopicConfig(ctx.services.config, topic.configs, name);
  return upConvert(records, {
    now: ctx.services.clock.now(),
    maxMessageBytes: Number(setting('max.message.bytes')),
    timestampType: setting('message.timestamp.type') as 'CreateTime' | 'LogAppendTime',
    timestampBeforeMaxMs: Number(setting('message.timestamp.before.max.ms')),
    timestampAfterMaxMs: Number(setting('message.timestamp.after.max.ms')),
    compacted: setting('cleanup.policy').split(',').includes('compact'),
  });
}

/** Whether a partition carries a transactional v2 batch (Kafka's RequestUtils.hasTransactionalRecords). */
function hasTransactionalRecords(req: Request<typeof Produce>): boolean {
  return req.topicData.some((t) => t.partitionData.some(({ records }) => Buffer.isBuffer(records) && isTransactionalBatch(records)));
}

/**
 * Phase one: checks every partition and starts its append, in request order. Not async, so nothing
 * here can await: every append of this request gets its offsets before the handler yields, and so
 * before any later request is looked at.
 */
function startAppends(req: Request<typeof Produce>, ctx: RequestContext): Outcome[][] {
  const { apiVersion } = ctx;
  const { config, topics, authorizer } = ctx.services;
  const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
  // Authorization is decided here, synchronously from memory, before any append starts.
  const mayWrite = authorizeEach(authorizer, ctx, AclOperation.WRITE, 'TOPIC');
  return req.topicData.map((topicData) => {
    const byId = apiVersion >= 13;
    const { topic, errorCode: unknownTopic } = findTopic(topics, byId ? { id: topicData.topicId } : { name: topicData.name });
    const denied = !mayWrite(byId ? (topic?.name ?? '') : topicData.name);
    const internal = topic && internalTopicRefusal(topic.name, 'produce');
    return topicData.partitionData.map(({ index, records }): Outcome => {
      if (!validAcks) return result(index, ErrorCode.INVALID_REQUIRED_ACKS);
      if (denied && (topic || !byId)) return result(index, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      if (!topic) return result(index, unknownTopic);
      if (internal) return result(index, internal.errorCode, internal.message);
      const log = topics.partitionLog(topic.name, index);
      if (!log) return result(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (records === null || !Buffer.isBuffer(records)) return result(index, ErrorCode.INVALID_RECORD, 'Produce request carries no record batch');
      const { batch, refusal } = firstBatch(records, apiVersion);
      if (refusal) return result(index, refusal.errorCode, refusal.message);
      if (isTransactionalBatch(batch)) {
        // One producer per request: the first batch names it. Synchronous, like the append below.
        const code = ctx.services.txn.verifyProduce(
          req.transactionalId, batch.readBigInt64BE(PRODUCER_ID), batch.readInt16BE(PRODUCER_EPOCH), topic.name, index, apiVersion,
        );
        if (code !== ErrorCode.NONE) return result(index, code);
      }
      if (req.acks === -1 && minInsyncReplicas(config, topic) > 1) {
        // One broker is one in-sync replica: Kafka refuses acks=all below min.insync.replicas.
        return result(index, ErrorCode.NOT_ENOUGH_REPLICAS, 'The size of the current ISR 1 is insufficient to satisfy the min.isr requirement');
      }
      let ticket: AppendTicket;
      try {
        // Produce v0-2 carry the old message formats (magic 0/1): converted to one record batch first.
        const converted = apiVersion < 3 ? fromOldClient(batch, topic, ctx) : batch;
        if (converted === null) return { ...result(index, ErrorCode.NONE), logStartOffset: log.logStartOffset };
        ticket = log.startAppend(converted);
      } catch (err) {
        return errorOutcome(index, err, log.logStartOffset);
      }
      return ticket.done.then(
        (appended): PartitionResponse => ({
          ...result(index, ErrorCode.NONE),
          baseOffset: appended.baseOffset,
          logAppendTimeMs: appended.logAppendTime,
          logStartOffset: appended.logStartOffset,
        }),
        (err) => errorOutcome(index, err, log.logStartOffset),
      );
    });
  });
}

export default defineHandler({
  api: Produce,
  minVersion: 0,
  minHandledVersion: 3,
  legacyMinVersion: 0,
  maxVersion: 13,
  async handle(req, ctx): Promise<Response<typeof Produce> | null> {
    // Transactional batches need WRITE on the request's transactional id, else the whole request is 53.
    const txnId = req.transactionalId;
    const started = hasTransactionalRecords(req) && !(txnId !== null && ctx.services.authorizer.authorize(ctx, AclOperation.WRITE, 'TRANSACTIONAL_ID', txnId))
      ? req.topicData.map((t) => t.partitionData.map((p) => result(p.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)))
      : startAppends(req, ctx);
    // Phase two: wait for the writes.
    const responses = await Promise.all(
      req.topicData.map(async (topicData, i) => ({
        name: topicData.name,
        topicId: ctx.apiVersion >= 13 ? topicData.topicId : ZERO_UUID,
        partitionResponses: await Promise.all(started[i]),
      })),
    );
    if (req.acks === 0) {
      const failed = responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
      if (failed) ctx.closeConnection('acks=0 produce failed');
      return null;
    }
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
  },
});
