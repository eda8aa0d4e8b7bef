/**
 * InitProducerId (key 22): gives an idempotent producer its producer id and epoch.
 *
 * Versions: 0-6, advertised from 0 because librdkafka enables idempotence only when InitProducerId
 * v0 is supported (its IdempotentProducer feature flag). KafkaJS sends v1 (to the controller, which
 * is this broker), librdkafka v4, @platformatic/kafka v5.
 *
 * Behavior:
 * - No transactional id (idempotence): a fresh producer id from ProducerIdManager, epoch 0. Like
 *   Kafka's coordinator, the expected producer id and epoch of v3+ are not checked: a producer that
 *   asks again (librdkafka after a fatal sequence error, KIP-360) simply gets a new id. Producers
 *   that bump their epoch themselves (the Java client) need nothing from the broker: the log accepts
 *   a higher epoch starting at sequence 0.
 * - v3+ with exactly one of producer id / epoch set: 42 INVALID_REQUEST, as Kafka.
 * - ACLs: a transactional id needs WRITE on it, else 53 TRANSACTIONAL_ID_AUTHORIZATION_FAILED; without
 *   one, IDEMPOTENT_WRITE on the cluster or WRITE on at least one topic (KIP-679), else 31
 *   CLUSTER_AUTHORIZATION_FAILED.
 * - A transactional id: the transaction coordinator (src/txn/coordinator.ts) gives the id its
 *   producer id and the next epoch, which fences every older instance of the producer; an open
 *   transaction of an older instance is aborted first. transaction_timeout_ms must be within
 *   (0, transaction.max.timeout.ms]: else 50 INVALID_TRANSACTION_TIMEOUT. With v3+ producer id and
 *   epoch (KIP-360) a producer recovering from an error keeps its id, unless a newer instance
 *   exists: 90 PRODUCER_FENCED (47 INVALID_PRODUCER_EPOCH before v4, which lacks 90).
 * - A new block of ids that cannot be recorded (a full disk): 14 COORDINATOR_LOAD_IN_PROGRESS, what
 *   Kafka's broker answers while it has no block of ids to hand out; clients retry.
 *
 * Version notes: v2 flexible; v3 producer id/epoch for KIP-360 bumps; v4 PRODUCER_FENCED;
 * v5 TRANSACTION_ABORTABLE; v6 two-phase commit fields (KIP-939): Tafka does not do two-phase
 * commit, and answers as Kafka does with transaction.two.phase.commit.enable off.
 */
import { InitProducerId } from '../../protocol/messages/22-init-producer-id.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizeCluster } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

const failed = (errorCode: number): Response<typeof InitProducerId> => ({
  throttleTimeMs: 0,
  errorCode,
  producerId: -1n,
  producerEpoch: -1,
  ongoingTxnProducerId: -1n,
  ongoingTxnProducerEpoch: -1,
});

export default defineHandler({
  api: InitProducerId,
  minVersion: 0,
  maxVersion: 6,
  async handle(req, ctx): Promise<Response<typeof InitProducerId>> {
    const { authorizer } = ctx.services;
    if (req.transactionalId !== null) {
      if (!authorizer.authorize(ctx, AclOperation.WRITE, 'TRANSACTIONAL_ID', req.transactionalId)) return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    } else if (!authorizeCluster(authorizer, ctx, AclOperation.IDEMPOTENT_WRITE) && !authorizer.authorizeByResourceType(ctx, AclOperation.WRITE, 'TOPIC')) {
      // An idempotent producer needs IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (KIP-679).
      return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    if ((req.producerId === -1n) !== (req.producerEpoch === -1)) return failed(ErrorCode.INVALID_REQUEST);
    try {
      if (req.transactionalId !== null) {
        if (req.enable2Pc) return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        const expected = req.producerId !== -1n ? { producerId: req.producerId, producerEpoch: req.producerEpoch } : undefined;
        const r = await ctx.services.txn.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
        const errorCode = r.errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 4 ? ErrorCode.INVALID_PRODUCER_EPOCH : r.errorCode;
        return { ...failed(errorCode), producerId: r.producerId, producerEpoch: r.producerEpoch };
      }
      const producerId = await ctx.services.producerIds.generate();
      ctx.log.debug({ producerId }, 'allocated producer id');
      return { ...failed(ErrorCode.NONE), producerId, producerEpoch: 0 };
    } catch (err) {
      ctx.log.error({ err }, 'could not record a new block of producer ids');
      return failed(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    }
  },
});
