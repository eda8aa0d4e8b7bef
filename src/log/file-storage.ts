/**
 * The `Storage` of a real data directory (Kafka's log.dirs entry), on node:fs/promises.
 *
 * Each open file is one FileHandle with positional I/O: appends are gathered writes (`writev`) at a
 * position reserved before the write starts, so the log's ordered queue can hand over the next
 * group at once; reads are positional reads that never move a file pointer, so any number of
 * fetches can read one segment while it is appended to. Small metadata files (checkpoints,
 * producer snapshots) are written atomically: temporary file, fsync, rename, fsync of the directory.
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage, StoredFile } from './storage.js';
import { syncDir, writeFileAtomic } from '../util/atomic-write.js';

/** A file on disk, read and written with positional I/O through one FileHandle. */
class DiskFile implements StoredFile {
  constructor(
    private readonly fh: FileHandle,
    public size: number,
  ) {}

  async read(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await this.fh.read(buf, done, buf.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === buf.length ? buf : buf.subarray(0, done);
  }

  async append(buffers: Buffer[]): Promise<void> {
    let total = 0;
    for (const b of buffers) total += b.length;
    // Reserve the range first so the next append (queued by the caller) starts after this one.
    const position = this.size;
    this.size += total;
    let written = await this.fh.writev(buffers, position).then((r) => r.bytesWritten);
    // A short gathered write is legal; finish it from one joined copy (rare, so the copy is fine).
    if (written < total) {
      const all = Buffer.concat(buffers);
      while (written < total) {
        const { bytesWritten } = await this.fh.write(all, written, total - written, position + written);
        written += bytesWritten;
      }
    }
  }

  async overwrite(data: Buffer): Promise<void> {
    await this.fh.truncate(0);
    this.size = 0;
    if (data.length > 0) await this.append([data]);
  }

  async truncate(size: number): Promise<void> {
    await this.fh.truncate(size);
    this.size = Math.min(this.size, size);
  }

  sync(): Promise<void> {
    return this.fh.sync();
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Storage on a real directory (Kafka's log.dirs entry). */
export class FileStorage implements Storage {
  constructor(readonly path: string) {}

  static async create(path: string): Promise<FileStorage> {
    await fsp.mkdir(path, { recursive: true });
    return new FileStorage(path);
  }

  private at(dir: string, name = ''): string {
    return join(this.path, dir, name);
  }

  async listDirs(): Promise<string[]> {
    const entries = await fsp.readdir(this.path, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  }

  listFiles(dir: string): Promise<string[]> {
    return fsp.readdir(this.at(dir));
  }

  async makeDir(dir: string): Promise<void> {
    await fsp.mkdir(this.at(dir), { recursive: true });
  }

  removeDir(dir: string): Promise<void> {
    return fsp.rm(this.at(dir), { recursive: true, force: true });
  }

  async renameDir(from: string, to: string): Promise<void> {
    await fsp.rename(this.at(from), this.at(to));
    await this.syncDir('');
  }

  async open(dir: string, name: string, create: boolean): Promise<StoredFile> {
    const flags = constants.O_RDWR | (create ? constants.O_CREAT : 0);
    const fh = await fsp.open(this.at(dir, name), flags, 0o644);
    const { size } = await fh.stat();
    return new DiskFile(fh, size);
  }

  async exists(dir: string, name: string): Promise<boolean> {
    try {
      await fsp.access(this.at(dir, name));
      return true;
    } catch {
      return false;
    }
  }

  async readFile(dir: string, name: string): Promise<Buffer | undefined> {
    try {
      return await fsp.readFile(this.at(dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async writeFileAtomic(dir: string, name: string, data: Buffer): Promise<void> {
    await writeFileAtomic(this.at(dir, name), data);
  }

  async rename(dir: string, from: string, to: string): Promise<void> {
    await fsp.rename(this.at(dir, from), this.at(dir, to));
  }

  async remove(dir: string, name: string): Promise<void> {
    await fsp.rm(this.at(dir, name), { force: true });
  }

  async modifiedMs(dir: string, name: string): Promise<number> {
    return (await fsp.stat(this.at(dir, name))).mtimeMs;
  }

  /** Makes renames and creations in a directory durable. */
  syncDir(dir: string): Promise<void> {
    return syncDir(this.at(dir));
  }
}
