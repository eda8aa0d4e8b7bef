/**
 * The `Storage` held in memory: the same log, without files, for unit tests and embedded brokers
 * (`Broker.start({ inMemory: true })`).
 *
 * Each file remembers how much of it the last fsync covered, so a test can cut the power
 * (`simulatePowerLoss`) and check what a flush policy really made durable; `rawFile` lets tests
 * damage bytes to exercise recovery. Modification times come from the injected clock, so
 * retention by file time runs on fake time too.
 */
import { systemClock, type Clock } from '../clock.js';
import type { Storage, StoredFile } from './storage.js';

/** File content plus how much of it an fsync has made "durable", to simulate power loss. */
class MemNode {
  data = Buffer.alloc(0);
  length = 0;
  syncedLength = 0;
  modifiedMs: number;

  constructor(private readonly clock: Clock) {
    this.modifiedMs = clock.now();
  }

  write(position: number, src: Buffer): void {
    const end = position + src.length;
    if (end > this.data.length) {
      const grown = Buffer.alloc(Math.max(end, this.data.length * 2, 4096));
      this.data.copy(grown, 0, 0, this.length);
      this.data = grown;
    }
    src.copy(this.data, position);
    this.length = Math.max(this.length, end);
    this.modifiedMs = this.clock.now();
  }

  truncate(size: number): void {
    if (size < this.length) this.data.fill(0, size, this.length);
    this.length = size;
    this.syncedLength = Math.min(this.syncedLength, size);
  }
}

class MemFile implements StoredFile {
  constructor(private readonly node: MemNode) {}

  get size(): number {
    return this.node.length;
  }

  async read(position: number, length: number, alloc: (size: number) => Buffer = Buffer.allocUnsafe): Promise<Buffer> {
    const end = Math.max(position, Math.min(this.node.length, position + length));
    // A copy, as a disk read would be: later truncation must not change bytes already handed out.
    const out = alloc(end - position);
    this.node.data.copy(out, 0, position, end);
    return out;
  }

  async append(buffers: Buffer[]): Promise<void> {
    for (const b of buffers) this.node.write(this.node.length, b);
  }

  async overwrite(data: Buffer): Promise<void> {
    this.node.truncate(0);
    this.node.write(0, data);
  }

  async truncate(size: number): Promise<void> {
    this.node.truncate(size);
  }

  async sync(): Promise<void> {
    this.node.syncedLength = this.node.length;
  }

  async close(): Promise<void> {}
}

function missing(dir: string, name: string): Error {
  return Object.assign(new Error(`ENOENT: ${dir}/${name}`), { code: 'ENOENT' });
}

/**
 * Storage held in memory: the log's semantics without files. It can also simulate a power loss
 * (every file falls back to its last fsynced length), which is how flush policies are tested.
 */
export class MemoryStorage implements Storage {
  readonly path = undefined;
  private readonly dirs = new Map<string, Map<string, MemNode>>([['', new Map()]]);

  constructor(private readonly clock: Clock = systemClock) {}

  private dir(dir: string): Map<string, MemNode> {
    const d = this.dirs.get(dir);
    if (!d) throw missing(dir, '');
    return d;
  }

  private node(dir: string, name: string): MemNode {
    const n = this.dir(dir).get(name);
    if (!n) throw missing(dir, name);
    return n;
  }

  async listDirs(): Promise<string[]> {
    return [...this.dirs.keys()].filter((d) => d !== '');
  }

  async listFiles(dir: string): Promise<string[]> {
    return [...this.dir(dir).keys()];
  }

  async makeDir(dir: string): Promise<void> {
    if (!this.dirs.has(dir)) this.dirs.set(dir, new Map());
  }

  async removeDir(dir: string): Promise<void> {
    this.dirs.delete(dir);
  }

  async renameDir(from: string, to: string): Promise<void> {
    this.dirs.set(to, this.dir(from));
    this.dirs.delete(from);
  }

  async open(dir: string, name: string, create: boolean): Promise<StoredFile> {
    const d = this.dir(dir);
    let n = d.get(name);
    if (!n) {
      if (!create) throw missing(dir, name);
      n = new MemNode(this.clock);
      d.set(name, n);
    }
    return new MemFile(n);
  }

  async exists(dir: string, name: string): Promise<boolean> {
    return this.dirs.get(dir)?.has(name) ?? false;
  }

  async readFile(dir: string, name: string): Promise<Buffer | undefined> {
    const n = this.dirs.get(dir)?.get(name);
    return n ? Buffer.from(n.data.subarray(0, n.length)) : undefined;
  }

  async writeFileAtomic(dir: string, name: string, data: Buffer): Promise<void> {
    const n = new MemNode(this.clock);
    n.write(0, data);
    n.syncedLength = n.length;
    this.dir(dir).set(name, n);
  }

  async rename(dir: string, from: string, to: string): Promise<void> {
    const d = this.dir(dir);
    d.set(to, this.node(dir, from));
    d.delete(from);
  }

  /** Directory operations are durable at once here (see simulatePowerLoss). */
  async syncDir(): Promise<void> {}

  async remove(dir: string, name: string): Promise<void> {
    this.dirs.get(dir)?.delete(name);
  }

  async modifiedMs(dir: string, name: string): Promise<number> {
    return this.node(dir, name).modifiedMs;
  }

  /**
   * A copy of every directory and file as they are now: what a process killed at this moment (kill -9)
   * leaves on disk, since everything written has reached the OS. Tests reopen logs from it.
   */
  clone(): MemoryStorage {
    const copy = new MemoryStorage(this.clock);
    for (const [name, files] of this.dirs) {
      const dir = new Map<string, MemNode>();
      for (const [file, n] of files) {
        const c = new MemNode(this.clock);
        c.write(0, n.data.subarray(0, n.length));
        c.syncedLength = n.syncedLength;
        c.modifiedMs = n.modifiedMs;
        dir.set(file, c);
      }
      copy.dirs.set(name, dir);
    }
    return copy;
  }

  async size(dir: string, name: string): Promise<number> {
    return this.node(dir, name).length;
  }

  /** Drops everything not fsynced, as a power cut would. Directory operations count as durable. */
  simulatePowerLoss(): void {
    for (const d of this.dirs.values()) for (const n of d.values()) n.truncate(n.syncedLength);
  }

  /** Direct access to a file's bytes, for tests that damage a log. */
  rawFile(dir: string, name: string): { bytes: Buffer; setLength(n: number): void } {
    const n = this.node(dir, name);
    return { bytes: n.data.subarray(0, n.length), setLength: (len) => n.truncate(len) };
  }
}
