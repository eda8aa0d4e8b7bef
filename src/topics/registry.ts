/**
 * Topic metadata: names, ids, partition counts and per-topic config overrides.
 *
 * In Kafka this lives in the KRaft metadata log; Tafka, a single node, keeps it in one small JSON
 * file (`<log.dirs>/tafka-topics.json`) replaced atomically (write temp, fsync, rename) on each change,
 * so a crash leaves either the old or the new version, never half of one.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isInternalTopic } from './internal.js';

export interface TopicInfo {
  readonly name: string;
  /** Canonical uuid string; never the zero uuid. */
  readonly id: string;
  partitions: number;
  /** Per-topic overrides under Kafka's topic config names (`retention.ms`, `cleanup.policy`, ...). */
  configs: Record<string, string>;
  readonly internal: boolean;
}

const LEGAL = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's topic-name rule (Topic.validate); returns why a name is invalid, or null when it is fine. */
export function invalidTopicName(name: string): string | null {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

export class TopicRegistry {
  private readonly byName = new Map<string, TopicInfo>();
  private readonly byId = new Map<string, TopicInfo>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string | undefined) {}

  /** Loads the registry from `dataDir`, or keeps it in memory only when `dataDir` is undefined. */
  static async open(dataDir: string | undefined): Promise<TopicRegistry> {
    const registry = new TopicRegistry(dataDir ? join(dataDir, 'tafka-topics.json') : undefined);
    if (registry.file) {
      await mkdir(dataDir!, { recursive: true });
      let text: string | undefined;
      try {
        text = await readFile(registry.file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (text) for (const t of JSON.parse(text).topics as TopicInfo[]) registry.add(t);
    }
    return registry;
  }

  private add(t: TopicInfo): void {
    this.byName.set(t.name, t);
    this.byId.set(t.id, t);
  }

  get(name: string): TopicInfo | undefined {
    return this.byName.get(name);
  }

  getById(id: string): TopicInfo | undefined {
    return this.byId.get(id);
  }

  list(): TopicInfo[] {
    return [...this.byName.values()];
  }

  async create(name: string, partitions: number, configs: Record<string, string> = {}): Promise<TopicInfo> {
    if (this.byName.has(name)) throw new Error(`topic ${name} exists`);
    const t: TopicInfo = { name, id: randomUUID(), partitions, configs, internal: isInternalTopic(name) };
    this.add(t);
    await this.save();
    return t;
  }

  async delete(name: string): Promise<void> {
    const t = this.byName.get(name);
    if (!t) return;
    this.byName.delete(name);
    this.byId.delete(t.id);
    await this.save();
  }

  async update(name: string, change: (t: TopicInfo) => void): Promise<void> {
    const t = this.byName.get(name);
    if (!t) throw new Error(`no topic ${name}`);
    change(t);
    await this.save();
  }

  /** Saves are chained so two concurrent changes never interleave their renames. */
  private save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    this.saving = this.saving.then(async () => {
      await writeFileAtomic(file, JSON.stringify({ version: 1, topics: this.list() }, null, 2));
    });
    return this.saving;
  }
}
