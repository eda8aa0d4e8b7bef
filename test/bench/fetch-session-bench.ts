/**
 * What fetch sessions (KIP-227) save a consumer of many partitions: the broker's CPU per Fetch
 * (decode the request, run the handler, encode the response) and the bytes on the wire, for a
 * consumer of 1000 partitions of which 10 get new data between fetches — sessionless full fetches
 * (epoch -1, what KafkaJS and librdkafka send) against one session's incremental fetches.
 *
 *   make build && node dist/test/bench/fetch-session-bench.js [fetches per case, default 2000]
 */
import { pino } from 'pino';
import { FetchRequest, FetchResponse } from '../../protocol/messages/01-fetch.js';
import { codecFor } from '../../src/codec/interpret.js';
import { Reader } from '../../src/codec/reader.js';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { encodeBatch, encodeRecords } from '../../src/codec/record-batch.js';
import fetchHandler from '../../src/handlers/01-fetch.js';
import type { Request, RequestContext } from '../../src/server/handler.js';
import { ManualClock } from '../support/manual-clock.js';

const FETCHES = Number(process.argv[2] ?? 2000);
const PARTITIONS = 1000;
const BUSY = 10;
const VERSION = 13;

const requestCodec = codecFor(FetchRequest, VERSION);
const responseCodec = codecFor(FetchResponse, VERSION);
const size = (chunks: Buffer[]) => chunks.reduce((n, c) => n + c.length, 0);

async function main() {
  const clock = new ManualClock(1_000_000);
  const broker = await Broker.start({ inMemory: true, clock, config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0']]) });
  const topic = await broker.services.topics.create('many', PARTITIONS);
  const ctx = {
    apiKey: 1, apiVersion: VERSION, correlationId: 1, clientId: null, clientHost: 'bench', services: broker.services,
    log: pino({ level: 'silent' }), signal: new AbortController().signal, closeConnection: () => {},
  } as unknown as RequestContext;
  const batch = () => encodeBatch({
    lastOffsetDelta: 0, recordsCount: 1, baseTimestamp: 0, maxTimestamp: 0, records: encodeRecords([{ key: null, value: Buffer.alloc(100) }]),
  });
  const offsets = new Array<bigint>(PARTITIONS).fill(0n);
  const part = (p: number) => ({
    partition: p, currentLeaderEpoch: -1, fetchOffset: offsets[p]!, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20,
  });

  async function run(label: string, request: (i: number) => { sessionId: number; sessionEpoch: number; partitions: number[] }) {
    let requestBytes = 0;
    let responseBytes = 0;
    let cpu = 0n;
    for (let i = 0; i < FETCHES; i++) {
      // Between fetches, 10 partitions get a record (appending is not counted).
      for (let k = 0; k < BUSY; k++) await broker.services.topics.partitionLog('many', (i * BUSY + k) % PARTITIONS)!.append(batch());
      const r = request(i);
      const wire = requestCodec.encode({
        clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 0, maxBytes: 50 << 20,
        isolationLevel: 0, sessionId: r.sessionId, sessionEpoch: r.sessionEpoch, rackId: '', forgottenTopicsData: [],
        topics: r.partitions.length === 0 ? [] : [{ topic: '', topicId: topic.id, partitions: r.partitions.map(part) }],
      } as never);
      requestBytes += size(wire);
      const bytes = Buffer.concat(wire);
      const start = process.cpuUsage();
      const req = requestCodec.read(new Reader(bytes, 0, bytes.length)) as unknown as Request<typeof FetchRequest & never>;
      const res = (await fetchHandler.handle(req as never, ctx))!;
      const out = responseCodec.encode(res as never);
      const used = process.cpuUsage(start);
      cpu += BigInt(used.user + used.system);
      responseBytes += size(out);
      for (const t of res.responses) for (const p of t.partitions) offsets[p.partitionIndex] = p.highWatermark;
      if (i === 0 && label === 'incremental') session = res.sessionId;
    }
    const per = (n: number | bigint) => (Number(n) / FETCHES).toFixed(0);
    console.log(`${label.padEnd(12)} ${per(cpu).padStart(6)} µs CPU/fetch   request ${per(requestBytes).padStart(6)} B   response ${per(responseBytes).padStart(6)} B`);
  }

  let session = 0;
  const all = Array.from({ length: PARTITIONS }, (_, p) => p);
  console.log(`Fetch v${VERSION}, ${PARTITIONS} partitions, ${BUSY} with a new record per fetch, ${FETCHES} fetches each`);
  await run('sessionless', () => ({ sessionId: 0, sessionEpoch: -1, partitions: all }));
  // The first request creates the session; after it, only partitions whose position moved are named.
  let moved: number[] = [];
  await run('incremental', (i) => {
    const r = i === 0 ? { sessionId: 0, sessionEpoch: 0, partitions: all } : { sessionId: session, sessionEpoch: i, partitions: moved };
    moved = Array.from({ length: BUSY }, (_, k) => (i * BUSY + k) % PARTITIONS);
    return r;
  });
  await broker.close();
}

await main();
