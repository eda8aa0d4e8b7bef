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
import { RecordFile } from '../util/record-file.js';

/** Kafka's ConfigRecord fields (metadata record type 4), for a live key. */
export interface ConfigRecord {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly name: string;
  readonly value: string;
}

export const BROKER_CONFIGS_FILE = 'tafka-broker-configs.json';

export class DynamicConfigStore {
  private constructor(private readonly file: RecordFile<ConfigRecord>) {}

  /** The store of `dataDir`, or one that keeps nothing when the broker runs in memory. */
  static async open(dataDir: string | undefined): Promise<DynamicConfigStore> {
    return new DynamicConfigStore(await RecordFile.open<ConfigRecord>(dataDir, BROKER_CONFIGS_FILE));
  }

  load(): Promise<ConfigRecord[]> {
    return this.file.load();
  }

  /** Replaces the stored records. */
  save(records: readonly ConfigRecord[]): Promise<void> {
    return this.file.save(records);
  }
}
