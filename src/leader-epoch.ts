/**
 * Leader epochs on a single broker. Kafka bumps a partition's leader epoch each time leadership
 * moves; Tafka's one broker has led every partition since it was created, so the epoch is always 0.
 */
import { ErrorCode } from '../protocol/errors.js';

export const LEADER_EPOCH = 0;

/**
 * Kafka's check of the `current_leader_epoch` a client sends (KIP-320): 75 UNKNOWN_LEADER_EPOCH when
 * it is ahead of the broker's, 74 FENCED_LEADER_EPOCH when behind, 0 when current or not given (-1).
 */
export function leaderEpochError(currentLeaderEpoch: number): number {
  if (currentLeaderEpoch > LEADER_EPOCH) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  if (currentLeaderEpoch >= 0 && currentLeaderEpoch < LEADER_EPOCH) return ErrorCode.FENCED_LEADER_EPOCH;
  return ErrorCode.NONE;
}
