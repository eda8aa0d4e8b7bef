import { mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Broker } from '../src/broker.js';
import { BrokerConfig } from '../src/config/broker-config.js';
import { batch } from './log/helpers.js';

/**
 * Recovery rebuilds a segment's indexes from the log, so it must run under the topic's own
 * settings: an index.interval.bytes or segment.index.bytes override shapes the rebuilt index.
 */
describe('recovery under topic overrides', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tafka-recovery-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const start = () =>
    Broker.start({ config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0'], ['log.dirs', dataDir]]) });
  const indexBytes = async (topic: string) => (await stat(join(dataDir, `${topic}-0`, '00000000000000000000.index'))).size;

  it('rebuilds the offset index after an unclean shutdown with the topic overrides', async () => {
    let broker = await start();
    await broker.services.topics.create('dense', 1, { 'index.interval.bytes': '0' });
    await broker.services.topics.create('capped', 1, { 'index.interval.bytes': '0', 'segment.index.bytes': '24' });
    await broker.services.topics.create('plain', 1);
    for (const topic of ['dense', 'capped', 'plain']) {
      for (let i = 0; i < 10; i++) await broker.services.topics.partitionLog(topic, 0)!.append(batch(1));
    }
    await broker.close();
    // As if the process had been killed: no clean-shutdown marker, so every log is recovered.
    await unlink(join(dataDir, '.kafka_cleanshutdown'));

    broker = await start();
    try {
      // An entry for every batch after the first (8 bytes each); three at most under a 24-byte cap;
      // none under the broker default of one entry per 4096 bytes.
      expect(await indexBytes('dense')).toBe(9 * 8);
      expect(await indexBytes('capped')).toBe(3 * 8);
      expect(await indexBytes('plain')).toBe(0);
    } finally {
      await broker.close();
    }
  });
});
