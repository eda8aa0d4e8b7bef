/**
 * The KIP-848 settings under Kafka's names (group.consumer.*, group.coordinator.rebalance.protocols),
 * read from the broker config and checked as Kafka's GroupCoordinatorConfig checks them at start-up:
 * a heartbeat interval or session timeout outside its own min/max, a min above its max, or a
 * heartbeat interval not below the session timeout stops the broker with a message naming both keys
 * (the same words as Kafka's). So does an empty, repeated or unknown `group.consumer.assignors`.
 */
import type { BrokerConfig } from '../../config/broker-config.js';
import { ConfigError } from '../../config/parse.js';
import { assignorsFromConfig } from './assignors.js';
import type { ConsumerGroupsConfig } from './consumer-groups.js';
import type { MigrationPolicy } from './migration.js';

type Relation = '>=' | '<=' | '<';
const WORDS: Record<Relation, string> = { '>=': 'greater than or equal to', '<=': 'less than or equal to', '<': 'less than' };
const holds = (a: number, relation: Relation, b: number) => (relation === '>=' ? a >= b : relation === '<=' ? a <= b : a < b);

/** Kafka's requirements between the group.consumer.* keys, in its order. */
const REQUIREMENTS = [
  ['group.consumer.max.heartbeat.interval.ms', '>=', 'group.consumer.min.heartbeat.interval.ms'],
  ['group.consumer.heartbeat.interval.ms', '>=', 'group.consumer.min.heartbeat.interval.ms'],
  ['group.consumer.heartbeat.interval.ms', '<=', 'group.consumer.max.heartbeat.interval.ms'],
  ['group.consumer.max.session.timeout.ms', '>=', 'group.consumer.min.session.timeout.ms'],
  ['group.consumer.session.timeout.ms', '>=', 'group.consumer.min.session.timeout.ms'],
  ['group.consumer.session.timeout.ms', '<=', 'group.consumer.max.session.timeout.ms'],
  ['group.consumer.heartbeat.interval.ms', '<', 'group.consumer.session.timeout.ms'],
] as const;

const listOf = (value: string): string[] => value.split(',').map((v) => v.trim()).filter((v) => v !== '');

/** The consumer groups' settings; throws ConfigError for a combination Kafka refuses to start with. */
export function consumerGroupsConfig(config: BrokerConfig): ConsumerGroupsConfig {
  for (const [key, relation, other] of REQUIREMENTS) {
    if (!holds(config.get(key), relation, config.get(other))) throw new ConfigError(`${key} must be ${WORDS[relation]} ${other}`);
  }
  const assignors = listOf(config.get('group.consumer.assignors'));
  if (assignors.length === 0) throw new ConfigError('group.consumer.assignors must name at least one assignor');
  const repeated = assignors.find((a, i) => assignors.indexOf(a) !== i);
  if (repeated !== undefined) throw new ConfigError(`group.consumer.assignors names ${repeated} twice`);
  return {
    enabled: listOf(config.get('group.coordinator.rebalance.protocols')).includes('consumer'),
    sessionTimeoutMs: config.get('group.consumer.session.timeout.ms'),
    heartbeatIntervalMs: config.get('group.consumer.heartbeat.interval.ms'),
    maxSize: config.get('group.consumer.max.size'),
    assignors: assignorsFromConfig(assignors),
    migrationPolicy: config.get('group.consumer.migration.policy') as MigrationPolicy,
    classicMaxSize: config.get('group.max.size'),
  };
}
