/**
 * A Storage whose disk can fill up: while `full`, everything that needs new space fails with
 * ENOSPC as a real file system does — an append writes part of its bytes and then fails (a torn
 * write), an index rewrite truncates and then fails, an atomic file write leaves the old file,
 * a new directory cannot be made. What frees space (truncate, remove, rename) still works, and with
 * `freedByRemovingDirs` removing a directory (a deleted partition) frees the disk.
 */
import type { Storage, StoredFile } from '../../src/log/storage.js';

const enospc = (what: string) => Object.assign(new Error(`ENOSPC: no space left on device, ${what}`), { code: 'ENOSPC', errno: -28 });

export class FaultyStorage implements Storage {
  full = false;
  freedByRemovingDirs = false;
  /** ENOSPC errors raised so far. */
  refusals = 0;

  constructor(readonly inner: Storage) {}

  get path() {
    return this.inner.path;
  }

  private refuse(what: string): never {
    this.refusals++;
    throw enospc(what);
  }

  listDirs = () => this.inner.listDirs();
  listFiles = (dir: string) => this.inner.listFiles(dir);
  removeDir = async (dir: string) => {
    await this.inner.removeDir(dir);
    if (this.freedByRemovingDirs) this.full = false;
  };
  renameDir = (a: string, b: string) => this.inner.renameDir(a, b);
  exists = (dir: string, name: string) => this.inner.exists(dir, name);
  readFile = (dir: string, name: string) => this.inner.readFile(dir, name);
  rename = (dir: string, a: string, b: string) => this.inner.rename(dir, a, b);
  syncDir = (dir: string) => this.inner.syncDir(dir);
  remove = (dir: string, name: string) => this.inner.remove(dir, name);
  modifiedMs = (dir: string, name: string) => this.inner.modifiedMs(dir, name);
  size = (dir: string, name: string) => this.inner.size(dir, name);

  async makeDir(dir: string): Promise<void> {
    if (this.full && !(await this.inner.listDirs()).includes(dir)) this.refuse(`mkdir '${dir}'`);
    return this.inner.makeDir(dir);
  }

  async writeFileAtomic(dir: string, name: string, data: Buffer): Promise<void> {
    if (this.full) this.refuse(`write '${dir}/${name}'`);
    return this.inner.writeFileAtomic(dir, name, data);
  }

  async open(dir: string, name: string, create: boolean): Promise<StoredFile> {
    const f = await this.inner.open(dir, name, create);
    const path = `${dir}/${name}`;
    return {
      get size() {
        return f.size;
      },
      read: (p, l) => f.read(p, l),
      append: async (buffers) => {
        if (!this.full) return f.append(buffers);
        const all = Buffer.concat(buffers);
        if (all.length > 1) await f.append([all.subarray(0, all.length >> 1)]);
        this.refuse(`write '${path}'`);
      },
      overwrite: async (data) => {
        if (!this.full || data.length === 0) return f.overwrite(data);
        await f.truncate(0);
        this.refuse(`write '${path}'`);
      },
      truncate: (s) => f.truncate(s),
      sync: () => f.sync(),
      close: () => f.close(),
    };
  }
}
