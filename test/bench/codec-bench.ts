/**
 * Codec micro-benchmark: decode and encode throughput of two messages that dominate a broker's work.
 *
 * - Metadata v12 response, 100 topics × 10 partitions: many small fields, the interpreter's worst case.
 * - Produce v9 request, 8 partitions × 16 KB of records: few fields, big opaque `records` chunks
 *   (views on decode, passed through as chunks on encode, so this measures the overhead around them).
 *
 *   npx tsc -p tsconfig.build.json && node dist/test/bench/codec-bench.js [seconds per case, default 1]
 */
import { MetadataResponse } from '../../protocol/messages/03-metadata.js';
import { ProduceRequest } from '../../protocol/messages/00-produce.js';
import type { MessageSpec } from '../../protocol/schema.js';
import { codecFor, type MessageCodec } from '../../src/codec/interpret.js';
import { generate } from './codegen-experiment.js';

const SECONDS = Number(process.argv[2] ?? 1);

function metadataResponse() {
  const uuid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
  return {
    throttleTimeMs: 0,
    brokers: [1, 2, 3].map((nodeId) => ({ nodeId, host: `broker-${nodeId}.example.com`, port: 9092, rack: null })),
    clusterId: 'h48J9r_fCNt3hiRjJeME-g',
    controllerId: 1,
    topics: Array.from({ length: 100 }, (_, t) => ({
      errorCode: 0,
      name: `orders.events.topic-${t}`,
      topicId: uuid(t),
      isInternal: false,
      partitions: Array.from({ length: 10 }, (_, p) => ({
        errorCode: 0,
        partitionIndex: p,
        leaderId: (p % 3) + 1,
        leaderEpoch: 7,
        replicaNodes: [1, 2, 3],
        isrNodes: [1, 2, 3],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: -2147483648,
    })),
    clusterAuthorizedOperations: -2147483648,
    errorCode: 0,
  };
}

function produceRequest() {
  const records = (seed: number) => Buffer.alloc(16 * 1024, seed);
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [0, 1].map((t) => ({
      name: `orders-${t}`,
      topicId: '00000000-0000-0000-0000-000000000000',
      partitionData: [0, 1, 2, 3].map((index) => ({ index, records: records(t * 4 + index) })),
    })),
  };
}

/** Runs fn repeatedly for about SECONDS and returns operations per second. */
function measure(fn: () => void): number {
  for (let i = 0; i < 200; i++) fn(); // warm up: let V8 optimise before timing
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(SECONDS * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 50; i++) fn();
    ops += 50;
    elapsed = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsed) / 1e9);
}

function bench(label: string, spec: MessageSpec, version: number, value: unknown): void {
  const codec = codecFor(spec, version) as MessageCodec<unknown>;
  const gen = generate(spec, version);
  const bytes = Buffer.concat(codec.encode(value));
  // The experiment must agree with the interpreter byte for byte, both ways.
  if (!Buffer.concat(gen.encode(value)).equals(bytes)) throw new Error(`${label}: generated encoder differs`);
  if (!Buffer.concat(codec.encode(gen.decode(bytes))).equals(bytes)) throw new Error(`${label}: generated decoder differs`);
  let sink = 0;
  const mb = bytes.length / 1e6;
  console.log(`${label}: ${bytes.length} bytes`);
  const row = (op: string, ops: number) =>
    console.log(`  ${op.padEnd(26)} ${ops.toFixed(0).padStart(8)} ops/s  ${(ops * mb).toFixed(0).padStart(6)} MB/s`);
  row('decode (interpreter)', measure(() => void (sink += codec.decode(bytes) ? 1 : 0)));
  row('decode (new Function)', measure(() => void (sink += gen.decode(bytes) ? 1 : 0)));
  row('encode (interpreter)', measure(() => void (sink += codec.encode(value).length)));
  row('encode (new Function)', measure(() => void (sink += gen.encode(value).length)));
  if (sink === -1) console.log(sink); // keeps the results observable so nothing is optimised away
}

bench('Metadata v12 response, 100 topics × 10 partitions', MetadataResponse, 12, metadataResponse());
bench('Produce v9 request, 8 partitions × 16 KB records', ProduceRequest, 9, produceRequest());
