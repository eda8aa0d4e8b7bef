/**
 * Upgrade: a data directory written by a Tafka that kept every group in `__consumer_offsets-0` (and
 * never registered the topic) — test/fixtures/data-dir-0.x, made by the script next to it — opens with
 * every committed offset and group intact, `__consumer_offsets` now an internal topic of
 * offsets.topic.num.partitions partitions, each group in the partition its id hashes to.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import type { GroupCoordinator } from '../../src/group/coordinator.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'data-dir-0.x');

/** What the fixture's script committed (see test/fixtures/data-dir-0.x.fill.mjs). */
const COMMITTED: [group: string, topic: string, partition: number, offset: bigint][] = [
  ['orders', 'legacy-a', 0, 99n], ['orders', 'legacy-a', 2, 20n],
  ['billing', 'legacy-a', 0, 11n], ['billing', 'legacy-a', 2, 21n], ['billing', 'legacy-b', 0, 7n],
  ['audit', 'legacy-a', 0, 12n], ['audit', 'legacy-a', 2, 22n],
  ['g-42', 'legacy-a', 0, 13n], ['g-42', 'legacy-a', 2, 23n],
  ['analytics', 'legacy-a', 0, 14n], ['analytics', 'legacy-a', 2, 24n],
  ['live-consumers', 'legacy-b', 0, 2n],
];

describe('upgrading a data directory with a one-partition __consumer_offsets', () => {
  let dir: string;
  let broker: Broker | undefined;
  afterEach(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    broker = await Broker.start({ config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0'], ['log.dirs', dir]]) });
    return broker;
  };
  const offsetsOf = (b: Broker) => COMMITTED.map(([g, t, p]) =>
    (b.services.groups as GroupCoordinator).fetchOffsets(g, [{ name: t, partitions: [p] }]).offsets[0]!.offset);

  it('keeps every offset and group, registers the topic with 50 partitions and moves each group to its own', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tafka-upgrade-'));
    cpSync(FIXTURE, dir, { recursive: true });
    expect(readdirSync(dir).filter((d) => d.startsWith('__consumer_offsets'))).toEqual(['__consumer_offsets-0']);

    let b = await start();
    expect(offsetsOf(b)).toEqual(COMMITTED.map((c) => c[3]));
    const topic = b.services.topics.get('__consumer_offsets')!;
    expect(topic).toMatchObject({ partitions: 50, internal: true, configs: { 'cleanup.policy': 'compact' } });
    expect(existsSync(join(dir, '__consumer_offsets-49'))).toBe(true);
    // The deleted group stays deleted; the consumer group is back, Empty, with its protocol.
    const groups = b.services.groups;
    expect(groups.describeGroup('gone').errorCode).toBe(69);
    expect(groups.describeGroup('live-consumers')).toMatchObject({ state: 'Empty', protocolType: 'consumer' });
    // Each group's records now live in its own partition, e.g. orders in 31 (a real client reads them there).
    const kafka = new Kafka({ brokers: [`127.0.0.1:${b.port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
    expect(meta.topics[0]!.partitions).toHaveLength(50);
    const ends = await admin.fetchTopicOffsets('__consumer_offsets');
    const nonEmpty = ends.filter((e) => e.high !== e.low).map((e) => e.partition).sort((x, y) => x - y);
    const home = (g: string) => (b.services.groups as GroupCoordinator).partitionFor(g);
    expect(nonEmpty).toEqual([...new Set(['orders', 'billing', 'audit', 'g-42', 'analytics', 'live-consumers'].map(home))].sort((x, y) => x - y));
    await admin.disconnect();

    // Restart: nothing more to move, everything still there.
    await b.close();
    b = await start();
    expect(offsetsOf(b)).toEqual(COMMITTED.map((c) => c[3]));
    expect(b.services.topics.get('__consumer_offsets')!.partitions).toBe(50);
  });
});
