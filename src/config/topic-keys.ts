/**
 * Every topic key Kafka 4.x knows, one row each: type, default, validator (Kafka's LogConfig), the
 * broker keys it falls back to when a topic has no override (ServerTopicConfigSynonyms, with the
 * factor that converts hours or minutes into milliseconds), and what Tafka does with it.
 *
 * `live` rows are fields of the log's LogConfig (src/config/log-config.ts): a partition log acts on a
 * change the moment it is altered. `inert` rows are validated, stored and described exactly as Kafka
 * would, but a single node without followers or tiered storage has nothing to act on.
 * The row that is neither (`min.insync.replicas`) is read by the Produce handler; `cleanup.policy`
 * is live (retention and the log cleaner) and also read by DeleteRecords.
 */
import { HOUR_MS, LONG_MAX, MINUTE_MS, type Synonym, type TopicKeyDefinition } from './definition.js';

const same = (brokerKey: string): Synonym[] => [[brokerKey, 1]];
const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'];
const CLEANUP_POLICIES = ['compact', 'delete'];
const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];

export const TOPIC_CONFIGS: Readonly<Record<string, TopicKeyDefinition>> = {
  'cleanup.policy': {
    type: 'LIST', default: 'delete', oneOf: CLEANUP_POLICIES, synonyms: same('log.cleanup.policy'), live: true,
    doc: 'delete (retention) and/or compact (the log cleaner keeps the latest record per key); DeleteRecords refuses a topic without delete.',
  },
  'compression.gzip.level': {
    type: 'INT', default: '-1', min: 1, max: 9, alsoAllowed: -1, synonyms: same('compression.gzip.level'), inert: true,
    doc: 'gzip level when the broker recompresses.',
  },
  'compression.lz4.level': {
    type: 'INT', default: '9', min: 1, max: 17, synonyms: same('compression.lz4.level'), inert: true,
    doc: 'lz4 level when the broker recompresses.',
  },
  'compression.type': {
    type: 'STRING', default: 'producer', oneOf: COMPRESSION_TYPES, synonyms: same('compression.type'), inert: true,
    doc: 'Codec batches are stored with (producer: as sent).',
  },
  'compression.zstd.level': {
    type: 'INT', default: '3', min: -131072, max: 22, synonyms: same('compression.zstd.level'), inert: true,
    doc: 'zstd level when the broker recompresses.',
  },
  'delete.retention.ms': {
    type: 'LONG', default: '86400000', min: 0, synonyms: same('log.cleaner.delete.retention.ms'), live: true,
    doc: 'How long compaction keeps tombstones (and transaction markers) after the pass that first cleaned them.',
  },
  'file.delete.delay.ms': {
    type: 'LONG', default: '60000', min: 0, synonyms: same('log.segment.delete.delay.ms'), live: true,
    doc: 'How long a deleted segment\'s files linger so that reads in flight finish.',
  },
  'flush.messages': {
    type: 'LONG', default: LONG_MAX, min: 1, synonyms: same('log.flush.interval.messages'), live: true,
    doc: 'fsync after this many appended records.',
  },
  'flush.ms': {
    type: 'LONG', default: LONG_MAX, min: 0, live: true,
    synonyms: [['log.flush.interval.ms', 1], ['log.flush.scheduler.interval.ms', 1]],
    doc: 'fsync when unflushed data is older than this.',
  },
  'follower.replication.throttled.replicas': {
    type: 'LIST', default: '', inert: true,
    doc: 'Replicas whose follower traffic is throttled.',
  },
  'index.interval.bytes': {
    type: 'INT', default: '4096', min: 0, synonyms: same('log.index.interval.bytes'), live: true,
    doc: 'Log bytes between two entries of the sparse indexes.',
  },
  'leader.replication.throttled.replicas': {
    type: 'LIST', default: '', inert: true,
    doc: 'Replicas whose leader traffic is throttled.',
  },
  'local.retention.bytes': {
    type: 'LONG', default: '-2', min: -2, synonyms: same('log.local.retention.bytes'), inert: true,
    doc: 'Local size limit under tiered storage (-2: retention.bytes).',
  },
  'local.retention.ms': {
    type: 'LONG', default: '-2', min: -2, synonyms: same('log.local.retention.ms'), inert: true,
    doc: 'Local age limit under tiered storage (-2: retention.ms).',
  },
  'max.compaction.lag.ms': {
    type: 'LONG', default: LONG_MAX, min: 1, synonyms: same('log.cleaner.max.compaction.lag.ms'), live: true,
    doc: 'Longest a record may wait before it is eligible for compaction (also rolls the active segment of a compacted log).',
  },
  'max.message.bytes': {
    type: 'INT', default: '1048588', min: 0, synonyms: same('message.max.bytes'), live: true,
    doc: 'Largest record batch the topic accepts.',
  },
  'message.timestamp.after.max.ms': {
    type: 'LONG', default: '3600000', min: 0, synonyms: same('log.message.timestamp.after.max.ms'), live: true,
    doc: 'How far in the future a CreateTime timestamp may be.',
  },
  'message.timestamp.before.max.ms': {
    type: 'LONG', default: LONG_MAX, min: 0, synonyms: same('log.message.timestamp.before.max.ms'), live: true,
    doc: 'How far in the past a CreateTime timestamp may be.',
  },
  'message.timestamp.type': {
    type: 'STRING', default: 'CreateTime', oneOf: TIMESTAMP_TYPES, synonyms: same('log.message.timestamp.type'), live: true,
    doc: 'Keep the producer\'s timestamps (CreateTime) or stamp batches on append (LogAppendTime).',
  },
  'min.cleanable.dirty.ratio': {
    type: 'DOUBLE', default: '0.5', min: 0, max: 1, synonyms: same('log.cleaner.min.cleanable.ratio'), live: true,
    doc: 'Dirty share of the log that triggers compaction.',
  },
  'min.compaction.lag.ms': {
    type: 'LONG', default: '0', min: 0, synonyms: same('log.cleaner.min.compaction.lag.ms'), live: true,
    doc: 'Shortest time a record stays uncompacted.',
  },
  'min.insync.replicas': {
    type: 'INT', default: '1', min: 1, synonyms: same('min.insync.replicas'),
    doc: 'In-sync replicas acks=all needs; Produce refuses acks=all above 1.',
  },
  'preallocate': {
    type: 'BOOLEAN', default: 'false', synonyms: same('log.preallocate'), inert: true,
    doc: 'Preallocate segment files on creation.',
  },
  'remote.log.copy.disable': {
    type: 'BOOLEAN', default: 'false', inert: true,
    doc: 'Stop copying segments to tiered storage.',
  },
  'remote.log.delete.on.disable': {
    type: 'BOOLEAN', default: 'false', inert: true,
    doc: 'Delete tiered segments when tiered storage is turned off.',
  },
  'remote.storage.enable': {
    type: 'BOOLEAN', default: 'false', inert: true,
    doc: 'Use tiered storage for this topic.',
  },
  'retention.bytes': {
    type: 'LONG', default: '-1', synonyms: same('log.retention.bytes'), live: true,
    doc: 'Delete the oldest segments while a partition is bigger than this (-1: no limit).',
  },
  'retention.ms': {
    type: 'LONG', default: '604800000', min: -1, live: true,
    synonyms: [['log.retention.ms', 1], ['log.retention.minutes', MINUTE_MS], ['log.retention.hours', HOUR_MS]],
    doc: 'Delete segments older than this (-1: keep forever).',
  },
  'segment.bytes': {
    type: 'INT', default: '1073741824', min: 1024 * 1024, synonyms: same('log.segment.bytes'), live: true,
    doc: 'Roll to a new segment when the active one would grow past this size.',
  },
  'segment.index.bytes': {
    type: 'INT', default: '10485760', min: 4, synonyms: same('log.index.size.max.bytes'), live: true,
    doc: 'Largest size of a segment\'s index; a full index rolls the segment.',
  },
  'segment.jitter.ms': {
    type: 'LONG', default: '0', min: 0, synonyms: [['log.roll.jitter.ms', 1], ['log.roll.jitter.hours', HOUR_MS]], inert: true,
    doc: 'Random slack taken off segment.ms, to spread rolls out.',
  },
  'segment.ms': {
    type: 'LONG', default: '604800000', min: 1, synonyms: [['log.roll.ms', 1], ['log.roll.hours', HOUR_MS]], live: true,
    doc: 'Roll when the active segment is older than this.',
  },
  'unclean.leader.election.enable': {
    type: 'BOOLEAN', default: 'false', synonyms: same('unclean.leader.election.enable'), inert: true,
    doc: 'Let an out-of-sync replica become leader.',
  },
};

/** A row by name, or undefined for a name Kafka does not know. */
export function topicKey(name: string): TopicKeyDefinition | undefined {
  return Object.hasOwn(TOPIC_CONFIGS, name) ? TOPIC_CONFIGS[name] : undefined;
}

export const topicConfigNames = (): string[] => Object.keys(TOPIC_CONFIGS).sort();
