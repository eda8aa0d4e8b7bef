/**
 * Where dynamic broker configs are kept between restarts: `<log.dirs>/tafka-broker-configs.json`,
 * replaced atomically (write, fsync, rename) on every change, like tafka-topics.json.
 *
 * Kafka 4 keeps them in its metadata log, `__cluster_metadata`, as ConfigRecords — one record per
 * (resource type, resource name, config name), a null value deleting the key. The file holds the
 * same records, the live ones only, so a Tafka metadata log could later take them over unchanged:
 *
 *   { "version": 1, "records": [
 *       { "resourceType": 4, "resourceName": "", "name": "log.retention.ms", "value": "3600000" } ] }
 *
 * resourceType 4 is BROKER; resourceName "" the cluster-wide default, "<node.id>" one broker.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Kafka's ConfigRecord fields (metadata record type 4), for a live key. */
export interface ConfigRecord {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly name: string;
  readonly value: string;
}

export const BROKER_CONFIGS_FILE = 'tafka-broker-configs.json';

export class DynamicConfigStore {
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string | undefined) {}

  /** The store of `dataDir`, or one that keeps nothing when the broker runs in memory. */
  static async open(dataDir: string | undefined): Promise<DynamicConfigStore> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    return new DynamicConfigStore(dataDir ? join(dataDir, BROKER_CONFIGS_FILE) : undefined);
  }

  async load(): Promise<ConfigRecord[]> {
    if (!this.file) return [];
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return (JSON.parse(text) as { records: ConfigRecord[] }).records;
  }

  /** Replaces the stored records; saves are chained so two changes never interleave their renames. */
  save(records: readonly ConfigRecord[]): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const text = JSON.stringify({ version: 1, records }, null, 2);
    this.saving = this.saving.catch(() => {}).then(() => writeFileAtomic(file, text));
    return this.saving;
  }
}
