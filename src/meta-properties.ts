/**
 * `meta.properties`: the file Kafka writes once into every log directory to pin its identity —
 * the cluster id (22 characters, a random uuid in URL-safe base64) and the node id. A restarted
 * broker reads it back, so clients see the same cluster id forever; a node id that differs from the
 * configured one stops start-up, as in Kafka.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, parseProperties } from './config/parse.js';
import { writeFileAtomic } from './util/atomic-write.js';

export interface MetaProperties {
  readonly clusterId: string;
  readonly nodeId: number;
  readonly directoryId: string;
}

export function randomKafkaUuid(): string {
  return randomBytes(16).toString('base64url');
}

export async function loadOrCreateMetaProperties(dataDir: string | undefined, nodeId: number): Promise<MetaProperties> {
  if (!dataDir) return { clusterId: randomKafkaUuid(), nodeId, directoryId: randomKafkaUuid() };
  const file = join(dataDir, 'meta.properties');
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text) {
    const props = parseProperties(text);
    const stored = Number(props.get('node.id'));
    if (stored !== nodeId) {
      throw new ConfigError(`Stored node id ${stored} in ${file} doesn't match configured node.id ${nodeId}`);
    }
    return { clusterId: props.get('cluster.id')!, nodeId, directoryId: props.get('directory.id') ?? randomKafkaUuid() };
  }
  const meta = { clusterId: randomKafkaUuid(), nodeId, directoryId: randomKafkaUuid() };
  await mkdir(dataDir, { recursive: true });
  const body = `#\n#${new Date().toString()}\ncluster.id=${meta.clusterId}\ndirectory.id=${meta.directoryId}\nnode.id=${nodeId}\nversion=1\n`;
  await writeFileAtomic(file, body);
  return meta;
}
