import type { GroupCoordinatorConfig } from '../../src/group/coordinator.js';

/** Group coordinator settings for tests: Kafka's defaults, no initial rebalance delay, at most 100 members. */
export const config: GroupCoordinatorConfig = {
  initialRebalanceDelayMs: 0,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupMaxSize: 100,
  offsetsRetentionMs: 7 * 24 * 3600_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
};
