/**
 * Fetch sessions (KIP-227) through the Fetch handler on an in-memory broker and fake time: a full
 * request makes a session, incremental ones carry only changes and are answered with only the
 * partitions that have news; every error path (70, 71, 106), closing, and the cache's slots and
 * eviction rules.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { Fetch } from '../../protocol/messages/01-fetch.js';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { EVICTION_MS } from '../../src/fetch/fetch-sessions.js';
import fetchHandler from '../../src/handlers/01-fetch.js';
import type { Request, RequestContext, Response } from '../../src/server/handler.js';
import { batch } from '../log/helpers.js';
import { ManualClock } from '../support/manual-clock.js';

type FetchResponse = Response<typeof Fetch>;

describe('Fetch sessions', () => {
  let clock: ManualClock;
  let broker: Broker;

  async function start(slots = 1000) {
    clock = new ManualClock(1_000_000);
    broker = await Broker.start({
      inMemory: true, clock,
      config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0'], ['max.incremental.fetch.session.cache.slots', String(slots)]]),
    });
    await broker.services.topics.create('a', 3);
    await broker.services.topics.create('b', 2);
  }
  beforeEach(() => start());
  afterEach(async () => broker.close());

  const part = (partition: number, fetchOffset = 0n) =>
    ({ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 });
  const idOf = (topic: string) => broker.services.topics.get(topic)!.id;

  async function fetch(
    sessionId: number, sessionEpoch: number, topics: [string, ReturnType<typeof part>[]][],
    forgotten: [string, number[]][] = [], apiVersion = 12,
  ): Promise<FetchResponse> {
    const byId = apiVersion >= 13;
    const req = {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId, sessionEpoch, rackId: '',
      topics: topics.map(([topic, partitions]) => ({ topic: byId ? '' : topic, topicId: byId ? idOf(topic) : '00000000-0000-0000-0000-000000000000', partitions })),
      forgottenTopicsData: forgotten.map(([topic, partitions]) => ({ topic: byId ? '' : topic, topicId: byId ? idOf(topic) : '00000000-0000-0000-0000-000000000000', partitions })),
    } as unknown as Request<typeof Fetch>;
    const ctx = {
      apiKey: 1, apiVersion, correlationId: 1, clientId: null, clientHost: 'test', services: broker.services,
      log: pino({ level: 'silent' }), signal: new AbortController().signal, closeConnection: () => {},
    } as unknown as RequestContext;
    return (await fetchHandler.handle(req, ctx))!;
  }
  /** "topic-partition" of every partition in the answer. */
  const answered = (r: FetchResponse) => r.responses.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p.partitionIndex}`));
  const append = (topic: string, partition: number, n = 2) => broker.services.topics.partitionLog(topic, partition)!.append(batch(n));
  const everything: [string, ReturnType<typeof part>[]][] = [['a', [part(0), part(1), part(2)]], ['b', [part(0), part(1)]]];

  it('a full request (epoch 0) gets a session id and every partition', async () => {
    const r = await fetch(0, 0, everything);
    expect(r.errorCode).toBe(0);
    expect(r.sessionId).toBeGreaterThan(0);
    expect(answered(r)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1']);
  });

  it('an incremental request is answered with only the partitions that have news', async () => {
    const { sessionId } = await fetch(0, 0, everything);
    // Nothing happened: nothing to say (and the request named no partition at all).
    const quiet = await fetch(sessionId, 1, []);
    expect(quiet).toMatchObject({ errorCode: 0, sessionId });
    expect(answered(quiet)).toEqual([]);
    await append('b', 1);
    const news = await fetch(sessionId, 2, []);
    expect(answered(news)).toEqual(['b-1']);
    expect(news.responses[0]!.partitions[0]!.highWatermark).toBe(2n);
    // The client moves its position for b-1 only; b-1 is fetched from there and has nothing new.
    expect(answered(await fetch(sessionId, 3, [['b', [part(1, 2n)]]]))).toEqual([]);
    // A fetch from an offset past the end is an error, and errors are always news.
    const bad = await fetch(sessionId, 4, [['a', [part(2, 99n)]]]);
    expect(bad.responses.flatMap((t) => t.partitions.map((p) => p.errorCode))).toEqual([ErrorCode.OFFSET_OUT_OF_RANGE]);
  });

  it('adds partitions named in an incremental request and drops forgotten ones', async () => {
    const { sessionId } = await fetch(0, 0, [['a', [part(0)]]]);
    await append('b', 0);
    await append('a', 0);
    const added = await fetch(sessionId, 1, [['b', [part(0)]]]);
    expect(answered(added).sort()).toEqual(['a-0', 'b-0']);
    // The client has read b-0 up to 2 and forgets a-0.
    const forgot = await fetch(sessionId, 2, [['b', [part(0, 2n)]]], [['a', [0]]]);
    expect(answered(forgot)).toEqual([]);
    await append('a', 0);
    expect(answered(await fetch(sessionId, 3, []))).toEqual([]);
  });

  it('70 FETCH_SESSION_ID_NOT_FOUND for an unknown session; 71 INVALID_FETCH_SESSION_EPOCH for a wrong epoch, which leaves the session usable', async () => {
    const unknown = await fetch(12345, 1, everything);
    expect(unknown).toMatchObject({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] });
    const { sessionId } = await fetch(0, 0, everything);
    expect(await fetch(sessionId, 5, [])).toMatchObject({ errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: 0, responses: [] });
    expect((await fetch(sessionId, 1, [])).errorCode).toBe(0);
    // The same epoch twice (a retried request) is refused the second time.
    expect((await fetch(sessionId, 1, [])).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    expect((await fetch(sessionId, 2, [])).errorCode).toBe(0);
  });

  it('epoch -1 is a sessionless full fetch that closes the named session; epoch 0 with an id replaces it', async () => {
    const { sessionId } = await fetch(0, 0, everything);
    const closing = await fetch(sessionId, -1, everything);
    expect(closing.sessionId).toBe(0);
    expect(answered(closing)).toHaveLength(5);
    expect((await fetch(sessionId, 1, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    const first = await fetch(0, 0, everything);
    const second = await fetch(first.sessionId, 0, [['a', [part(0)]]]);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect((await fetch(first.sessionId, 1, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('106 FETCH_SESSION_TOPIC_ID_ERROR when a session made with topic ids (v13) is continued by name (v12)', async () => {
    const { sessionId } = await fetch(0, 0, everything, [], 13);
    await append('a', 1);
    expect(answered(await fetch(sessionId, 1, [], [], 13))).toEqual(['-1']);
    expect((await fetch(sessionId, 2, [], [], 12)).errorCode).toBe(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    expect((await fetch(sessionId, 2, [], [], 13)).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('v7-9: the session picks the partitions with news first, then the old-version rules convert those (76 for zstd)', async () => {
    await broker.services.topics.create('z', 2, { 'compression.type': 'zstd' });
    const { sessionId } = await fetch(0, 0, [['a', [part(0)]], ['z', [part(0), part(1)]]], [], 9);
    await append('z', 1);
    // Only z-1 has news, and it is matched to its own request partition, not by position to a's.
    const news = await fetch(sessionId, 1, [], [], 9);
    expect(answered(news)).toEqual(['z-1']);
    expect(news.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    // As in Kafka, the session compares what the log said, not the converted error: z-0 (empty, no
    // change) stays out although a v9 client is told 76 for every z partition it is sent.
    expect(answered(await fetch(sessionId, 2, [], [], 9))).toEqual(['z-1']);
    expect(answered(await fetch(sessionId, 3, [['z', [part(1, 2n)]]], [], 9))).toEqual([]);
    // More partitions of z with news than the session's first topic (a) has: still each its own.
    await append('z', 0);
    await append('z', 1);
    const both = await fetch(sessionId, 4, [], [], 9);
    expect(both.responses.flatMap((t) => t.partitions.map((p) => [`${t.topic}-${p.partitionIndex}`, p.errorCode]))).toEqual([
      ['z-0', ErrorCode.UNSUPPORTED_COMPRESSION_TYPE], ['z-1', ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
    ]);
  });

  it('no sessions with max.incremental.fetch.session.cache.slots=0', async () => {
    await broker.close();
    await start(0);
    expect((await fetch(0, 0, everything)).sessionId).toBe(0);
  });

  it('a full cache makes room only by evicting a session idle for 2 minutes, or an older, smaller one', async () => {
    await broker.close();
    await start(1);
    const small = await fetch(0, 0, [['a', [part(0)]]]);
    // The cache is full and the only session is young: the newcomer goes without.
    expect((await fetch(0, 0, everything)).sessionId).toBe(0);
    // Older than 2 minutes but in use, and smaller than the newcomer: evicted.
    clock.advance(EVICTION_MS - 1);
    expect((await fetch(small.sessionId, 1, [])).errorCode).toBe(0);
    clock.advance(2);
    const big = await fetch(0, 0, everything);
    expect(big.sessionId).toBeGreaterThan(0);
    expect((await fetch(small.sessionId, 2, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    // A smaller newcomer cannot evict the bigger, busy session...
    clock.advance(EVICTION_MS + 1);
    expect((await fetch(big.sessionId, 1, [])).errorCode).toBe(0);
    expect((await fetch(0, 0, [['a', [part(0)]]])).sessionId).toBe(0);
    // ...but once the big one has been idle for 2 minutes, anyone may take its slot.
    clock.advance(EVICTION_MS + 1);
    expect((await fetch(0, 0, [['a', [part(0)]]])).sessionId).toBeGreaterThan(0);
    expect((await fetch(big.sessionId, 2, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });
});
