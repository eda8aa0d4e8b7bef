/**
 * The inspector's JSON views of the broker's state: topics and partitions (offsets, segments,
 * indexes, one record batch decoded as dump-log prints it) and consumer groups (state machine,
 * members, assignments, committed offsets and lag, the rebalance timeline). Read-only.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { readBatchHeader } from '../codec/record-batch.js';
import { describeBatch } from '../cli/dump-log.js';
import { toTopicPartitions, type Assignment } from '../group/consumer/assignment.js';
import { VALID_PREVIOUS, type GroupState } from '../group/group.js';
import { segmentFileName } from '../log/segment.js';
import { isInternalTopic } from '../topics/internal.js';
import { decodeAssignment } from './consumer-protocol.js';
import { batchesOf, type DisplayNode } from './display.js';
import { groupSize, type AdminSources, type PartitionView } from './sources.js';
import type { GroupTimeline } from './stats.js';
import { CAPTURED_BYTES } from './traffic.js';

/** Records shown in the batch view (a batch can hold thousands). */
const BATCH_VIEW_RECORDS = 200;
/** Index entries listed per segment (an index can hold a million). */
const MAX_INDEX_ENTRIES = 100;

const str = (n: bigint) => n.toString();

function offsets(p: PartitionView) {
  return {
    partition: p.partition,
    logStartOffset: str(p.logStartOffset),
    highWatermark: str(p.highWatermark),
    // Without transactions nothing is pending, so the last stable offset is the high watermark.
    lastStableOffset: str(p.highWatermark),
    logEndOffset: str(p.logEndOffset),
    recoveryPoint: str(p.recoveryPoint),
    size: p.sizeInBytes(),
    segments: p.segmentCount,
  };
}

export function topicsView(src: AdminSources) {
  const byTopic = new Map<string, PartitionView[]>();
  for (const p of src.logs?.allLogs() ?? []) {
    const list = byTopic.get(p.topic) ?? [];
    list.push(p);
    byTopic.set(p.topic, list);
  }
  return [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topic, parts]) => ({
      topic,
      topicId: src.topics?.get(topic)?.id ?? null,
      internal: isInternalTopic(topic),
      partitions: parts.sort((a, b) => a.partition - b.partition).map(offsets),
    }));
}

export async function partitionView(src: AdminSources, topic: string, partition: number) {
  const p = src.logs?.getLog(topic, partition);
  if (!p) return undefined;
  const segments = [];
  for (const s of p.inspectSegments()) {
    const { offset, time } = await s.loadIndexes();
    const index = [];
    for (let i = 0; i < Math.min(offset.entries, MAX_INDEX_ENTRIES); i++) {
      const e = offset.entry(i);
      index.push({ offset: str(s.baseOffset + BigInt(e.relativeOffset)), position: e.position });
    }
    const timeIndex = [];
    for (let i = 0; i < Math.min(time.entries, MAX_INDEX_ENTRIES); i++) {
      const e = time.entry(i);
      timeIndex.push({ timestamp: e.timestamp, offset: str(s.baseOffset + BigInt(e.relativeOffset)) });
    }
    segments.push({
      file: segmentFileName(s.baseOffset, '.log'),
      baseOffset: str(s.baseOffset),
      nextOffset: str(s.nextOffset),
      size: s.size,
      maxTimestamp: s.maxTimestamp,
      indexEntries: offset.entries,
      timeIndexEntries: time.entries,
      index,
      timeIndex,
    });
  }
  return { topic, internal: isInternalTopic(topic), ...offsets(p), segmentList: segments };
}

/** The record batch holding `offset`, decoded: the dump-log line, its fields over its bytes, its records. */
export async function batchView(src: AdminSources, topic: string, partition: number, offset: bigint) {
  const p = src.logs?.getLog(topic, partition);
  if (!p) return undefined;
  // Reading 1 byte still returns the first batch whole (as Fetch does).
  const { records } = await p.read(offset, 1);
  const h = readBatchHeader(records);
  if (!h) return { offset: str(offset), found: false as const };
  const batch = records.subarray(0, h.size);
  const tree: DisplayNode = { name: 'record batch', start: 0, end: batch.length, children: batchesOf(batch, 0, batch.length, BATCH_VIEW_RECORDS)[0]?.children };
  return {
    offset: str(offset),
    found: true as const,
    dumpLog: describeBatch(h, -1, true).replace(' position: -1', ''),
    baseOffset: str(h.baseOffset),
    lastOffset: str(h.baseOffset + BigInt(h.lastOffsetDelta)),
    size: batch.length,
    hex: batch.toString('hex', 0, Math.min(batch.length, CAPTURED_BYTES)),
    tree,
  };
}

/** Kafka's classic group states and the moves between them (src/group/group.ts). */
export function stateMachine() {
  const states = Object.keys(VALID_PREVIOUS) as GroupState[];
  return { states, transitions: states.flatMap((to) => VALID_PREVIOUS[to].map((from) => ({ from, to }))) };
}

export function groupsView(src: AdminSources) {
  const groups = src.groups;
  if (!groups) return [];
  return groups.listGroups([], []).groups.map((g) => ({ groupId: g.groupId, state: g.state, protocolType: g.protocolType, ...groupSize(groups, g.groupId) }));
}

/** A group's committed offsets with each partition's high watermark and lag. */
function committedOffsets(src: AdminSources, groupId: string) {
  const ends = new Map((src.logs?.allLogs() ?? []).map((p) => [`${p.topic}\u0000${p.partition}`, p.highWatermark]));
  return src.groups!.fetchOffsets(groupId, null).offsets.map((o) => {
    const end = ends.get(`${o.topic}\u0000${o.partition}`);
    return {
      topic: o.topic,
      partition: o.partition,
      committedOffset: str(o.offset),
      highWatermark: end === undefined ? null : str(end),
      lag: end === undefined ? null : str(end > o.offset ? end - o.offset : 0n),
      metadata: o.metadata,
    };
  });
}

/**
 * A KIP-848 group in the classic view's shape: the group epoch as its generation, the server-side
 * assignor as its protocol, no leader, each member's current assignment by topic name.
 */
function consumerGroupView(src: AdminSources, timeline: GroupTimeline, groupId: string) {
  const d = src.groups?.consumerGroupDescribe(groupId);
  if (!d || d.errorCode !== ErrorCode.NONE) return undefined;
  const named = (a: Assignment) => toTopicPartitions(a).map((t) => ({ topic: src.topics?.getById(t.topicId)?.name ?? t.topicId, partitions: t.partitions }));
  return {
    groupId,
    state: d.state,
    generation: d.groupEpoch,
    protocolType: 'consumer',
    protocol: d.assignorName,
    leader: null,
    members: d.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberEpoch: m.memberEpoch,
      leader: false,
      assignment: named(m.assignment),
      assignmentBytes: 0,
    })),
    offsets: committedOffsets(src, groupId),
    timeline: timeline.of(groupId),
    stateMachine: stateMachine(),
  };
}

export function groupView(src: AdminSources, timeline: GroupTimeline, groupId: string) {
  const g = src.groups?.group(groupId);
  if (!g) return consumerGroupView(src, timeline, groupId);
  const committed = committedOffsets(src, groupId);
  return {
    groupId,
    state: g.state,
    generation: g.generationId,
    protocolType: g.protocolType,
    protocol: g.protocolName,
    leader: g.leaderId,
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      sessionTimeoutMs: m.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      leader: g.leaderId === m.memberId,
      assignment: g.protocolType === 'consumer' ? decodeAssignment(m.assignment) : null,
      assignmentBytes: m.assignment.length,
    })),
    offsets: committed,
    timeline: timeline.of(groupId),
    stateMachine: stateMachine(),
  };
}
