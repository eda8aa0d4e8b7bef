/**
 * Fetch's byte limits as Kafka's ReplicaManager.readFromLog applies them (KIP-74): only the first
 * batch of the first partition with data may exceed `max_bytes` / `partition_max_bytes`; every later
 * partition gets what fits in what is left.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fetch } from '../../protocol/messages/01-fetch.js';
import type { Broker } from '../../src/broker.js';
import fetchHandler from '../../src/handlers/01-fetch.js';
import type { Request } from '../../src/server/handler.js';
import { batch } from '../log/helpers.js';
import { call, inMemoryBroker } from './support.js';

const KB = 1024;
const BIG = 900 * KB;

describe('Fetch max_bytes and partition_max_bytes', () => {
  let broker: Broker;
  beforeEach(async () => {
    broker = await inMemoryBroker(undefined, [['message.max.bytes', String(4 * BIG)]]);
    await broker.services.topics.create('t', 3);
  });
  afterEach(async () => broker.close());

  const append = (partition: number, records: Buffer) => broker.services.topics.partitionLog('t', partition)!.append(records);
  /** One ~900 KB record per batch. */
  const big = (tag: number) => batch(1, { valueSize: BIG, tag });

  /** A Fetch v12 of partitions of t from the given offsets; each partition's answer, shortened. */
  async function fetchFrom(maxBytes: number, offsets: Map<number, bigint>, partitionMaxBytes = 1 << 20) {
    const partitions = [...offsets].map(([partition, fetchOffset]) => ({
      partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes,
    }));
    const req: Partial<Request<typeof Fetch>> = {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', partitions }] as never, forgottenTopicsData: [], rackId: '',
    };
    const res = await call(broker, fetchHandler, 12, req);
    return res.responses[0]!.partitions.map((q) => ({
      partition: q.partitionIndex, error: q.errorCode, bytes: (q.records as Buffer).length, hw: q.highWatermark,
    }));
  }
  const fetch = (maxBytes: number, partitions: number[], partitionMaxBytes?: number) =>
    fetchFrom(maxBytes, new Map(partitions.map((p) => [p, 0n])), partitionMaxBytes);

  it('two partitions of ~900 KB batches with a 1 MB limit: one batch in the response, not two', async () => {
    await append(0, big(1));
    await append(1, big(2));
    const size = big(1).length;
    expect(await fetch(1_000_000, [0, 1])).toEqual([
      { partition: 0, error: 0, bytes: size, hw: 1n },
      { partition: 1, error: 0, bytes: 0, hw: 1n }, // the high watermark still tells the consumer data is there
    ]);
    // Clients rotate the partition order between fetches (as librdkafka and the Java consumer do), so the other one comes next.
    expect((await fetch(1_000_000, [1, 0])).map((q) => q.bytes)).toEqual([size, 0]);
  });

  it('the first batch may exceed the limit only until a partition returns data: an empty partition first does not use it up', async () => {
    await append(1, big(1));
    expect((await fetch(100 * KB, [0, 1, 2])).map((q) => q.bytes)).toEqual([0, big(1).length, 0]);
  });

  it('later partitions get whole batches that fit in what is left, and partition_max_bytes bounds each', async () => {
    const small = batch(1, { valueSize: 10 * KB });
    await append(0, small);
    for (let i = 0; i < 5; i++) await append(1, batch(1, { valueSize: 10 * KB, tag: i }));
    // What is left after partition 0 (about 30 KB) holds two of partition 1's batches.
    expect((await fetch(small.length * 3 + 100, [0, 1])).map((q) => q.bytes)).toEqual([small.length, small.length * 2]);
    // partition_max_bytes below one batch: the first partition still progresses, the second gets nothing.
    expect((await fetch(1 << 20, [0, 1], 100)).map((q) => q.bytes)).toEqual([small.length, 0]);
  });

  it('an offset out of range is reported even when the budget is spent', async () => {
    await append(0, big(1));
    expect((await fetch(1000, [0, 1]))[1]).toMatchObject({ error: 0, bytes: 0 });
    expect((await fetchFrom(1000, new Map([[0, 0n], [1, 5n]]))).map((q) => q.error)).toEqual([0, 1]);
  });
});
