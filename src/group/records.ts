/**
 * The records of the group coordinator's log, in Kafka's own `__consumer_offsets` format, so the
 * files read like Kafka's (and Kafka's tools could decode them).
 *
 * Every record's key and value start with an int16 schema version. The key's version says what
 * the record is: 0 or 1 an offset commit (OffsetCommitKey: group, topic, partition), 2 a group's
 * metadata (GroupMetadataKey: group). A null value is a tombstone: the offset was deleted or
 * expired, or the group was deleted. Later records for the same key replace earlier ones, which
 * is what makes the log compactable.
 *
 * Tafka writes OffsetCommitValue v3 and GroupMetadataValue v3 (the newest non-flexible versions,
 * with leader epoch and static member ids), and reads v0-v4 of both.
 */
import { codecFor } from '../codec/interpret.js';
import { Reader } from '../codec/reader.js';
import { message, type MessageOf } from '../../protocol/schema.js';

// Field lists written from Kafka's group-coordinator message specs (facts only).

export const OffsetCommitKey = message({
  name: 'OffsetCommitKey', type: 'data', validVersions: '0-1', flexibleVersions: 'none',
  fields: [
    { name: 'group', type: 'string', versions: '0-1' },
    { name: 'topic', type: 'string', versions: '0-1' },
    { name: 'partition', type: 'int32', versions: '0-1' },
  ],
});

export const OffsetCommitValue = message({
  name: 'OffsetCommitValue', type: 'data', validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    { name: 'offset', type: 'int64', versions: '0+' },
    { name: 'leaderEpoch', type: 'int32', versions: '3+', default: -1, ignorable: true },
    { name: 'metadata', type: 'string', versions: '0+' },
    { name: 'commitTimestamp', type: 'int64', versions: '0+' },
    { name: 'expireTimestamp', type: 'int64', versions: '1', default: -1n, ignorable: true },
  ],
});

export const GroupMetadataKey = message({
  name: 'GroupMetadataKey', type: 'data', validVersions: '2', flexibleVersions: 'none',
  fields: [{ name: 'group', type: 'string', versions: '2' }],
});

export const GroupMetadataValue = message({
  name: 'GroupMetadataValue', type: 'data', validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    { name: 'protocolType', type: 'string', versions: '0+' },
    { name: 'generation', type: 'int32', versions: '0+' },
    { name: 'protocol', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'leader', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'currentStateTimestamp', type: 'int64', versions: '2+', default: -1n, ignorable: true },
    { name: 'members', type: '[]', versions: '0+', fields: [
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null, ignorable: true },
      { name: 'clientId', type: 'string', versions: '0+' },
      { name: 'clientHost', type: 'string', versions: '0+' },
      { name: 'rebalanceTimeout', type: 'int32', versions: '1+', ignorable: true },
      { name: 'sessionTimeout', type: 'int32', versions: '0+' },
      { name: 'subscription', type: 'bytes', versions: '0+' },
      { name: 'assignment', type: 'bytes', versions: '0+' },
    ] },
  ],
});

export type OffsetCommitValueData = MessageOf<typeof OffsetCommitValue>;
export type GroupMetadataValueData = MessageOf<typeof GroupMetadataValue>;

const OFFSET_VALUE_VERSION = 3;
const GROUP_VALUE_VERSION = 3;

/** One record of the coordinator log (the shape every coordinator log shares). */
export type { CoordinatorRecord } from '../coordinator/coordinator-log.js';
import { versionPrefixed, type CoordinatorRecord } from '../coordinator/coordinator-log.js';

const versioned = versionPrefixed;

export function offsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return versioned(1, codecFor(OffsetCommitKey, 1).encode({ group, topic, partition }));
}

export function groupMetadataKey(group: string): Buffer {
  return versioned(2, codecFor(GroupMetadataKey, 2).encode({ group }));
}

export function offsetCommitRecord(group: string, topic: string, partition: number, v: OffsetCommitValueData): CoordinatorRecord {
  return { key: offsetCommitKey(group, topic, partition), value: versioned(OFFSET_VALUE_VERSION, codecFor(OffsetCommitValue, OFFSET_VALUE_VERSION).encode(v)) };
}

export function groupMetadataRecord(group: string, v: GroupMetadataValueData): CoordinatorRecord {
  return { key: groupMetadataKey(group), value: versioned(GROUP_VALUE_VERSION, codecFor(GroupMetadataValue, GROUP_VALUE_VERSION).encode(v)) };
}

export type DecodedRecord =
  | { type: 'offset'; group: string; topic: string; partition: number; value: OffsetCommitValueData | null }
  | { type: 'group'; group: string; value: GroupMetadataValueData | null };

/** Decodes a record; throws on bytes that are not one (a corrupt log is not silently skipped). */
export function decodeRecord(r: CoordinatorRecord): DecodedRecord {
  const keyVersion = r.key.readInt16BE(0);
  if (keyVersion === 0 || keyVersion === 1) {
    const k = codecFor(OffsetCommitKey, keyVersion).read(new Reader(r.key, 2, r.key.length));
    let value: OffsetCommitValueData | null = null;
    if (r.value !== null) {
      const vv = r.value.readInt16BE(0);
      value = codecFor(OffsetCommitValue, vv).read(new Reader(r.value, 2, r.value.length));
    }
    return { type: 'offset', group: k.group, topic: k.topic, partition: k.partition, value };
  }
  if (keyVersion === 2) {
    const k = codecFor(GroupMetadataKey, 2).read(new Reader(r.key, 2, r.key.length));
    let value: GroupMetadataValueData | null = null;
    if (r.value !== null) {
      const vv = r.value.readInt16BE(0);
      value = codecFor(GroupMetadataValue, vv).read(new Reader(r.value, 2, r.value.length));
    }
    return { type: 'group', group: k.group, value };
  }
  throw new Error(`unknown coordinator record key version ${keyVersion}`);
}
