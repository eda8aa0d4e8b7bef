/**
 * ListOffsets as Kafka 4 answers it, called directly on an in-memory broker: record-level timestamp
 * lookups, the negative sentinels of a broker without tiered storage, and the per-partition errors.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListOffsets } from '../../protocol/messages/02-list-offsets.js';
import type { Broker } from '../../src/broker.js';
import listOffsets from '../../src/handlers/02-list-offsets.js';
import type { Request } from '../../src/server/handler.js';
import { timedBatch } from '../log/helpers.js';
import { call, inMemoryBroker } from './support.js';

type Partition = Request<typeof ListOffsets>['topics'][number]['partitions'][number];
const p = (partitionIndex: number, timestamp: bigint): Partition => ({ partitionIndex, timestamp, currentLeaderEpoch: -1, maxNumOffsets: 1 });

const NOW = 1_000_000;
const BASE = NOW - 60_000;

describe('ListOffsets', () => {
  let broker: Broker;
  beforeEach(async () => {
    broker = await inMemoryBroker();
    await broker.services.topics.create('t', 2);
    // 10 records 1 s apart in one batch, at offsets 0-9.
    await broker.services.topics.partitionLog('t', 0)!.append(timedBatch(Array.from({ length: 10 }, (_, i) => BASE + i * 1000)));
    await broker.services.topics.partitionLog('t', 0)!.deleteRecordsBefore(1n);
  });
  afterEach(async () => broker.close());

  const list = (version: number, topics: { name: string; partitions: Partition[] }[]) =>
    call(broker, listOffsets, version, { replicaId: -1, isolationLevel: 0, topics, timeoutMs: 0 });
  const one = async (timestamp: bigint, version = 11) => (await list(version, [{ name: 't', partitions: [p(0, timestamp)] }])).topics[0]!.partitions[0]!;

  it('by timestamp: the first record at or after it, with its own timestamp', async () => {
    expect(await one(BigInt(BASE + 2500))).toMatchObject({ errorCode: 0, offset: 3n, timestamp: BigInt(BASE + 3000), leaderEpoch: 0 });
    expect(await one(BigInt(BASE + 9000))).toMatchObject({ offset: 9n, timestamp: BigInt(BASE + 9000) });
    expect(await one(BigInt(BASE + 9001))).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n, leaderEpoch: -1 });
    // Before every record: the first at or after the log start offset (DeleteRecords moved it to 1).
    expect(await one(0n)).toMatchObject({ offset: 1n, timestamp: BigInt(BASE + 1000) });
  });

  it('the sentinels of a broker without tiered storage', async () => {
    expect(await one(-1n)).toMatchObject({ offset: 10n, timestamp: -1n, leaderEpoch: 0 });
    expect(await one(-2n)).toMatchObject({ offset: 1n, timestamp: -1n });
    expect(await one(-3n)).toMatchObject({ offset: 9n, timestamp: BigInt(BASE + 9000) });
    expect(await one(-4n)).toMatchObject({ offset: 1n, timestamp: -1n });
    expect(await one(-5n)).toEqual(expect.objectContaining({ errorCode: 0, offset: -1n, timestamp: -1n, leaderEpoch: -1 }));
    expect(await one(-6n)).toEqual(expect.objectContaining({ errorCode: 0, offset: -1n, timestamp: -1n, leaderEpoch: -1 }));
  });

  it('35 UNSUPPORTED_VERSION for a sentinel newer than the request, or none at all', async () => {
    expect((await one(-3n, 6)).errorCode).toBe(35);
    expect((await one(-3n, 7)).errorCode).toBe(0);
    expect((await one(-4n, 7)).errorCode).toBe(35);
    expect((await one(-5n, 8)).errorCode).toBe(35);
    expect((await one(-6n, 10)).errorCode).toBe(35);
    expect((await one(-7n)).errorCode).toBe(35);
  });

  it('a partition named twice: 42 INVALID_REQUEST, answered once; the other partitions as usual', async () => {
    const res = await list(11, [
      { name: 't', partitions: [p(0, -1n), p(1, -1n)] },
      { name: 'other', partitions: [p(0, -1n)] },
      { name: 't', partitions: [p(0, -2n), p(7, -1n)] },
    ]);
    expect(res.topics.map((t) => [t.name, t.partitions.map((q) => [q.partitionIndex, q.errorCode, q.offset])])).toEqual([
      ['t', [[0, 42, -1n], [1, 0, 0n], [7, 3, -1n]]],
      ['other', [[0, 3, -1n]]],
    ]);
  });

  it('a duplicate is 42 before anything else, even for an unknown partition', async () => {
    const res = await list(11, [{ name: 'missing', partitions: [p(0, -1n), p(0, -1n)] }]);
    expect(res.topics).toEqual([{ name: 'missing', partitions: [expect.objectContaining({ partitionIndex: 0, errorCode: 42, timestamp: -1n, offset: -1n, leaderEpoch: -1 })] }]);
  });
});
