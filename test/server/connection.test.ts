import { afterEach, describe, expect, it } from 'vitest';
import { Fetch } from '../../protocol/messages/01-fetch.js';
import { Heartbeat } from '../../protocol/messages/12-heartbeat.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import { codecFor, defaultStruct } from '../../src/codec/interpret.js';
import { defineHandler, type Request, type Response } from '../../src/server/handler.js';
import { MAX_IN_FLIGHT } from '../../src/server/connection.js';
import { RawClient } from '../../integration/raw-client.js';
import { ManualClock } from '../support/manual-clock.js';
import { eventually, settled, startTestServer, type TestServer } from '../support/test-server.js';

type FetchReq = Request<typeof Fetch>;

const fetchRequest = (maxBytes: number): FetchReq => ({ ...defaultStruct(Fetch.request.fields), maxWaitMs: 0, maxBytes, topics: [] }) as unknown as FetchReq;
const heartbeat = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };

/** A Fetch handler whose answer carries `size` bytes of records, like a real fetch of that much data. */
function bigFetch(size: number, calls: { n: number }) {
  const records = Buffer.alloc(size, 7);
  return defineHandler({
    api: Fetch, minVersion: 12, maxVersion: 12,
    responseBytes: (req) => req.maxBytes,
    handle: async (): Promise<Response<typeof Fetch>> => {
      calls.n++;
      await Promise.resolve();
      const partition = {
        ...defaultStruct(Fetch.response.fields[3].fields![2].fields!), partitionIndex: 0, records,
      } as Response<typeof Fetch>['responses'][number]['partitions'][number];
      return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', topicId: '00000000-0000-0000-0000-000000000000', partitions: [partition] }], nodeEndpoints: [] };
    },
  });
}

/** Heartbeats that stay unanswered until the test releases them, counting how many run at once. */
function heldHeartbeats() {
  const held: (() => void)[] = [];
  const handler = defineHandler({
    api: Heartbeat, minVersion: 0, maxVersion: 4,
    handle: () => new Promise<Response<typeof Heartbeat>>((resolve) => held.push(() => resolve({ throttleTimeMs: 0, errorCode: 0 }))),
  });
  return { handler, held, releaseOne: () => held.shift()!() };
}

let server: TestServer | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  await server?.close();
  server = undefined;
});
const connect = async () => {
  const c = await RawClient.connect(server!.port);
  clients.push(c);
  return c;
};

describe('backpressure: a connection takes requests only as fast as its responses leave', () => {
  it('a client that never reads stops being read: 40 fetches of 4 MB do not all run', async () => {
    const calls = { n: 0 };
    server = await startTestServer([bigFetch(4 << 20, calls)]);
    const c = await connect();
    c.pause();
    for (let i = 0; i < 40; i++) c.send(Fetch.request, 12, i, fetchRequest(4 << 20));
    // What the kernel's socket buffers absorb is answered; then the broker stops reading.
    const ran = await settled(() => calls.n);
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThan(10);
    // Once the client reads again, every request is answered, in order.
    c.resume();
    for (let i = 0; i < 40; i++) expect((await c.readFrame(20_000))!.readInt32BE(0)).toBe(i);
    expect(calls.n).toBe(40);
  }, 60_000);

  it('runs fetches one at a time: a fetch reserves its max bytes until its answer is sent', async () => {
    const running = { now: 0, max: 0 };
    const release: (() => void)[] = [];
    const slowFetch = defineHandler({
      api: Fetch, minVersion: 12, maxVersion: 12,
      responseBytes: (req) => req.maxBytes,
      handle: () => {
        running.now++;
        running.max = Math.max(running.max, running.now);
        return new Promise<Response<typeof Fetch>>((resolve) => release.push(() => {
          running.now--;
          resolve({ throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [], nodeEndpoints: [] });
        }));
      },
    });
    server = await startTestServer([slowFetch]);
    const c = await connect();
    for (let i = 0; i < 5; i++) c.send(Fetch.request, 12, i, fetchRequest(50 << 20));
    for (let i = 0; i < 5; i++) {
      await eventually(() => release.length === 1);
      release.shift()!();
      expect((await c.readFrame())!.readInt32BE(0)).toBe(i);
    }
    expect(running.max).toBe(1);
  });

  it('runs afterResponse hooks only once the response is written: a hook that overwrites the records cannot corrupt it', async () => {
    // The hook stands for a pooled read buffer given back and reused: if it ran while the socket
    // still held unsent bytes, the client would read 0xAA instead of 7s.
    const size = 32 << 20;
    const records = Buffer.alloc(size, 7);
    const hook = { ran: false };
    const poisoningFetch = defineHandler({
      api: Fetch, minVersion: 12, maxVersion: 12,
      handle: async (_req, ctx): Promise<Response<typeof Fetch>> => {
        ctx.afterResponse(() => ((hook.ran = true), records.fill(0xaa)));
        const partition = { ...defaultStruct(Fetch.response.fields[3].fields![2].fields!), partitionIndex: 0, records } as Response<typeof Fetch>['responses'][number]['partitions'][number];
        return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', topicId: '00000000-0000-0000-0000-000000000000', partitions: [partition] }], nodeEndpoints: [] };
      },
    });
    const beats = heldHeartbeats();
    server = await startTestServer([poisoningFetch, beats.handler]);
    const c = await connect();
    c.pause();
    // The heartbeat goes first and is held, so the fetch's answer waits out of order, then on a client that does not read.
    c.send(Heartbeat.request, 4, 0, heartbeat);
    c.send(Fetch.request, 12, 1, fetchRequest(size));
    await eventually(() => beats.held.length === 1);
    expect(await settled(() => Number(hook.ran))).toBe(0);
    beats.releaseOne();
    expect(await settled(() => Number(hook.ran))).toBe(0);
    c.resume();
    expect((await c.readFrame(20_000))!.readInt32BE(0)).toBe(0);
    const frame = (await c.readFrame(20_000))!;
    expect(frame.readInt32BE(0)).toBe(1);
    expect(frame.length).toBeGreaterThan(size);
    expect(frame.includes(0xaa)).toBe(false);
    await eventually(() => hook.ran);
  }, 60_000);

  it(`pipelines small requests, up to ${MAX_IN_FLIGHT} in flight`, async () => {
    const { handler, held, releaseOne } = heldHeartbeats();
    server = await startTestServer([handler]);
    const c = await connect();
    for (let i = 0; i < MAX_IN_FLIGHT + 20; i++) c.send(Heartbeat.request, 3, i, heartbeat);
    expect(await settled(() => held.length)).toBe(MAX_IN_FLIGHT);
    releaseOne();
    expect((await c.readFrame())!.readInt32BE(0)).toBe(0);
    await eventually(() => held.length === MAX_IN_FLIGHT);
    while (held.length) releaseOne();
    await eventually(() => held.length === MAX_IN_FLIGHT - 1 || held.length === 0);
    while (held.length) releaseOne();
  });

  it('queued.max.requests bounds requests in progress across all connections', async () => {
    const { handler, held, releaseOne } = heldHeartbeats();
    server = await startTestServer([handler], { config: { 'queued.max.requests': '3' } });
    const a = await connect();
    const b = await connect();
    for (let i = 0; i < 4; i++) a.send(Heartbeat.request, 3, i, heartbeat);
    for (let i = 0; i < 4; i++) b.send(Heartbeat.request, 3, 100 + i, heartbeat);
    expect(await settled(() => held.length)).toBe(3);
    expect(server.gate.open).toBe(false);
    releaseOne();
    // Answering one reopens the gate for every connection; the next request in takes the slot.
    expect(await settled(() => held.length)).toBe(3);
    for (let answered = 1; answered < 8; answered++) {
      await eventually(() => held.length > 0);
      releaseOne();
    }
    await eventually(() => server!.gate.queuedRequests === 0);
    expect(server.gate.open).toBe(true);
  });

  it('queued.max.request.bytes stops reading while that many request bytes are in progress', async () => {
    const { handler, held, releaseOne } = heldHeartbeats();
    // Each heartbeat frame is about 30 bytes; the limit must be >= socket.request.max.bytes.
    server = await startTestServer([handler], { config: { 'queued.max.request.bytes': '100', 'socket.request.max.bytes': '100' } });
    const c = await connect();
    for (let i = 0; i < 10; i++) c.send(Heartbeat.request, 3, i, heartbeat);
    const running = await settled(() => held.length);
    expect(server.gate.queuedBytes).toBeGreaterThanOrEqual(100);
    expect(running).toBeLessThan(10);
    while (held.length) {
      releaseOne();
      await settled(() => held.length, 50);
    }
    for (let i = 0; i < 10; i++) expect((await c.readFrame())!.readInt32BE(0)).toBe(i);
  });

  it('refuses a queued.max.request.bytes below socket.request.max.bytes, as Kafka does', async () => {
    await expect(startTestServer([], { config: { 'queued.max.request.bytes': '1000' } })).rejects.toThrow(/queued.max.request.bytes must be larger or equal to socket.request.max.bytes/);
  });
});

describe('handler failures are answered, not fatal', () => {
  it('answers a throwing handler with UNKNOWN_SERVER_ERROR, logs it once, and keeps the connection', async () => {
    let n = 0;
    const flaky = defineHandler({
      api: Heartbeat, minVersion: 0, maxVersion: 4,
      handle: () => {
        n++;
        if (n === 1) throw new TypeError('boom');
        if (n === 2) return Promise.reject(Object.assign(new Error('disk'), { code: 'ENOSPC' }));
        return { throttleTimeMs: 0, errorCode: 0 };
      },
    });
    server = await startTestServer([flaky]);
    const c = await connect();
    const codec = codecFor(Heartbeat.response, 3);
    for (let i = 0; i < 3; i++) c.send(Heartbeat.request, 3, i, heartbeat);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(codec.decode((await c.readFrame())!, 4).errorCode);
    expect(codes).toEqual([-1, 56, 0]);
    expect(c.closed).toBe(false);
    const failures = server.logs.filter((l) => String(l.msg).startsWith('handler failed'));
    expect(failures.map((l) => [l.api, l.version, l.clientId, l.correlationId, l.errorCode])).toEqual([
      ['Heartbeat', 3, 'raw-client', 0, -1],
      ['Heartbeat', 3, 'raw-client', 1, 56],
    ]);
  });

  it('closes the connection when an acks=0 produce fails, after the responses before it', async () => {
    const produce = defineHandler({
      api: Produce, minVersion: 3, maxVersion: 11,
      handle: (req) => {
        if (req.acks === 0) throw new Error('cannot append');
        return { responses: [], throttleTimeMs: 0, nodeEndpoints: [] };
      },
    });
    server = await startTestServer([produce]);
    const c = await connect();
    const req = (acks: number) => ({ transactionalId: null, acks, timeoutMs: 1000, topicData: [] });
    c.send(Produce.request, 9, 1, req(1));
    c.send(Produce.request, 9, 2, req(0));
    expect((await c.readFrame())!.readInt32BE(0)).toBe(1);
    expect(await c.readFrame()).toBeNull();
  });
});

describe('connections.max.idle.ms', () => {
  it('closes a connection that did nothing for that long, on the injected clock', async () => {
    const clock = new ManualClock(1_000_000);
    const { handler, held, releaseOne } = heldHeartbeats();
    server = await startTestServer([handler], { clock, config: { 'connections.max.idle.ms': '60000' } });
    const c = await connect();
    await eventually(() => server!.server.connectionCount === 1);
    clock.advance(59_999);
    expect(await c.waitClosed(50)).toBe(false);
    // Activity restarts the count.
    c.send(Heartbeat.request, 3, 1, heartbeat);
    await eventually(() => held.length === 1);
    clock.advance(60_000);
    // A request in progress keeps it open however long it takes.
    expect(await c.waitClosed(50)).toBe(false);
    releaseOne();
    await c.readFrame();
    clock.advance(59_999);
    expect(await c.waitClosed(50)).toBe(false);
    clock.advance(1);
    expect(await c.waitClosed()).toBe(true);
    await eventually(() => server!.server.connectionCount === 0);
  });

  it('never closes idle connections at -1', async () => {
    const clock = new ManualClock(0);
    server = await startTestServer([], { clock, config: { 'connections.max.idle.ms': '-1' } });
    const c = await connect();
    clock.advance(365 * 24 * 3600_000);
    expect(await c.waitClosed(50)).toBe(false);
  });
});
