/**
 * What the log needs from a disk, so one log implementation runs on real files (FileStorage) or in
 * memory (MemoryStorage, for tests and embedded brokers). Paths are (dir, name) pairs relative to
 * the data directory; dir '' is the data directory itself.
 */
export interface StoredFile {
  /** Current length in bytes, including appends that completed. */
  readonly size: number;
  /**
   * Reads up to `length` bytes at `position`; shorter only at end of file. `alloc`, when given,
   * supplies the buffer to read into (a fetch's pooled buffers, see read-buffers.ts).
   */
  read(position: number, length: number, alloc?: (size: number) => Buffer): Promise<Buffer>;
  /** Appends the buffers, in order, at the end of the file in one gathered write. */
  append(buffers: Buffer[]): Promise<void>;
  /** Replaces the whole content (used to rewrite an index). */
  overwrite(data: Buffer): Promise<void>;
  truncate(size: number): Promise<void>;
  /** fsync: make everything written so far survive a power loss. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface Storage {
  /** Where the data lives, for logs and DescribeLogDirs; undefined when in memory. */
  readonly path: string | undefined;
  listDirs(): Promise<string[]>;
  listFiles(dir: string): Promise<string[]>;
  makeDir(dir: string): Promise<void>;
  removeDir(dir: string): Promise<void>;
  renameDir(from: string, to: string): Promise<void>;
  /** Opens a file for reading and appending, creating it when `create` is set. */
  open(dir: string, name: string, create: boolean): Promise<StoredFile>;
  exists(dir: string, name: string): Promise<boolean>;
  /** Whole content, or undefined when the file does not exist. */
  readFile(dir: string, name: string): Promise<Buffer | undefined>;
  /** Writes a whole file atomically and durably: temp file, fsync, rename, fsync the directory. */
  writeFileAtomic(dir: string, name: string, data: Buffer): Promise<void>;
  rename(dir: string, from: string, to: string): Promise<void>;
  /** fsync a directory: makes the renames, creations and removals in it survive a power loss. */
  syncDir(dir: string): Promise<void>;
  remove(dir: string, name: string): Promise<void>;
  /** Last modification time, ms since the epoch. */
  modifiedMs(dir: string, name: string): Promise<number>;
  /** Length in bytes of a file that is not open. */
  size(dir: string, name: string): Promise<number>;
}
