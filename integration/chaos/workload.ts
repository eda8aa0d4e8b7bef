/**
 * What `make chaos` runs against a broker while it kills it: producers that remember exactly which
 * records were acknowledged, a consumer group that remembers which commits were, and the checks
 * that compare those memories with what the broker serves afterwards.
 *
 * Producers are idempotent (KafkaJS `idempotent: true`, acks=all): a send the client retries across
 * a crash must not be written twice. A send that fails for good is not retried with the same
 * values (that would be a client-made duplicate); its records are "unknown" — they may or may not
 * be in the log — and the producer starts over with a new producer id.
 */
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { kcat, type BrokerHandle } from '../harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ProduceLoad {
  /** Values the broker acknowledged. */
  readonly acked = new Set<string>();
  /** Values of sends that failed: possibly written, never retried. */
  readonly unknown = new Set<string>();
  failedSends = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private next = 0;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly partitions: number,
    private readonly tag: string,
    private readonly perSend = 10,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let producer: Producer | undefined;
    while (this.running) {
      const values = Array.from({ length: this.perSend }, () => `${this.tag}-${this.next++}`);
      try {
        producer ??= await this.connect();
        await producer.send({
          topic: this.topic,
          acks: -1,
          messages: values.map((value, i) => ({ value, partition: (this.next + i) % this.partitions })),
        });
        for (const v of values) this.acked.add(v);
      } catch {
        this.failedSends++;
        for (const v of values) this.unknown.add(v);
        await producer?.disconnect().catch(() => {});
        producer = undefined;
        await sleep(100);
      }
    }
    await producer?.disconnect().catch(() => {});
  }

  private async connect(): Promise<Producer> {
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 20, maxRetryTime: 2000 } });
    await producer.connect();
    return producer;
  }
}

/** A consumer group member reading a topic and committing each batch it has read, explicitly. */
export class CommitLoad {
  /** Per partition, the highest commit the broker acknowledged. */
  readonly ackedCommits = new Map<number, bigint>();
  failedCommits = 0;
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    readonly groupId: string,
    readonly topic: string,
  ) {}

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 6000, heartbeatInterval: 500, retry: { retries: 50, maxRetryTime: 2000 } });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.messages.length === 0) return;
        const offset = BigInt(batch.lastOffset()) + 1n;
        try {
          await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: offset.toString() }]);
          const before = this.ackedCommits.get(batch.partition) ?? -1n;
          if (offset > before) this.ackedCommits.set(batch.partition, offset);
        } catch {
          this.failedCommits++;
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
  }
}

export interface ProduceVerdict {
  readonly topic: string;
  readonly acked: number;
  readonly stored: number;
  /** Acknowledged values the broker does not serve. */
  readonly lost: string[];
  /** Values the broker serves more than once. */
  readonly duplicates: string[];
  /** Values served that no send ever carried. */
  readonly foreign: string[];
}

/** The verdict's counts, for a summary line. */
export const counts = (v: ProduceVerdict) => ({
  topic: v.topic,
  acked: v.acked,
  stored: v.stored,
  lost: v.lost.length,
  duplicates: v.duplicates.length,
  foreign: v.foreign.length,
});

/** What must be empty: the first few lost, duplicated and foreign values (a readable test failure). */
export const problems = (v: ProduceVerdict) => ({ lost: v.lost.slice(0, 10), duplicates: v.duplicates.slice(0, 10), foreign: v.foreign.slice(0, 10) });
export const NO_PROBLEMS = { lost: [], duplicates: [], foreign: [] };

/** Reads the whole topic with kcat (librdkafka) and compares it with what the producer knows. */
export function verifyProduced(broker: BrokerHandle, load: ProduceLoad): ProduceVerdict {
  const r = kcat(broker, ['-C', '-t', load.topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], undefined, 300_000);
  if (r.status !== 0) throw new Error(`kcat failed: ${r.stderr}`);
  const seen = new Map<string, number>();
  for (const v of r.stdout.split('\n')) if (v) seen.set(v, (seen.get(v) ?? 0) + 1);
  return {
    topic: load.topic,
    acked: load.acked.size,
    stored: [...seen.values()].reduce((a, b) => a + b, 0),
    lost: [...load.acked].filter((v) => !seen.has(v)),
    duplicates: [...seen].filter(([, n]) => n > 1).map(([v]) => v),
    foreign: [...seen.keys()].filter((v) => !load.acked.has(v) && !load.unknown.has(v)),
  };
}

/** Committed offsets that went back below an acknowledged commit, or beyond the log end. */
export async function verifyCommits(admin: Admin, load: CommitLoad): Promise<string[]> {
  const problems: string[] = [];
  const [committed] = await admin.fetchOffsets({ groupId: load.groupId, topics: [load.topic] });
  const ends = new Map((await admin.fetchTopicOffsets(load.topic)).map((p) => [p.partition, BigInt(p.high)]));
  for (const p of committed!.partitions) {
    const offset = BigInt(p.offset);
    const acked = load.ackedCommits.get(p.partition) ?? -1n;
    if (offset < acked) problems.push(`partition ${p.partition}: committed ${offset} < acknowledged ${acked}`);
    if (offset > (ends.get(p.partition) ?? 0n)) problems.push(`partition ${p.partition}: committed ${offset} beyond the log end`);
  }
  return problems;
}
