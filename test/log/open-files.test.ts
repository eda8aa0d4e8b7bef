import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../src/log/file-storage.js';
import { LogManager, renamedDirName } from '../../src/log/log-manager.js';
import { MemoryStorage } from '../../src/log/memory-storage.js';
import { batch, InstrumentedStorage, testConfig } from './helpers.js';

/** Issue 11 item 2: open files do not grow with the number of partitions. */
describe('file descriptors are bounded by tafka.log.max.open.files', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tafka-fds-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const PARTITIONS = 200;
  const CAPACITY = 12;

  async function open(storage: FileStorage) {
    const never = 1e9;
    return LogManager.open({
      storage,
      config: testConfig(),
      retentionCheckIntervalMs: never,
      checkpointIntervalMs: never,
      producerIdExpirationCheckIntervalMs: never,
    });
  }

  it('writes, reads, closes and reopens 200 partitions (3 files each) through 12 descriptors', async () => {
    const storage = await FileStorage.create(dataDir, CAPACITY);
    let peak = 0;
    const watch = () => void (peak = Math.max(peak, storage.openFiles));
    const manager = await open(storage);
    for (let p = 0; p < PARTITIONS; p++) await manager.createLog('many', p);
    watch();
    // Every partition written concurrently, each with two appends in flight.
    await Promise.all(
      Array.from({ length: PARTITIONS }, async (_, p) => {
        const log = manager.getLog('many', p)!;
        await Promise.all([log.append(batch(2, { tag: p })), log.append(batch(1, { tag: p }))]);
        watch();
      }),
    );
    for (let p = 0; p < PARTITIONS; p += 7) {
      const read = await manager.getLog('many', p)!.read(0n, 1 << 20);
      expect(read.records).toEqual(Buffer.concat([withOffset(batch(2, { tag: p }), 0n), withOffset(batch(1, { tag: p }), 2n)]));
      watch();
    }
    await manager.close();
    expect(storage.openFiles).toBe(0);

    const reopened = await FileStorage.create(dataDir, CAPACITY);
    const again = await open(reopened);
    expect(again.allLogs()).toHaveLength(PARTITIONS);
    await Promise.all(again.allLogs().map(async (log) => void (await log.append(batch(1)))));
    expect(again.getLog('many', 199)!.logEndOffset).toBe(4n);
    peak = Math.max(peak, reopened.openFiles);
    await again.close();
    expect(peak).toBeLessThanOrEqual(CAPACITY);
    expect(peak).toBeGreaterThan(0);
  });

  it('a file whose descriptor was closed reopens where renames moved it', async () => {
    const storage = await FileStorage.create(dataDir, 2);
    await storage.makeDir('d');
    const a = await storage.open('d', 'a.log', true);
    await a.append([Buffer.from('hello')]);
    for (const name of ['b', 'c']) await (await storage.open('d', name, true)).append([Buffer.from(name)]);
    expect(storage.openFiles).toBe(2); // a's descriptor was closed for c's
    await storage.rename('d', 'a.log', 'a.log.deleted'); // Kafka's first deletion step: reads go on
    expect((await a.read(0, 5)).toString()).toBe('hello');
    for (const name of ['b', 'c']) await (await storage.open('d', name, false)).read(0, 1);
    await storage.renameDir('d', 'd.1234-delete');
    expect((await a.read(1, 4)).toString()).toBe('ello');
    await a.close();
  });
});

/** Issue 11 item 2: restart cost does not grow with data, and idle partitions shut down for free. */
describe('closing partitions nobody wrote since a clean start', () => {
  it('writes and fsyncs nothing for them, and the next start is still clean', async () => {
    const storage = new InstrumentedStorage(new MemoryStorage());
    const first = await LogManager.open({ storage, config: testConfig() });
    for (let p = 0; p < 50; p++) await (await first.createLog('idle', p)).append(batch(2));
    await first.close();

    const second = await LogManager.open({ storage, config: testConfig() });
    await second.getLog('idle', 7)!.append(batch(1)); // one partition is written
    const [syncs, writes] = [storage.syncs, storage.atomicWrites];
    await second.close();
    // The written partition: its log and two indexes fsynced, its producer snapshot written; then the
    // two checkpoint files and the clean-shutdown marker. The 49 others: nothing.
    expect(storage.syncs - syncs).toBe(3);
    expect(storage.atomicWrites - writes).toBe(1 + 3);

    // Still a clean start: no log is recovered (see test/log/recovery.test.ts for what that reads).
    const third = await LogManager.open({ storage, config: testConfig() });
    expect(third.getLog('idle', 7)!.logEndOffset).toBe(3n);
    expect(third.getLog('idle', 8)!.logEndOffset).toBe(2n);
    expect(await third.getLog('idle', 8)!.append(batch(1))).toMatchObject({ baseOffset: 2n });
    await third.close();
  });
});

/** Issue 11 items 5 and 6: what start-up does with directories no topic claims, and long names. */
describe('partition directories at start-up', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tafka-stray-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('removes empty orphans, sets orphans with data aside as -stray, and opens claimed ones', async () => {
    const first = await LogManager.open({ dataDir, config: testConfig() });
    await first.createLog('kept', 0);
    await (await first.createLog('orphan', 0)).append(batch(3));
    await first.createLog('empty-orphan', 0);
    await (await first.createLog('kept', 1)).append(batch(1)); // beyond the registered count below
    await first.close();
    await mkdir(join(dataDir, 'not a partition'));
    await writeFile(join(dataDir, 'not a partition', 'x'), 'y');

    const claimed = new Set(['kept-0']);
    const manager = await LogManager.open({ dataDir, config: testConfig(), isStray: (t, p) => !claimed.has(`${t}-${p}`) });
    expect(manager.allLogs().map((l) => l.dir)).toEqual(['kept-0']);
    const dirs = (await readdir(dataDir)).sort();
    expect(dirs.filter((d) => d.endsWith('-stray')).map((d) => d.replace(/\.[0-9a-f]{32}-stray$/, ''))).toEqual(['kept-1', 'orphan-0']);
    expect(dirs).not.toContain('empty-orphan-0');
    expect(dirs).toContain('not a partition');
    await manager.close();

    // A stray is never opened again, and a new topic of the same name starts empty.
    const again = await LogManager.open({ dataDir, config: testConfig(), isStray: (t, p) => !claimed.has(`${t}-${p}`) && t !== 'orphan' });
    expect(again.getLog('orphan', 0)).toBeUndefined();
    expect((await again.createLog('orphan', 0)).logEndOffset).toBe(0n);
    await again.close();
  });

  it('deletes a partition of a legal 249-character topic: the -delete name is cut to 255 bytes, as Kafka does', async () => {
    const topic = 't'.repeat(249);
    expect(renamedDirName(topic, 12345, '-delete')).toHaveLength(255);
    expect(renamedDirName(topic, 12345, '-delete')).toMatch(/^t+-12345\.[0-9a-f]{32}-delete$/);
    expect(renamedDirName('short', 0, '-stray')).toMatch(/^short-0\.[0-9a-f]{32}-stray$/);
    const manager = await LogManager.open({ dataDir, config: testConfig() });
    await (await manager.createLog(topic, 0)).append(batch(2));
    await manager.createLog(topic, 99999); // `<topic>-99999` is itself 255 bytes
    await manager.deleteLogs(topic);
    expect(manager.allLogs()).toHaveLength(0);
    expect(await readdir(dataDir)).not.toContain(`${topic}-0`);
    await manager.close();
  });
});

/** The bytes a batch has once the log stamped its base offset and leader epoch (0). */
function withOffset(b: Buffer, offset: bigint): Buffer {
  const copy = Buffer.from(b);
  copy.writeBigInt64BE(offset, 0);
  copy.writeInt32BE(0, 12);
  return copy;
}

describe('tafka.log.max.open.files=-1 follows the process open-file limit', () => {
  const limits = async (soft: string) => {
    const dir = await mkdtemp(join(tmpdir(), 'tafka-limits-'));
    const file = join(dir, 'limits');
    await writeFile(file, [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max processes             95366                95366                processes ',
      `Max open files            ${soft.padEnd(20)} 1048576              files     `,
    ].join('\n'));
    return file;
  };

  it('is half the soft limit, at least 64; unlimited gives 65,536; no limits file the fixed 512', async () => {
    const { autoMaxOpenFiles } = await import('../../src/log/file-storage.js');
    expect(autoMaxOpenFiles(await limits('1024'))).toBe(512);
    expect(autoMaxOpenFiles(await limits('20000'))).toBe(10_000);
    expect(autoMaxOpenFiles(await limits('100'))).toBe(64);
    expect(autoMaxOpenFiles(await limits('unlimited'))).toBe(65_536);
    expect(autoMaxOpenFiles('/nonexistent/limits')).toBe(512);
  });
});
