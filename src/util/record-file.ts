/**
 * A small store of records in one JSON file in the data directory, `{ "version": 1, "records": [...] }`,
 * replaced atomically (write, fsync, rename) on every change, so a crash leaves the old or the new
 * set, never a mix. For cluster state Kafka keeps as records in its metadata log (dynamic configs,
 * SCRAM credentials, ACLs): the file holds the live records only, in the same shape. Without a data
 * directory (an in-memory broker) nothing is kept.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

export class RecordFile<T> {
  private saving: Promise<void> = Promise.resolve();

  private constructor(readonly path: string | undefined) {}

  static async open<T>(dataDir: string | undefined, fileName: string): Promise<RecordFile<T>> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    return new RecordFile<T>(dataDir ? join(dataDir, fileName) : undefined);
  }

  async load(): Promise<T[]> {
    if (!this.path) return [];
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return (JSON.parse(text) as { records: T[] }).records;
  }

  /** Replaces the stored records; saves are chained so two changes never interleave their renames. */
  save(records: readonly T[]): Promise<void> {
    const path = this.path;
    if (!path) return Promise.resolve();
    const text = JSON.stringify({ version: 1, records }, null, 2);
    this.saving = this.saving.catch(() => {}).then(() => writeFileAtomic(path, text));
    return this.saving;
  }
}
