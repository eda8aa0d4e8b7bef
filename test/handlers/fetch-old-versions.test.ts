/**
 * What Fetch answers differently below v10 (Kafka's maybeConvertFetchedData), on a built answer.
 */
import { describe, expect, it } from 'vitest';
import type { Fetch } from '../../protocol/messages/01-fetch.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { answerOldFetchVersion } from '../../src/handlers/01-fetch-old-versions.js';
import { buildBatch, setBaseOffset } from '../../src/codec/record-batch.js';
import { entrySizeAt, readMessage } from '../../src/codec/legacy-records.js';
import type { Request, Response } from '../../src/server/handler.js';
import type { BrokerServices } from '../../src/services.js';

type PartitionData = Response<typeof Fetch>['responses'][number]['partitions'][number];

const services = (topicConfigs: Record<string, string>) =>
  ({ config: new BrokerConfig(), topics: { get: (name: string) => (name === 't' ? { name, configs: topicConfigs } : undefined) } }) as unknown as BrokerServices;

const batchAt = (offset: bigint) => {
  const b = buildBatch([{ value: Buffer.from(`v${offset}`) }], { baseTimestamp: 1000 });
  setBaseOffset(b, 0, offset);
  return b;
};

function answer(version: number, partition: Partial<PartitionData>, configs: Record<string, string> = {}, partitionMaxBytes = 1 << 20, topic = 't'): PartitionData {
  const p = {
    partitionIndex: 0, errorCode: 0, highWatermark: 2n, lastStableOffset: 2n, logStartOffset: 0n, divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 }, snapshotId: { endOffset: -1n, epoch: -1 }, abortedTransactions: [], preferredReadReplica: -1,
    records: Buffer.concat([batchAt(0n), batchAt(1n)]), ...partition,
  };
  const res = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, nodeEndpoints: [], responses: [{ topic, topicId: '', partitions: [p] }] } as Response<typeof Fetch>;
  const req = { topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes }] }] } as unknown as Request<typeof Fetch>;
  answerOldFetchVersion(req, res, version, services(configs));
  return res.responses[0]!.partitions[0]!;
}

const magics = (records: Buffer) => {
  const out: number[] = [];
  for (let pos = 0; pos < records.length; pos += entrySizeAt(records, pos)!) out.push(readMessage(records, pos, entrySizeAt(records, pos)!).magic);
  return out;
};

describe('Fetch below v10', () => {
  it('converts to magic 0 at v0-1 and magic 1 at v2-3, and leaves v4+ batches alone', () => {
    expect(magics(answer(0, {}).records as Buffer)).toEqual([0, 0]);
    expect(magics(answer(3, {}).records as Buffer)).toEqual([1, 1]);
    const untouched = Buffer.concat([batchAt(0n), batchAt(1n)]);
    expect(answer(4, { records: untouched }).records).toBe(untouched);
  });

  it('takes partition_max_bytes as a hard limit at v0-2 only', () => {
    const one = batchAt(0n).length;
    expect(magics(answer(2, {}, {}, one + 10).records as Buffer)).toEqual([1]);
    expect((answer(2, {}, {}, one - 1).records as Buffer).length).toBe(0);
    expect(magics(answer(3, {}, {}, one - 1).records as Buffer)).toEqual([1, 1]); // v3 was given what was read
  });

  it('answers 76 for a topic configured for zstd below v10, and only there', () => {
    expect(answer(9, {}, { 'compression.type': 'zstd' })).toMatchObject({ errorCode: 76, highWatermark: -1n, records: Buffer.alloc(0) });
    expect(answer(10, {}, { 'compression.type': 'zstd' }).errorCode).toBe(0);
    expect(answer(9, {}, { 'compression.type': 'gzip' }).errorCode).toBe(0);
  });

  it('turns 56 KAFKA_STORAGE_ERROR into 6 NOT_LEADER_OR_FOLLOWER up to v5', () => {
    expect(answer(5, { errorCode: 56, records: Buffer.alloc(0) }).errorCode).toBe(6);
    expect(answer(6, { errorCode: 56, records: Buffer.alloc(0) }).errorCode).toBe(56);
  });

  it('leaves unknown topics as they are', () => {
    expect(answer(0, { errorCode: 3, records: Buffer.alloc(0) }, {}, 1 << 20, 'unknown').errorCode).toBe(3);
  });
});
