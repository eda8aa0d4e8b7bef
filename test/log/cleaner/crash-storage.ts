/**
 * A Storage that dies at a chosen moment, as a process killed with kill -9: operations that change
 * the disk are counted from `arm`, and the `crashAt`-th one does not happen (an append may happen
 * in part: a torn write). What the disk holds at that moment is kept (`crashed`), and every later
 * operation fails, so the dead "process" can change nothing more. Tests reopen the logs from
 * `crashed` and check what recovery makes of it.
 */
import type { MemoryStorage } from '../../../src/log/memory-storage.js';
import type { Storage, StoredFile } from '../../../src/log/storage.js';

export class Crash extends Error {
  constructor() {
    super('killed');
  }
}

export class CrashingStorage implements Storage {
  /** Mutating operations since `arm`. */
  ops = 0;
  private crashAt = Infinity;
  private tornFraction = 0;
  /** The disk as the crash left it. */
  crashed: MemoryStorage | undefined;

  constructor(private readonly inner: MemoryStorage) {}

  get path() {
    return this.inner.path;
  }

  /** Counts from now; the `crashAt`-th mutating operation is where the process dies (Infinity: never). */
  arm(crashAt: number, tornFraction = 0): void {
    this.ops = 0;
    this.crashAt = crashAt;
    this.tornFraction = tornFraction;
  }

  /** Before each mutating operation: dies here when it is time (applying `torn` to the copy first). */
  private async step(torn?: (disk: MemoryStorage) => Promise<void>): Promise<void> {
    if (this.crashed) throw new Crash();
    if (this.ops++ < this.crashAt) return;
    this.crashed = this.inner.clone();
    if (torn && this.tornFraction > 0) await torn(this.crashed);
    throw new Crash();
  }

  private alive(): void {
    if (this.crashed) throw new Crash();
  }

  listDirs = async () => (this.alive(), this.inner.listDirs());
  listFiles = async (dir: string) => (this.alive(), this.inner.listFiles(dir));
  exists = async (dir: string, name: string) => (this.alive(), this.inner.exists(dir, name));
  readFile = async (dir: string, name: string) => (this.alive(), this.inner.readFile(dir, name));
  modifiedMs = async (dir: string, name: string) => (this.alive(), this.inner.modifiedMs(dir, name));
  size = async (dir: string, name: string) => (this.alive(), this.inner.size(dir, name));
  makeDir = async (dir: string) => (await this.step(), this.inner.makeDir(dir));
  removeDir = async (dir: string) => (await this.step(), this.inner.removeDir(dir));
  renameDir = async (a: string, b: string) => (await this.step(), this.inner.renameDir(a, b));
  writeFileAtomic = async (dir: string, name: string, data: Buffer) => (await this.step(), this.inner.writeFileAtomic(dir, name, data));
  rename = async (dir: string, a: string, b: string) => (await this.step(), this.inner.rename(dir, a, b));
  remove = async (dir: string, name: string) => (await this.step(), this.inner.remove(dir, name));
  syncDir = async (_dir: string) => (await this.step(), this.inner.syncDir());

  async open(dir: string, name: string, create: boolean): Promise<StoredFile> {
    if (create && !(await this.inner.exists(dir, name))) await this.step();
    else this.alive();
    const f = await this.inner.open(dir, name, create);
    const tornAppend = (buffers: Buffer[]) => async (disk: MemoryStorage) => {
      const all = Buffer.concat(buffers);
      const part = all.subarray(0, Math.floor(all.length * this.tornFraction));
      if (part.length > 0 && (await disk.exists(dir, name))) await (await disk.open(dir, name, false)).append([part]);
    };
    return {
      get size() {
        return f.size;
      },
      read: async (p, l) => (this.alive(), f.read(p, l)),
      append: async (buffers) => (await this.step(tornAppend(buffers)), f.append(buffers)),
      overwrite: async (d) => (await this.step(), f.overwrite(d)),
      truncate: async (s) => (await this.step(), f.truncate(s)),
      sync: async () => (await this.step(), f.sync()),
      close: () => f.close(),
    };
  }
}
