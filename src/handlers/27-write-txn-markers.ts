/**
 * WriteTxnMarkers (key 27): write COMMIT or ABORT markers to partitions. Kafka's transaction
 * coordinators send it to partition leaders; on one node the coordinator writes its markers
 * directly, through the same path (src/txn/markers.ts), so this API is what an operator or a test
 * uses to write a marker by hand (Kafka restricts it to brokers with the CLUSTER_ACTION ACL).
 *
 * Versions: 1-2 (Kafka 4.x's floor is 1).
 *
 * Behavior, per partition: 0 once the marker is written; 3 UNKNOWN_TOPIC_OR_PARTITION; 47
 * INVALID_PRODUCER_EPOCH for an epoch older than the partition's; 52
 * TRANSACTION_COORDINATOR_FENCED for an older coordinator epoch; 56 KAFKA_STORAGE_ERROR. A marker
 * for a producer with no open transaction in the partition is written and completes nothing.
 *
 * Version notes: v1 flexible; v2 transaction version (KIP-890), accepted and not needed here.
 */
import { WriteTxnMarkers } from '../../protocol/messages/27-write-txn-markers.js';
import { defineHandler, type Response } from '../server/handler.js';

export default defineHandler({
  api: WriteTxnMarkers,
  minVersion: 1,
  maxVersion: 2,
  async handle(req, ctx): Promise<Response<typeof WriteTxnMarkers>> {
    const { txn } = ctx.services;
    const markers = await Promise.all(
      req.markers.map(async (m) => {
        const marker = { producerId: m.producerId, producerEpoch: m.producerEpoch, coordinatorEpoch: m.coordinatorEpoch, commit: m.transactionResult };
        const topics = await Promise.all(
          m.topics.map(async (t) => ({
            name: t.name,
            partitions: await Promise.all(
              t.partitionIndexes.map(async (partitionIndex) => ({ partitionIndex, errorCode: await txn.writeMarker(t.name, partitionIndex, marker) })),
            ),
          })),
        );
        return { producerId: m.producerId, topics };
      }),
    );
    return { markers };
  },
});
