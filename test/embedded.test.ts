/**
 * The library entry's startBroker: options, in memory or on disk, and failures that reject cleanly.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KafkaClient } from '../src/client/client.js';
import { startBroker } from '../src/index.js';

describe('startBroker', () => {
  it('runs in memory on a free port with the configs given, and warns about keys it does not use', async () => {
    const lines: { level: number; msg: string; key?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const broker = await startBroker({ configs: { 'num.partitions': 5, 'no.such.key': true }, logger });
    try {
      expect(broker.bootstrap).toBe(`127.0.0.1:${broker.port}`);
      expect(broker.port).toBeGreaterThan(0);
      expect(lines).toEqual([expect.objectContaining({ level: 40, key: 'no.such.key' })]);
      const client = await KafkaClient.connect({ brokers: [broker.bootstrap] });
      const md = await client.metadata(['auto'], true);
      client.close();
      expect(md.topics[0]!.partitions).toHaveLength(5);
    } finally {
      await broker.stop();
      await broker.stop(); // a second stop is harmless
    }
  });

  it('keeps its logs in dataDir when given one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tafka-embedded-'));
    try {
      const broker = await startBroker({ dataDir: dir });
      await broker.stop();
      expect(existsSync(join(dir, 'meta.properties'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a malformed config value, and a port in use, without leaving a broker behind', async () => {
    await expect(startBroker({ configs: { 'num.partitions': 'three' } })).rejects.toThrow('Invalid value "three" for configuration num.partitions');
    const first = await startBroker();
    try {
      await expect(startBroker({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.stop();
    }
  });
});
