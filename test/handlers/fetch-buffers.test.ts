/**
 * Fetch's pooled read buffers (src/log/read-buffers.ts) seen from the handler: the records of a
 * response stay intact until that response is written, however many fetches run meanwhile; only
 * then may their memory serve another fetch.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Fetch } from '../../protocol/messages/01-fetch.js';
import type { Broker } from '../../src/broker.js';
import type { Request } from '../../src/server/handler.js';
import { callHandler } from '../support/call-handler.js';
import { batch } from '../log/helpers.js';
import { inMemoryBroker } from './support.js';

describe('Fetch read buffers', () => {
  let broker: Broker;
  beforeEach(async () => {
    broker = await inMemoryBroker();
    await broker.services.topics.create('t', 1);
    const log = broker.services.topics.partitionLog('t', 0)!;
    for (let tag = 0; tag < 8; tag++) await log.append(batch(10, { valueSize: 20_000, tag }));
  });
  afterEach(async () => broker.close());

  /** A Fetch v12 from `fetchOffset`: the records as answered, and the hook that says the response was written. */
  async function fetch(fetchOffset: bigint) {
    const req = {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 50 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    } as unknown as Request<typeof Fetch>;
    const { response, responseWritten } = await callHandler(broker.services, Fetch, 12, req);
    const records = response!.responses[0]!.partitions[0]!.records as Buffer;
    expect(records.length, `records at ${fetchOffset}`).toBeGreaterThan(100_000);
    return { records, copy: Buffer.from(records), responseWritten };
  }

  it('a response not yet written keeps its bytes while other fetches read', async () => {
    const first = await fetch(0n);
    const others = [await fetch(0n), await fetch(30n), await fetch(50n)];
    // (Identity compared as booleans: a failing toBe would try to print megabytes.)
    for (const o of others) expect(o.records.buffer === first.records.buffer).toBe(false);
    expect(first.records.equals(first.copy)).toBe(true);
    for (const o of others) o.responseWritten();
    // Those buffers are reused now, by reads of other offsets: the first response is still untouched.
    await fetch(30n);
    await fetch(70n);
    expect(first.records.equals(first.copy)).toBe(true);
  });

  it('once written, the memory serves the next fetch', async () => {
    const first = await fetch(0n);
    first.responseWritten();
    const next = await fetch(40n);
    expect(next.records.buffer === first.records.buffer).toBe(true);
    expect(next.records.equals(first.copy)).toBe(false);
  });
});
