/**
 * ListOffsets v0 (Kafka's legacyFetchOffsetsBefore) over a log with three segments, on a fake log
 * and clock: the candidates are segment base offsets with their files' modification times, and the
 * log end offset with the current time while the active segment holds data.
 */
import { describe, expect, it } from 'vitest';
import type { ListOffsets } from '../../protocol/messages/02-list-offsets.js';
import { listOffsetsV0 } from '../../src/handlers/02-list-offsets-old-versions.js';
import type { Request } from '../../src/server/handler.js';
import type { BrokerServices } from '../../src/services.js';

function servicesWith(activeSize: number) {
  const log = {
    logEndOffset: 90n,
    highWatermark: 85n,
    segmentTimes: async () => [
      { offset: 0n, size: 100, lastModifiedMs: 1000 },
      { offset: 50n, size: 100, lastModifiedMs: 2000 },
      { offset: 80n, size: activeSize, lastModifiedMs: 3000 },
    ],
  };
  return {
    clock: { now: () => 5000 },
    topics: { partitionLog: (topic: string, partition: number) => (topic === 't' && partition === 0 ? log : undefined) },
  } as unknown as BrokerServices;
}

async function ask(timestamp: bigint, maxNumOffsets: number, { replicaId = -1, activeSize = 10, partition = 0 } = {}) {
  const req = {
    replicaId, isolationLevel: 0, timeoutMs: 0,
    topics: [{ name: 't', partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets }] }],
  } as Request<typeof ListOffsets>;
  const p = (await listOffsetsV0(req, servicesWith(activeSize))).topics[0]!.partitions[0]!;
  return p.errorCode === 0 ? p.oldStyleOffsets : p.errorCode;
}

describe('ListOffsets v0', () => {
  it('latest: the log end offset, then segment bases, newest first; a consumer sees the high watermark instead of offsets above it', async () => {
    expect(await ask(-1n, 10)).toEqual([85n, 80n, 50n, 0n]);
    expect(await ask(-1n, 10, { replicaId: -2 })).toEqual([90n, 80n, 50n, 0n]); // a debugging client: no cap
    expect(await ask(-1n, 2, { replicaId: -2 })).toEqual([90n, 80n]);
  });

  it('earliest: the first segment\'s base', async () => {
    expect(await ask(-2n, 10)).toEqual([0n]);
  });

  it('a time: from the last candidate modified at or before it, going back', async () => {
    expect(await ask(2500n, 10)).toEqual([50n, 0n]);
    expect(await ask(2000n, 1)).toEqual([50n]);
    expect(await ask(999n, 10)).toEqual([]);
    expect(await ask(6000n, 10)).toEqual([85n, 80n, 50n, 0n]);
  });

  it('leaves the log end offset out while the active segment is empty', async () => {
    expect(await ask(-1n, 10, { activeSize: 0 })).toEqual([80n, 50n, 0n]);
  });

  it('answers 35 below -2, 3 for an unknown partition, -1 for a negative count', async () => {
    expect(await ask(-3n, 10)).toBe(35);
    expect(await ask(-1n, 10, { partition: 1 })).toBe(3);
    expect(await ask(-1n, -1)).toBe(-1);
  });
});
