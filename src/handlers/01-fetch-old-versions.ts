/**
 * What Fetch answers differently to older versions, applied to the answer the Fetch handler built
 * (Kafka's KafkaApis.maybeConvertFetchedData, run on every partition of the response):
 *
 * - v0-5: 56 KAFKA_STORAGE_ERROR becomes 6 NOT_LEADER_OR_FOLLOWER, which those clients know to retry.
 * - v0-9: a topic configured with compression.type=zstd answers 76 UNSUPPORTED_COMPRESSION_TYPE:
 *   such clients cannot read zstd (KIP-110).
 * - v0-3: the client reads message sets, not record batches: magic 0 for v0-1, magic 1 for v2-3. The
 *   batches read are converted (src/codec/down-convert.ts); per-record work only these clients pay.
 * - v0-2: partition_max_bytes is a hard limit (Kafka's FetchParams.hardMaxBytesLimit): the batches
 *   past it are not sent, even the first — the client must raise its fetch size. From v3 the first
 *   batch goes whole (KIP-74).
 */
import type { Fetch } from '../../protocol/messages/01-fetch.js';
import { ErrorCode, isKafkaError } from '../../protocol/errors.js';
import { downConvert } from '../codec/down-convert.js';
import { batchSizeAt } from '../codec/record-batch.js';
import { effectiveTopicConfig } from '../config/describe.js';
import type { Request, Response } from '../server/handler.js';
import type { BrokerServices } from '../services.js';

type PartitionData = Response<typeof Fetch>['responses'][number]['partitions'][number];

/** The first version that needs none of this. */
export const FIRST_CURRENT_FETCH_VERSION = 10;

/** Kafka's FetchResponse.partitionResponse: an error and nothing else. */
const errorOnly = (p: PartitionData, errorCode: number): PartitionData => ({
  ...p,
  errorCode,
  highWatermark: -1n,
  lastStableOffset: -1n,
  logStartOffset: -1n,
  abortedTransactions: null,
  records: Buffer.alloc(0),
});

/** The whole batches of `records` that fit in `maxBytes`. */
function wholeBatchesWithin(records: Buffer, maxBytes: number): Buffer {
  let end = 0;
  while (end < records.length && end + batchSizeAt(records, end) <= maxBytes) end += batchSizeAt(records, end);
  return records.subarray(0, end);
}

function convertPartition(p: PartitionData, apiVersion: number, fetchOffset: bigint, partitionMaxBytes: number, zstdTopic: boolean): PartitionData {
  if (zstdTopic && apiVersion < FIRST_CURRENT_FETCH_VERSION) return errorOnly(p, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  const errorCode = p.errorCode === ErrorCode.KAFKA_STORAGE_ERROR && apiVersion <= 5 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : p.errorCode;
  if (apiVersion > 3 || !Buffer.isBuffer(p.records) || p.records.length === 0) return { ...p, errorCode };
  const read = apiVersion <= 2 ? wholeBatchesWithin(p.records, partitionMaxBytes) : p.records;
  try {
    return { ...p, errorCode, records: downConvert(read, apiVersion <= 1 ? 0 : 1, fetchOffset) };
  } catch (err) {
    if (!isKafkaError(err)) throw err;
    return errorOnly(p, err.errorCode);
  }
}

/**
 * Rewrites the partitions of a Fetch answer of version below 10 as Kafka answers those versions.
 * `req.topics` are the partitions fetched; the answer may carry fewer of them (an incremental fetch
 * session, v7-9, sends only those with news), so each is matched by name, not by position.
 */
export function answerOldFetchVersion(req: Request<typeof Fetch>, res: Response<typeof Fetch>, apiVersion: number, services: BrokerServices): void {
  // Before v13 topics are named.
  const asked = new Map(req.topics.flatMap((t) => t.partitions.map((p) => [`${t.topic}:${p.partition}`, p] as const)));
  for (const topicResponse of res.responses) {
    // An unknown topic has no config, and its partitions carry their error.
    const topic = services.topics.get(topicResponse.topic);
    if (!topic) continue;
    const zstdTopic = effectiveTopicConfig(services.config, topic.configs, 'compression.type') === 'zstd';
    topicResponse.partitions = topicResponse.partitions.map((p) => {
      const { fetchOffset, partitionMaxBytes } = asked.get(`${topicResponse.topic}:${p.partitionIndex}`)!;
      return convertPartition(p, apiVersion, fetchOffset, partitionMaxBytes, zstdTopic);
    });
  }
}
