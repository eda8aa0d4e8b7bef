/**
 * Producing: records to partitions (an explicit partition, the Java client's murmur2 hash of the
 * key, or one partition per call for unkeyed records, like Kafka's sticky partitioner), one batch
 * per partition, one Produce request per leader.
 */
import { errorInfo } from '../../protocol/errors.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import { check, type KafkaClient, type TopicMetadata } from './client.js';
import { ClientError } from './errors.js';
import { partitionForKey, produceBatch, type CompressionName, type ProducerRecord } from './records.js';

export interface ProducerOptions {
  /** -1 (all in-sync replicas), 1 (the leader), 0 (no answer). Kafka's default: -1. */
  readonly acks: -1 | 0 | 1;
  readonly compression: CompressionName;
  /** How long the broker may wait for acks (Produce's timeout_ms). */
  readonly timeoutMs?: number;
}

export interface OutgoingRecord extends ProducerRecord {
  /** Explicit partition; otherwise chosen from the key. */
  partition?: number;
}

export interface ProduceResult {
  readonly partition: number;
  /** The offset of the batch's first record; -1 with acks=0. */
  readonly baseOffset: bigint;
  readonly count: number;
}

const RETRIES = 5;

export class Producer {
  constructor(
    private readonly client: KafkaClient,
    private readonly opts: ProducerOptions,
  ) {}

  /** Metadata for a topic that may still be being created (auto-creation answers LEADER_NOT_AVAILABLE first). */
  private async topicFor(topic: string): Promise<TopicMetadata> {
    for (let attempt = 0; ; attempt++) {
      const t = (await this.client.metadata([topic], true)).topics[0];
      const code = t?.errorCode ?? 3;
      const ready = code === 0 && t!.partitions.length > 0 && t!.partitions.every((p) => p.leader >= 0);
      if (ready) return t!;
      if ((code !== 0 && !errorInfo(code).retriable) || attempt >= RETRIES * 4) check(code || 5, `topic ${topic}`);
      await this.client.sleep(100);
    }
  }

  async send(topic: string, records: OutgoingRecord[]): Promise<ProduceResult[]> {
    if (records.length === 0) return [];
    for (let attempt = 0; ; attempt++) {
      const meta = await this.topicFor(topic);
      const byPartition = this.partition(meta, records);
      try {
        return await this.sendOnce(meta, byPartition);
      } catch (err) {
        const retriable = (err as { retriable?: boolean }).retriable === true;
        if (!retriable || attempt >= RETRIES) throw err;
        await this.client.sleep(100 * (attempt + 1));
      }
    }
  }

  private partition(meta: TopicMetadata, records: OutgoingRecord[]): Map<number, ProducerRecord[]> {
    const count = meta.partitions.length;
    const sticky = Math.floor(Math.random() * count);
    const out = new Map<number, ProducerRecord[]>();
    for (const r of records) {
      const p = r.partition ?? (r.key ? partitionForKey(r.key, count) : sticky);
      if (p < 0 || p >= count) throw new ClientError(`topic ${meta.name} has partitions 0-${count - 1}; there is no partition ${p}`);
      let list = out.get(p);
      if (!list) out.set(p, (list = []));
      list.push(r);
    }
    return out;
  }

  private async sendOnce(meta: TopicMetadata, byPartition: Map<number, ProducerRecord[]>): Promise<ProduceResult[]> {
    const byLeader = new Map<number, number[]>();
    for (const p of byPartition.keys()) {
      const leader = meta.partitions[p]!.leader;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const results: ProduceResult[] = [];
    await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        const r = await this.client.send(
          Produce,
          {
            acks: this.opts.acks,
            timeoutMs: this.opts.timeoutMs ?? 30_000,
            topicData: [{
              name: meta.name,
              partitionData: partitions.map((index) => ({ index, records: produceBatch(byPartition.get(index)!, this.opts.compression) })),
            }],
          },
          { target: leader, expectResponse: this.opts.acks !== 0 },
        );
        if (this.opts.acks === 0) {
          for (const p of partitions) results.push({ partition: p, baseOffset: -1n, count: byPartition.get(p)!.length });
          return;
        }
        for (const t of r.responses) {
          for (const p of t.partitionResponses) {
            check(p.errorCode, `produce to ${meta.name}-${p.index}`, p.errorMessage);
            results.push({ partition: p.index, baseOffset: p.baseOffset, count: byPartition.get(p.index)!.length });
          }
        }
      }),
    );
    return results.sort((a, b) => a.partition - b.partition);
  }
}
