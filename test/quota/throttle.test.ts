import { afterEach, describe, expect, it } from 'vitest';
import { Produce } from '../../protocol/messages/00-produce.js';
import { Fetch } from '../../protocol/messages/01-fetch.js';
import { Heartbeat } from '../../protocol/messages/12-heartbeat.js';
import { codecFor, defaultStruct } from '../../src/codec/interpret.js';
import { defineHandler, type Request, type Response } from '../../src/server/handler.js';
import { RawClient } from '../../integration/raw-client.js';
import { ManualClock } from '../support/manual-clock.js';
import { eventually, settled, startTestServer, type TestServer, type TestServerOptions } from '../support/test-server.js';
import type { Handler } from '../../src/server/handler.js';

const ZERO = '00000000-0000-0000-0000-000000000000';
const produceReq = (bytes: number, acks = 1): Request<typeof Produce> => ({
  transactionalId: null, acks, timeoutMs: 1000,
  topicData: [{ name: 't', topicId: ZERO, partitionData: [{ index: 0, records: Buffer.alloc(bytes) }] }],
});
const heartbeat = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };

let server: TestServer | undefined;
let client: RawClient | undefined;
afterEach(async () => {
  client?.end();
  await server?.close();
  server = undefined;
});

async function start(handlers: Handler<never>[], opts: TestServerOptions, quota: { entity: Record<string, string | null>; key: string; value: number }) {
  server = await startTestServer(handlers, opts);
  const [result] = await server.store.alter([{
    entity: Object.entries(quota.entity).map(([entityType, entityName]) => ({ entityType, entityName })),
    ops: [{ key: quota.key, value: quota.value, remove: false }],
  }], false);
  expect(result.errorCode).toBe(0);
  client = await RawClient.connect(server.port);
  return client;
}

describe('client quotas on the wire (KIP-219): answer at once with throttle_time_ms, then mute', () => {
  it('producer_byte_rate: a produce over the quota is answered with its throttle time; the next waits that long', async () => {
    const clock = new ManualClock(1_000_000);
    let handled = 0;
    const produce = defineHandler({
      api: Produce, minVersion: 3, maxVersion: 11,
      handle: () => {
        handled++;
        return { responses: [], throttleTimeMs: 0, nodeEndpoints: [] };
      },
    });
    // The anonymous principal is the <default> user until authentication exists.
    const c = await start([produce as Handler<never>], { clock }, { entity: { user: null }, key: 'producer_byte_rate', value: 100 });
    c.send(Produce.request, 9, 1, produceReq(5000));
    c.send(Produce.request, 9, 2, produceReq(10));
    const first = codecFor(Produce.response, 9).decode((await c.readFrame())!, 5);
    // One request of S bytes over the 10 s minimum window: (S/10 - 100) / 100 * 10 s.
    const size = RawClient.frame(0, 9, 1, codecFor(Produce.request, 9).encode(produceReq(5000)), true).length - 4;
    expect(first.throttleTimeMs).toBe(Math.round((size / 10 - 100) / 100 * 10_000));
    // The connection is muted: the second request is not even read until the throttle time passes.
    expect(await settled(() => handled, 100)).toBe(1);
    clock.advance(first.throttleTimeMs - 1);
    expect(await settled(() => handled, 100)).toBe(1);
    clock.advance(1);
    await eventually(() => handled === 2);
    expect((await c.readFrame())!.readInt32BE(0)).toBe(2);
  });

  it('consumer_byte_rate: a fetch over the quota answers with no partitions; fetches ask no more than the window allows', async () => {
    const clock = new ManualClock(1_000_000);
    const asked: number[] = [];
    const fetch = defineHandler({
      api: Fetch, minVersion: 12, maxVersion: 12,
      handle: (req): Response<typeof Fetch> => {
        asked.push(req.maxBytes);
        const partition = { ...defaultStruct(Fetch.response.fields[3].fields![2].fields!), partitionIndex: 0, records: Buffer.alloc(3000) } as Response<typeof Fetch>['responses'][number]['partitions'][number];
        return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', topicId: ZERO, partitions: [partition] }], nodeEndpoints: [] };
      },
    });
    const c = await start([fetch as Handler<never>], { clock }, { entity: { 'client-id': 'raw-client' }, key: 'consumer_byte_rate', value: 200 });
    const req = { ...defaultStruct(Fetch.request.fields), maxWaitMs: 0, maxBytes: 50 << 20, topics: [] } as unknown as Request<typeof Fetch>;
    c.send(Fetch.request, 12, 1, req);
    const answer = codecFor(Fetch.response, 12).decode((await c.readFrame())!, 5);
    expect(asked).toEqual([2000]); // 200 B/s × 10 whole windows (Kafka's getMaxValueInQuotaWindow)
    expect(answer.responses).toEqual([]);
    expect(answer.throttleTimeMs).toBeGreaterThan(0);
  });

  it('request_percentage: handling time over the quota throttles, for at most one window', async () => {
    const clock = new ManualClock(0);
    let t = 0;
    const stopwatch = () => (t += 100); // every measured step takes 100 ms of "work"
    const hb = defineHandler({ api: Heartbeat, minVersion: 0, maxVersion: 4, handle: () => ({ throttleTimeMs: 0, errorCode: 0 }) });
    const c = await start([hb as Handler<never>], { clock, stopwatch }, { entity: { user: 'ANONYMOUS' }, key: 'request_percentage', value: 1 });
    c.send(Heartbeat.request, 3, 1, heartbeat);
    const answer = codecFor(Heartbeat.response, 3).decode((await c.readFrame())!, 4);
    // 200 ms of work = 20 percent-seconds over 10 s = 2 % against 1 %: 10 s, capped at the 1 s window.
    expect(answer.throttleTimeMs).toBe(1000);
  });

  it('quotas for someone else cost this client nothing', async () => {
    const clock = new ManualClock(0);
    const hb = defineHandler({ api: Heartbeat, minVersion: 0, maxVersion: 4, handle: () => ({ throttleTimeMs: 0, errorCode: 0 }) });
    const c = await start([hb as Handler<never>], { clock }, { entity: { user: 'alice' }, key: 'request_percentage', value: 0.0001 });
    for (let i = 0; i < 20; i++) c.send(Heartbeat.request, 3, i, heartbeat);
    for (let i = 0; i < 20; i++) expect(codecFor(Heartbeat.response, 3).decode((await c.readFrame())!, 4).throttleTimeMs).toBe(0);
  });
});
