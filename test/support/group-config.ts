import type { GroupCoordinatorConfig } from '../../src/group/coordinator.js';

/** Kafka's group coordinator defaults, with no initial rebalance delay (tests drive time themselves). */
export const TEST_GROUP_CONFIG: GroupCoordinatorConfig = {
  initialRebalanceDelayMs: 0,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupMaxSize: 100,
  offsetsRetentionMs: 7 * 24 * 3600_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
};
