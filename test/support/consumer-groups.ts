/**
 * A group coordinator with KIP-848 groups on fake time and an in-memory __consumer_offsets, and
 * short-hands for ConsumerGroupHeartbeat requests (consumer-groups and migration tests).
 */
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { GroupCoordinator } from '../../src/group/coordinator.js';
import { assignorsFromConfig } from '../../src/group/consumer/assignors.js';
import type { HeartbeatRequest, TopicCatalog } from '../../src/group/consumer/consumer-groups.js';
import type { MigrationPolicy } from '../../src/group/consumer/migration.js';
import { MemoryOffsetStore } from '../../src/group/offset-store.js';
import type { TopicInfo } from '../../src/topics/registry.js';
import { TEST_GROUP_CONFIG } from './group-config.js';
import { ManualClock } from './manual-clock.js';

export const logger = pino({ level: 'silent' });

/** A stable uuid per topic name, so expectations can name it. */
export const idOf = (name: string) => createHash('md5').update(name).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

export class Topics implements TopicCatalog {
  readonly byName = new Map<string, TopicInfo>();
  add(name: string, partitions: number, internal = false): TopicInfo {
    const t: TopicInfo = { name, id: idOf(name), partitions, configs: {}, internal };
    this.byName.set(name, t);
    return t;
  }
  get(name: string) { return this.byName.get(name); }
  getById(id: string) { return [...this.byName.values()].find((t) => t.id === id); }
  list() { return [...this.byName.values()]; }
}

export async function setup(over: { maxSize?: number; migrationPolicy?: MigrationPolicy } = {}) {
  const clock = new ManualClock(1_000_000);
  const topics = new Topics();
  const store = new MemoryOffsetStore(3);
  const open = async () => {
    const c = new GroupCoordinator({
      clock, logger, config: TEST_GROUP_CONFIG, store, topics,
      consumer: {
        enabled: true, sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000, maxSize: over.maxSize ?? 100,
        assignors: assignorsFromConfig(['uniform', 'range']),
        migrationPolicy: over.migrationPolicy ?? 'bidirectional', classicMaxSize: 100,
      },
    });
    await c.startup();
    return c;
  };
  return { clock, topics, store, open, c: await open() };
}

export const join = (over: Partial<HeartbeatRequest> = {}): HeartbeatRequest => ({
  groupId: 'g', memberId: 'm1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
  subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
  clientId: 'c', clientHost: '127.0.0.1', apiVersion: 1, ...over,
});
/** A steady-state heartbeat: only the epoch and what the member owns. */
export const beat = (memberId: string, memberEpoch: number, owned: number[] | null, over: Partial<HeartbeatRequest> = {}): HeartbeatRequest => join({
  memberId, memberEpoch, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: owned === null ? null : [{ topicId: idOf('t'), partitions: owned }], ...over,
});
export const byTopic = (a: { topicId: string; partitions: number[] }[] | null) => Object.fromEntries((a ?? []).map((t) => [t.topicId, t.partitions]));
export const parts = (r: { assignment: { partitions: number[] }[] | null }) => r.assignment?.flatMap((t) => t.partitions) ?? null;
