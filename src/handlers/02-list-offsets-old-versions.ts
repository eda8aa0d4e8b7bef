/**
 * ListOffsets v0 (Kafka 0.8's "offsets before"), as Kafka 3.9 answered it: a list of up to
 * max_num_offsets offsets per partition, taken from the segment boundaries, newest first — not a
 * search of the records. Kafka's UnifiedLog.legacyFetchOffsetsBefore:
 *
 * - The candidates are every segment's base offset (never below the log start offset) with the
 *   segment file's last-modified time, plus, when the active segment holds data, the log end offset
 *   with the current time.
 * - -1 (latest) starts from the last candidate, -2 (earliest) from the first; a time t from the last
 *   candidate modified at or before t. From there up to max_num_offsets candidates, going back.
 * - A consumer (replica id -1) never sees an offset above the high watermark: the high watermark
 *   takes the place of those.
 * - Timestamps below -2 get 35 UNSUPPORTED_VERSION (v0 knows only -1 and -2); an unknown partition
 *   3 UNKNOWN_TOPIC_OR_PARTITION; a negative max_num_offsets -1 UNKNOWN_SERVER_ERROR (Kafka failed
 *   to allocate the array).
 */
import type { ListOffsets } from '../../protocol/messages/02-list-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { Request, Response } from '../server/handler.js';
import type { BrokerServices } from '../services.js';

type PartitionResult = Response<typeof ListOffsets>['topics'][number]['partitions'][number];
type Partition = Request<typeof ListOffsets>['topics'][number]['partitions'][number];

const LATEST = -1n;
const EARLIEST = -2n;
const CONSUMER_REPLICA_ID = -1;

async function offsetsBefore(services: BrokerServices, topic: string, p: Partition, fromConsumer: boolean): Promise<PartitionResult> {
  const result = {
    partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE as number, oldStyleOffsets: [] as bigint[], timestamp: -1n, offset: -1n, leaderEpoch: -1,
  };
  if (p.timestamp < EARLIEST) return { ...result, errorCode: ErrorCode.UNSUPPORTED_VERSION };
  const log = services.topics.partitionLog(topic, p.partitionIndex);
  if (!log) return { ...result, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  if (p.maxNumOffsets < 0) return { ...result, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR };

  const segments = await log.segmentTimes();
  const candidates = segments.map((s) => ({ offset: s.offset, time: s.lastModifiedMs }));
  if (segments[segments.length - 1]!.size > 0) candidates.push({ offset: log.logEndOffset, time: services.clock.now() });
  let start: number;
  if (p.timestamp === LATEST) start = candidates.length - 1;
  else if (p.timestamp === EARLIEST) start = 0;
  else for (start = candidates.length - 1; start >= 0 && candidates[start]!.time > Number(p.timestamp); start--);
  const offsets = candidates
    .slice(Math.max(0, start + 1 - p.maxNumOffsets), start + 1)
    .map((c) => c.offset)
    .sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  if (!fromConsumer) return { ...result, oldStyleOffsets: offsets };
  const hw = log.highWatermark;
  const above = offsets.findIndex((o) => o <= hw);
  const capped = offsets.some((o) => o > hw) ? [hw, ...(above < 0 ? [] : offsets.slice(above))] : offsets;
  return { ...result, oldStyleOffsets: capped };
}

/** The whole v0 answer. */
export async function listOffsetsV0(req: Request<typeof ListOffsets>, services: BrokerServices): Promise<Response<typeof ListOffsets>> {
  const fromConsumer = req.replicaId === CONSUMER_REPLICA_ID;
  const topics = await Promise.all(
    req.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(t.partitions.map((p) => offsetsBefore(services, t.name, p, fromConsumer))),
    })),
  );
  return { throttleTimeMs: 0, topics };
}
