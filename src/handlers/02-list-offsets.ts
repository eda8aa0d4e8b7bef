/**
 * ListOffsets (key 2): offsets by time — the earliest, the latest, or the first at or after a timestamp.
 *
 * Versions: 0-11, as Kafka 3.9 served v0 (Kafka 4.x's floor is 1). v0 is a different question —
 * offsets at segment boundaries — answered in 02-list-offsets-old-versions.ts.
 *
 * Behavior, by the timestamp asked for:
 * - -1 (latest): the high watermark, or the last stable offset under read_committed — the same here,
 *   with no transactions.
 * - -2 (earliest) and -4 (earliest local, KIP-1005): the log start offset.
 * - -3 (max timestamp, KIP-734): the offset of the batch with the largest timestamp, and that timestamp.
 * - -5 (earliest pending upload, tiered storage): no such offset here, so -1.
 * - t >= 0: the first offset whose batch's max timestamp is >= t, found through the time index;
 *   -1/-1 when every batch is older.
 * - Errors per partition: 3 UNKNOWN_TOPIC_OR_PARTITION; 74/75 for a stale or future leader epoch.
 *
 * Version notes:
 * - v1: one offset per partition (v0's list is gone).  v2: isolation level, throttle time.
 * - v4: leader epochs.  v6: flexible.  v7: -3.  v8: -4.  v9: -5.  v10: timeout.  v11: no change on the wire.
 */
import { ListOffsets } from '../../protocol/messages/02-list-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type Response } from '../server/handler.js';
import type { PartitionLog } from '../log/partition-log.js';
import { LEADER_EPOCH, leaderEpochError } from '../leader-epoch.js';
import { listOffsetsV0 } from './02-list-offsets-old-versions.js';

type PartitionResult = Response<typeof ListOffsets>['topics'][number]['partitions'][number];

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;

async function lookup(log: PartitionLog, timestamp: bigint): Promise<{ offset: bigint; timestamp: bigint }> {
  if (timestamp === LATEST) return { offset: log.highWatermark, timestamp: -1n };
  if (timestamp === EARLIEST || timestamp === EARLIEST_LOCAL) return { offset: log.logStartOffset, timestamp: -1n };
  if (timestamp === MAX_TIMESTAMP) return log.maxTimestampOffset();
  if (timestamp < 0n) return { offset: -1n, timestamp: -1n };
  return (await log.offsetForTimestamp(timestamp)) ?? { offset: -1n, timestamp: -1n };
}

export default defineHandler({
  api: ListOffsets,
  minVersion: 1,
  legacyMinVersion: 0,
  maxVersion: 11,
  async handle(req, ctx): Promise<Response<typeof ListOffsets>> {
    if (ctx.apiVersion === 0) return listOffsetsV0(req, ctx.services);
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p): Promise<PartitionResult> => {
            const result = {
              partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE as number, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1,
            };
            const log = ctx.services.topics.partitionLog(t.name, p.partitionIndex);
            if (!log) return { ...result, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            const epochError = leaderEpochError(p.currentLeaderEpoch);
            if (epochError !== ErrorCode.NONE) return { ...result, errorCode: epochError };
            const found = await lookup(log, p.timestamp);
            // The leader epoch exists from v4 only (non-ignorable: it must stay at its default before).
            return { ...result, ...found, leaderEpoch: found.offset >= 0n && ctx.apiVersion >= 4 ? LEADER_EPOCH : -1 };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});
