/**
 * Issue 10, item 5: clients older than Kafka 0.11 work against Tafka as against Kafka 3.9 — here
 * sarama 1.22, the version the issue measured, built from Debian's packages (sarama-client.ts).
 *
 * - sarama's defaults speak Kafka 0.8.2: Produce v0 (magic 0 messages, plain and a gzip wrapper),
 *   Fetch v0 (down-converted to magic 0), and a standalone offset manager: OffsetFetch v1 and
 *   OffsetCommit v1 — whose commits Kafka 4 never stores.
 * - config.Version = V0_10_2_0: Produce v2 (magic 1 with timestamps; lz4 and snappy wrappers), a
 *   consumer group (FindCoordinator v0, JoinGroup v1, SyncGroup v0, Heartbeat v0, Fetch v3 with
 *   magic 1 down-conversion) committing with OffsetCommit v1, and a rejoin that resumes there.
 * - config.Version = V0_11_0_0: ClusterAdmin.ListTopics, which sends DescribeConfigs v0.
 * With api.versions.floor=4.0 the same defaults fail, as against Kafka 4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget, startTafka, type BrokerHandle } from './harness.js';
import { buildSaramaClient, runSarama } from './sarama-client.js';

const target = await resolveTarget();

describe.skipIf(target.kind !== 'tafka')('sarama 1.22 (Kafka 0.8-0.11 protocol versions)', () => {
  let broker: BrokerHandle;
  let client: string;
  beforeAll(async () => {
    client = buildSaramaClient();
    broker = await startTafka();
  }, 300_000);
  afterAll(async () => broker?.stop());

  it('with its defaults: produces magic 0 messages (plain and gzip), consumes them, commits and reads back an offset', async () => {
    const run = await runSarama(client, ['legacy', broker.bootstrap, 'sarama-legacy', 'sarama-legacy-group']);
    expect(run.status, run.stderr).toBe(0);
    const consumed = (run.output!.consumed as { offset: number; key: string; value: string; timestamp: number }[]);
    expect(run.output!.produced).toEqual([0, 1, 2, 3, 4, 5]);
    expect(consumed.map((m) => [m.offset, m.value])).toEqual([[0, 'a'], [1, 'b'], [2, 'c'], [3, 'd'], [4, 'e'], [5, 'f']]);
    expect(consumed.every((m) => m.timestamp === -1)).toBe(true); // magic 0 has no timestamps
    expect(run.output!.before).toBe(-1); // nothing committed yet: sarama starts at Offsets.Initial
    expect([run.output!.committed, run.output!.metadata]).toEqual([6, 'done']); // OffsetCommit v1 stored it
  });

  it('as Kafka 0.10.2: magic 1 with timestamps and compression, a consumer group that commits and resumes', async () => {
    const run = await runSarama(client, ['group', broker.bootstrap, 'sarama-group', 'sarama-group-group']);
    expect(run.status, run.stderr).toBe(0);
    const consumed = (run.output!.consumed as { offset: number; key: string; value: string; timestamp: number }[]);
    expect(consumed.map((m) => [m.offset, m.value, m.timestamp])).toEqual([
      [0, 'g', 1700000000000], [1, 'h', 1700000001000], [2, 'i', 1700000002000],
      [3, 'j', 1700000060000], [4, 'k', 1700000061000], [5, 'l', 1700003600000],
    ]);
    expect(run.output!.resumedAt).toBe(6); // the rejoined member starts after what it committed
  });

  it('as Kafka 0.11: ClusterAdmin.ListTopics answers every topic\'s configs (DescribeConfigs v0)', async () => {
    const run = await runSarama(client, ['admin', broker.bootstrap, 'sarama-group']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.output!.partitions).toBe(1);
    expect(run.output!.configs).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': '604800000', 'message.timestamp.type': 'CreateTime' });
  });

  it('fails against api.versions.floor=4.0, as against Kafka 4: Produce v0 closes the connection', async () => {
    const kafka4 = await startTafka({ overrides: { 'api.versions.floor': '4.0' } });
    try {
      const run = await runSarama(client, ['legacy', kafka4.bootstrap, 'sarama-floor', 'sarama-floor-group'], 60_000);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/send:/);
    } finally {
      await kafka4.stop();
    }
  });
});
