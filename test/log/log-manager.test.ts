import { mkdtemp, readdir, readFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from '../../src/log/checkpoint.js';
import { logConfigFromProperties, defaultLogConfig, NEVER } from '../../src/config/log-config.js';
import { LogManager } from '../../src/log/log-manager.js';
import { batch, testConfig } from './helpers.js';

describe('LogManager on a data directory', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tafka-lm-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const open = () => LogManager.open({ dataDir, config: testConfig() });

  it('writes Kafka checkpoints and the clean-shutdown marker on close, and removes the marker on open', async () => {
    const manager = await open();
    const a = await manager.createLog('orders', 0);
    await manager.createLog('orders', 1);
    await a.append(batch(3));
    await a.deleteRecordsBefore(1n);
    await manager.close();
    const files = await readdir(dataDir);
    expect(files.sort()).toEqual(['.kafka_cleanshutdown', 'log-start-offset-checkpoint', 'orders-0', 'orders-1', 'recovery-point-offset-checkpoint']);
    const recovery = parseCheckpoint(await readFile(join(dataDir, 'recovery-point-offset-checkpoint')));
    expect(recovery.sort((x, y) => x.partition - y.partition)).toEqual([
      { topic: 'orders', partition: 0, offset: 3n },
      { topic: 'orders', partition: 1, offset: 0n },
    ]);
    const start = (await readFile(join(dataDir, 'log-start-offset-checkpoint'), 'utf8')).split('\n');
    expect(start.slice(0, 2)).toEqual(['0', '2']);
    expect(start).toContain('orders 0 1');
    expect(JSON.parse(await readFile(join(dataDir, '.kafka_cleanshutdown'), 'utf8'))).toEqual({ version: '0', broker_epoch: '-1' });

    const again = await open();
    expect(await readdir(dataDir)).not.toContain('.kafka_cleanshutdown');
    expect(again.getLog('orders', 0)!.logStartOffset).toBe(1n);
    expect(again.allLogs().length).toBe(2);
    await again.close();
  });

  it('deletes a topic by renaming its directories to -delete first, and ignores non-log directories', async () => {
    await mkdir(join(dataDir, 'not a log'));
    await mkdir(join(dataDir, 'old-0.abc-delete'));
    const manager = await open();
    expect(await readdir(dataDir)).not.toContain('old-0.abc-delete');
    await manager.createLog('gone', 0);
    await manager.createLog('gone', 1);
    await manager.createLog('kept', 0);
    await manager.deleteLogs('gone');
    expect(manager.getLog('gone', 0)).toBeUndefined();
    expect((await readdir(dataDir)).filter((d) => d.includes('-'))).toEqual(['kept-0']);
    await manager.close();
  });

  it('refuses illegal topic names with INVALID_TOPIC_EXCEPTION', async () => {
    const manager = await open();
    for (const name of ['', '..', 'a/b', 'x'.repeat(250), 'sp ace']) {
      await expect(manager.createLog(name, 0)).rejects.toMatchObject({ errorCode: 17 });
    }
    await manager.close();
  });

  it('runs retention for every log', async () => {
    const manager = await LogManager.open({ dataDir, config: testConfig({ segmentBytes: batch(1).length, retentionBytes: 0 }) });
    const log = await manager.createLog('t', 0);
    for (let i = 0; i < 4; i++) await log.append(batch(1));
    expect(await manager.runRetention()).toBe(3);
    expect(log.logStartOffset).toBe(3n);
    await manager.close();
  });
});

describe('LogManager without a data directory', () => {
  it('keeps logs in memory with the same semantics', async () => {
    const manager = await LogManager.open({ config: testConfig() });
    expect(manager.dataDir).toBeUndefined();
    const log = await manager.createLog('t', 0);
    await log.append(batch(2));
    expect((await log.read(0n, 1000)).records.length).toBe(batch(2).length);
    await manager.close();
  });
});

describe('checkpoint files', () => {
  it('round-trips and rejects malformed content', () => {
    const entries = [{ topic: 'a.b-c', partition: 12, offset: 345n }];
    expect(parseCheckpoint(formatCheckpoint(entries))).toEqual(entries);
    expect(formatCheckpoint(entries).toString()).toBe('0\n1\na.b-c 12 345\n');
    expect(() => parseCheckpoint(Buffer.from('1\n0\n'))).toThrow();
    expect(() => parseCheckpoint(Buffer.from('0\n2\na 0 1\n'))).toThrow();
    expect(() => parseCheckpoint(Buffer.from('0\n1\na zero 1\n'))).toThrow();
  });
});

describe('log config from Kafka properties', () => {
  it('maps broker and topic names, with .ms winning over .hours', () => {
    const c = logConfigFromProperties({
      'log.roll.hours': '2',
      'log.retention.hours': '1',
      'log.retention.ms': '5000',
      'segment.bytes': '1000',
      'log.flush.interval.messages': '9223372036854775807',
      'message.timestamp.type': 'LogAppendTime',
      'unrelated.setting': 'x',
    });
    expect(c.segmentMs).toBe(7_200_000);
    expect(c.retentionMs).toBe(5000);
    expect(c.segmentBytes).toBe(1000);
    expect(c.flushIntervalMessages).toBe(NEVER);
    expect(c.messageTimestampType).toBe('LogAppendTime');
    expect(c.indexIntervalBytes).toBe(defaultLogConfig.indexIntervalBytes);
    expect(() => logConfigFromProperties({ 'segment.bytes': 'lots' })).toThrow();
  });
});
