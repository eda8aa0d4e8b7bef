/**
 * Fetch long polling (Kafka's DelayedFetch) on fake time: the handler is called directly against an
 * in-memory broker whose clock only moves when the test says, so max_wait_ms is exact and costs no
 * real time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import fetchHandler from '../../src/handlers/01-fetch.js';
import type { Request, RequestContext } from '../../src/server/handler.js';
import type { Fetch } from '../../protocol/messages/01-fetch.js';
import { batch } from '../log/helpers.js';
import { ManualClock } from '../support/manual-clock.js';

const MAX_WAIT = 500;

describe('Fetch long poll', () => {
  let clock: ManualClock;
  let broker: Broker;
  let connection: AbortController;

  beforeEach(async () => {
    clock = new ManualClock(1_000_000);
    broker = await Broker.start({ inMemory: true, clock, config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0']]) });
    await broker.services.topics.create('t', 1);
    connection = new AbortController();
  });
  afterEach(async () => broker.close());

  /** Starts a v12 fetch of t-0 from offset 0 wanting one byte; `settled` tells whether it answered. */
  function startFetch() {
    const req = {
      replicaId: -1, maxWaitMs: MAX_WAIT, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    } as unknown as Request<typeof Fetch>;
    const ctx = {
      apiKey: 1, apiVersion: 12, correlationId: 1, clientId: null, clientHost: 'test', services: broker.services,
      log: pino({ level: 'silent' }), signal: connection.signal, closeConnection: () => {}, afterResponse: () => {},
    } as unknown as RequestContext;
    const state = { settled: false };
    const response = Promise.resolve(fetchHandler.handle(req, ctx)).finally(() => (state.settled = true));
    return { response, state };
  }

  /** Lets every pending promise and in-memory I/O run (no time passes on the broker's clock). */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const recordsOf = async (response: ReturnType<typeof startFetch>['response']) =>
    (await response)!.responses[0]!.partitions[0]!.records as Buffer;

  it('answers empty when max_wait_ms passes on the clock, not before', async () => {
    const { response, state } = startFetch();
    await settle();
    clock.advance(MAX_WAIT - 1);
    await settle();
    expect(state.settled).toBe(false);
    clock.advance(1);
    await settle();
    expect(state.settled).toBe(true);
    expect((await recordsOf(response)).length).toBe(0);
  });

  it('answers as soon as an append brings min_bytes, without time passing', async () => {
    const { response, state } = startFetch();
    await settle();
    expect(state.settled).toBe(false);
    await broker.services.topics.partitionLog('t', 0)!.append(batch(2));
    expect((await recordsOf(response)).length).toBe(batch(2).length);
    expect(clock.now()).toBe(1_000_000);
  });

  it('answers when the connection closes', async () => {
    const { response, state } = startFetch();
    await settle();
    expect(state.settled).toBe(false);
    connection.abort();
    expect((await recordsOf(response)).length).toBe(0);
  });
});
