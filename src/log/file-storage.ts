/**
 * The `Storage` of a real data directory (Kafka's log.dirs entry), on node:fs/promises.
 *
 * Each open file is a `DiskFile` with positional I/O: appends are gathered writes (`writev`) at a
 * position reserved before the write starts, so the log's ordered queue can hand over the next
 * group at once; reads are positional reads that never move a file pointer, so any number of
 * fetches can read one segment while it is appended to. A DiskFile holds a descriptor only while
 * the HandlePool lets it (handle-pool.ts): descriptors are opened on use and the least recently
 * used idle ones closed, so open files stay under `tafka.log.max.open.files` however many
 * partitions there are. Small metadata files (checkpoints, producer snapshots) are written
 * atomically: temporary file, fsync, rename, fsync of the directory.
 */
import { constants, readFileSync, writevSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage, StoredFile } from './storage.js';
import { HandlePool, type Evictable } from './handle-pool.js';
import { syncDir, writeFileAtomic } from '../util/atomic-write.js';

/**
 * Appends up to this size are written synchronously (a copy into the page cache, microseconds);
 * larger ones go to libuv's thread pool. See `append`.
 */
export const SYNC_APPEND_BYTES = 256 * 1024;

/** Enough descriptors for busy partitions, and half of the common 1024 soft limit left for sockets. */
export const DEFAULT_MAX_OPEN_FILES = 512;

/**
 * `tafka.log.max.open.files=-1`: half the process's soft limit on open files (the other half for
 * sockets), at least 64. Every partition appended to holds three files (.log, .index, .timeindex),
 * so a pool smaller than that reopens files on every produce round: with 1,000 partitions and 512
 * descriptors, producing to all of them cost twice the broker CPU of every file kept open.
 * Kafka keeps them all open and asks for a high `ulimit -n`; this follows whatever limit is set.
 */
export function autoMaxOpenFiles(limitsFile = '/proc/self/limits'): number {
  try {
    const line = readFileSync(limitsFile, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === 'unlimited') return 65_536;
    if (Number(soft) > 0) return Math.max(64, Math.floor(Number(soft) / 2));
  } catch {
    // Not Linux: the fixed default.
  }
  return DEFAULT_MAX_OPEN_FILES;
}

/**
 * A file on disk, read and written with positional I/O. Its descriptor is opened on first use and
 * may be closed by the pool while idle; `path` follows renames (FileStorage updates it).
 */
class DiskFile implements StoredFile, Evictable {
  private fh: FileHandle | undefined;
  private opening: Promise<FileHandle> | undefined;
  /** Operations in flight: while any runs, the descriptor is not closed. */
  private users = 0;
  private closed = false;

  constructor(
    private readonly pool: HandlePool,
    public path: string,
    public size: number,
    private readonly onClose: (file: DiskFile) => void,
    fh?: FileHandle,
  ) {
    this.fh = fh;
    if (fh) pool.markIdle(this);
  }

  /** Runs `op` with a descriptor, opening one (in a pool slot) when the file has none. */
  private async use<T>(op: (fh: FileHandle) => Promise<T>): Promise<T> {
    if (this.closed) throw Object.assign(new Error(`file is closed: ${this.path}`), { code: 'EBADF' });
    this.users++;
    this.pool.markBusy(this);
    try {
      return await op(this.fh ?? (await this.reopen()));
    } finally {
      if (--this.users === 0) this.settle();
    }
  }

  private reopen(): Promise<FileHandle> {
    this.opening ??= (async () => {
      await this.pool.acquire();
      try {
        this.fh = await fsp.open(this.path, constants.O_RDWR);
        return this.fh;
      } catch (err) {
        this.pool.release();
        throw err;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  /** No operation left: the descriptor becomes idle, or is closed when the file was closed meanwhile. */
  private settle(): void {
    if (!this.fh) return;
    if (this.closed) void this.evict().finally(() => this.pool.release());
    else this.pool.markIdle(this);
  }

  async evict(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  async read(position: number, length: number, alloc: (size: number) => Buffer = Buffer.allocUnsafe): Promise<Buffer> {
    const buf = alloc(Math.max(0, Math.min(length, this.size - position)));
    let done = 0;
    await this.use(async (fh) => {
      while (done < buf.length) {
        const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    });
    return done === buf.length ? buf : buf.subarray(0, done);
  }

  async append(buffers: Buffer[]): Promise<void> {
    let total = 0;
    for (const b of buffers) total += b.length;
    // Reserve the range first so the next append (queued by the caller) starts after this one.
    const position = this.size;
    this.size += total;
    await this.use(async (fh) => {
      // A small append costs the kernel a few microseconds of copying into the page cache; sent to
      // the thread pool it costs a hand-off to a worker thread and back, and on a busy machine each
      // hop waits for a core. acks=all latency is that round trip, so small appends are written in
      // place, as Kafka's request threads write to the page cache. No fsync either way.
      let written = total <= SYNC_APPEND_BYTES ? writevSync(fh.fd, buffers, position) : (await fh.writev(buffers, position)).bytesWritten;
      // A short gathered write is legal; finish it from one joined copy (rare, so the copy is fine).
      if (written < total) {
        const all = Buffer.concat(buffers);
        while (written < total) {
          const { bytesWritten } = await fh.write(all, written, total - written, position + written);
          written += bytesWritten;
        }
      }
    });
  }

  async overwrite(data: Buffer): Promise<void> {
    await this.truncate(0);
    if (data.length > 0) await this.append([data]);
  }

  async truncate(size: number): Promise<void> {
    await this.use((fh) => fh.truncate(size));
    this.size = Math.min(this.size, size);
  }

  sync(): Promise<void> {
    return this.use((fh) => fh.sync());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    if (this.users > 0 || this.opening) return; // the last operation closes it (settle)
    this.pool.markBusy(this);
    if (this.fh) await this.evict().finally(() => this.pool.release());
  }
}

/** Storage on a real directory (Kafka's log.dirs entry). */
export class FileStorage implements Storage {
  /** Open DiskFiles by path, so renames can move them along. */
  private readonly files = new Map<string, DiskFile>();

  constructor(
    readonly path: string,
    readonly pool = new HandlePool(DEFAULT_MAX_OPEN_FILES),
  ) {}

  static async create(path: string, maxOpenFiles = DEFAULT_MAX_OPEN_FILES): Promise<FileStorage> {
    await fsp.mkdir(path, { recursive: true });
    return new FileStorage(path, new HandlePool(maxOpenFiles));
  }

  private at(dir: string, name = ''): string {
    return join(this.path, dir, name);
  }

  listDirs(): Promise<string[]> {
    return this.pool.withSlot(async () => {
      const entries = await fsp.readdir(this.path, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    });
  }

  listFiles(dir: string): Promise<string[]> {
    return this.pool.withSlot(() => fsp.readdir(this.at(dir)));
  }

  async makeDir(dir: string): Promise<void> {
    await fsp.mkdir(this.at(dir), { recursive: true });
  }

  removeDir(dir: string): Promise<void> {
    return this.pool.withSlot(() => fsp.rm(this.at(dir), { recursive: true, force: true }));
  }

  async renameDir(from: string, to: string): Promise<void> {
    await fsp.rename(this.at(from), this.at(to));
    const prefix = this.at(from) + '/';
    for (const [path, file] of [...this.files]) {
      if (path.startsWith(prefix)) this.moved(file, this.at(to) + path.slice(prefix.length - 1));
    }
    await this.syncDir('');
  }

  /**
   * A file handle that opens its descriptor when used. Creating a file opens it at once (and keeps
   * the descriptor, likely to be written next); opening an existing one only reads its size.
   */
  async open(dir: string, name: string, create: boolean): Promise<StoredFile> {
    const path = this.at(dir, name);
    let file: DiskFile;
    if (create) {
      await this.pool.acquire();
      try {
        const fh = await fsp.open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
        file = new DiskFile(this.pool, path, (await fh.stat()).size, (f) => this.forget(f), fh);
      } catch (err) {
        this.pool.release();
        throw err;
      }
    } else {
      file = new DiskFile(this.pool, path, (await fsp.stat(path)).size, (f) => this.forget(f));
    }
    this.files.set(path, file);
    return file;
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
      return await this.pool.withSlot(() => fsp.readFile(this.at(dir, name)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  writeFileAtomic(dir: string, name: string, data: Buffer): Promise<void> {
    return this.pool.withSlot(() => writeFileAtomic(this.at(dir, name), data));
  }

  async rename(dir: string, from: string, to: string): Promise<void> {
    await fsp.rename(this.at(dir, from), this.at(dir, to));
    const file = this.files.get(this.at(dir, from));
    if (file) this.moved(file, this.at(dir, to));
  }

  async remove(dir: string, name: string): Promise<void> {
    await fsp.rm(this.at(dir, name), { force: true });
  }

  async modifiedMs(dir: string, name: string): Promise<number> {
    return (await fsp.stat(this.at(dir, name))).mtimeMs;
  }

  async size(dir: string, name: string): Promise<number> {
    return (await fsp.stat(this.at(dir, name))).size;
  }

  /** Descriptors open now (cached and in use), for tests and the inspector. */
  get openFiles(): number {
    return this.pool.openCount;
  }

  private moved(file: DiskFile, to: string): void {
    this.files.delete(file.path);
    file.path = to;
    this.files.set(to, file);
  }

  private forget(file: DiskFile): void {
    if (this.files.get(file.path) === file) this.files.delete(file.path);
  }

  /** Makes renames and creations in a directory durable. */
  syncDir(dir: string): Promise<void> {
    return this.pool.withSlot(() => syncDir(this.at(dir)));
  }
}
