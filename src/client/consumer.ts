/**
 * Reading partitions: where to start (ListOffsets: earliest, latest, or the first offset at or after
 * a timestamp), and a fetch loop over a set of partitions that keeps each one's position and high
 * watermark, so a caller can stop at the end of the log.
 */
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { Fetch } from '../../protocol/messages/01-fetch.js';
import { ListOffsets } from '../../protocol/messages/02-list-offsets.js';
import { check, type KafkaClient } from './client.js';
import { ClientError } from './errors.js';
import { recordsOf, type ConsumedRecord } from './records.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export const tpKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/** ListOffsets' special timestamps. */
export const LATEST = -1n;
export const EARLIEST = -2n;

/** Groups partitions by their leader, from fresh metadata. */
async function byLeader(client: KafkaClient, partitions: readonly TopicPartition[]): Promise<Map<number, TopicPartition[]>> {
  const topics = [...new Set(partitions.map((p) => p.topic))];
  const md = await client.metadata(topics);
  const leaders = new Map<string, number>();
  for (const t of md.topics) {
    check(t.errorCode, `topic ${t.name}`);
    for (const p of t.partitions) leaders.set(tpKey(t.name, p.partition), p.leader);
  }
  const out = new Map<number, TopicPartition[]>();
  for (const tp of partitions) {
    const leader = leaders.get(tpKey(tp.topic, tp.partition));
    if (leader === undefined) throw new ClientError(`topic ${tp.topic} has no partition ${tp.partition}`);
    out.set(leader, [...(out.get(leader) ?? []), tp]);
  }
  return out;
}

/**
 * Offsets for a timestamp (or EARLIEST / LATEST), by `tpKey`. A timestamp later than every record
 * has no offset in Kafka's answer (-1); that means "the end", which is what tools use it for.
 */
export async function listOffsets(client: KafkaClient, partitions: readonly TopicPartition[], timestamp: bigint): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  const latest = timestamp >= 0n ? await listOffsets(client, partitions, LATEST) : undefined;
  for (const [leader, tps] of await byLeader(client, partitions)) {
    const topics = [...new Set(tps.map((tp) => tp.topic))].map((name) => ({
      name,
      partitions: tps.filter((tp) => tp.topic === name).map((tp) => ({ partitionIndex: tp.partition, timestamp })),
    }));
    const r = await client.send(ListOffsets, { replicaId: -1, topics }, { target: leader });
    for (const t of r.topics) {
      for (const p of t.partitions) {
        check(p.errorCode, `ListOffsets ${t.name}-${p.partitionIndex}`);
        const key = tpKey(t.name, p.partitionIndex);
        out.set(key, p.offset < 0n && latest ? latest.get(key)! : p.offset);
      }
    }
  }
  return out;
}

export interface FetcherOptions {
  /** Where a partition goes when its position is out of range: Kafka's auto.offset.reset. */
  readonly reset: 'earliest' | 'latest';
  readonly maxWaitMs?: number;
}

interface Position {
  readonly tp: TopicPartition;
  offset: bigint;
  /** The high watermark last seen, or -1 before the first fetch. */
  highWatermark: bigint;
}

export class Fetcher {
  private readonly positions = new Map<string, Position>();
  private leaders: Map<number, TopicPartition[]> | undefined;

  constructor(
    private readonly client: KafkaClient,
    private readonly opts: FetcherOptions,
  ) {}

  /** Replaces the partitions read and where each starts. */
  assign(start: ReadonlyMap<string, { tp: TopicPartition; offset: bigint }>): void {
    this.positions.clear();
    for (const [key, s] of start) this.positions.set(key, { tp: s.tp, offset: s.offset, highWatermark: -1n });
    this.leaders = undefined;
  }

  /** The next offset to read per partition (what a consumer commits). */
  offsets(): Map<string, { tp: TopicPartition; offset: bigint }> {
    return new Map([...this.positions].map(([k, p]) => [k, { tp: p.tp, offset: p.offset }]));
  }

  /** True when every partition was fetched at least once and has been read up to its high watermark. */
  atEnd(): boolean {
    for (const p of this.positions.values()) if (p.highWatermark < 0n || p.offset < p.highWatermark) return false;
    return true;
  }

  /** One round of fetches (long-polling up to maxWaitMs): the records that arrived, in offset order per partition. */
  async poll(): Promise<ConsumedRecord[]> {
    if (this.positions.size === 0) {
      await this.client.sleep(this.opts.maxWaitMs ?? 500);
      return [];
    }
    this.leaders ??= await byLeader(this.client, [...this.positions.values()].map((p) => p.tp));
    const rounds = await Promise.all([...this.leaders].map(([leader, tps]) => this.fetchFrom(leader, tps)));
    return rounds.flat();
  }

  private async fetchFrom(leader: number, tps: TopicPartition[]): Promise<ConsumedRecord[]> {
    const maxWaitMs = this.opts.maxWaitMs ?? 500;
    const topics = [...new Set(tps.map((tp) => tp.topic))].map((topic) => ({
      topic,
      partitions: tps
        .filter((tp) => tp.topic === topic)
        .map((tp) => ({ partition: tp.partition, fetchOffset: this.positions.get(tpKey(tp.topic, tp.partition))!.offset, partitionMaxBytes: 1 << 20 })),
    }));
    const r = await this.client.send(
      Fetch,
      { replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 50 << 20, isolationLevel: 0, topics },
      { target: leader, lane: 'fetch', timeoutMs: maxWaitMs + 30_000 },
    );
    check(r.errorCode, 'Fetch');
    const out: ConsumedRecord[] = [];
    const reset: TopicPartition[] = [];
    for (const t of r.responses) {
      for (const p of t.partitions) {
        const pos = this.positions.get(tpKey(t.topic, p.partitionIndex));
        if (!pos) continue;
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          reset.push(pos.tp);
          continue;
        }
        if (p.errorCode !== 0) {
          if (!errorInfo(p.errorCode).retriable) check(p.errorCode, `Fetch ${t.topic}-${p.partitionIndex}`);
          this.leaders = undefined; // leadership moved, or the topic is still being created
          continue;
        }
        pos.highWatermark = p.highWatermark;
        const { records, nextOffset } = recordsOf(t.topic, p.partitionIndex, p.records as Buffer | null, pos.offset);
        pos.offset = nextOffset;
        out.push(...records);
      }
    }
    if (reset.length > 0) {
      const to = await listOffsets(this.client, reset, this.opts.reset === 'earliest' ? EARLIEST : LATEST);
      for (const tp of reset) this.positions.get(tpKey(tp.topic, tp.partition))!.offset = to.get(tpKey(tp.topic, tp.partition))!;
    }
    if (out.length === 0 && this.leaders === undefined) await this.client.sleep(100);
    return out;
  }
}
