/**
 * Topic metadata: names, ids, partition counts and per-topic config overrides.
 *
 * In Kafka this lives in the KRaft metadata log; Tafka, a single node, keeps it in one small JSON
 * file (`<log.dirs>/tafka-topics.json`) replaced atomically (write temp, fsync, rename) on each change,
 * so a crash leaves either the old or the new version, never half of one. The file lives in the
 * log store's Storage (a directory, or memory for an in-memory broker).
 *
 * Changes are applied and saved one at a time: a change becomes visible when its turn comes, and a
 * save that fails (a full disk) undoes its change and rejects, so memory never holds what the file
 * does not, and no save ever writes another change that might still be undone.
 */
import { randomUUID } from 'node:crypto';
import type { Storage } from '../log/storage.js';
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
const FILE = 'tafka-topics.json';
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
  /** The last change in line: each change is applied and saved after the one before it settled. */
  private changes: Promise<unknown> = Promise.resolve();

  private constructor(private readonly storage: Storage | undefined) {}

  /** Loads the registry from `storage`, or keeps it in memory only when there is none. */
  static async open(storage: Storage | undefined): Promise<TopicRegistry> {
    const registry = new TopicRegistry(storage);
    const data = await storage?.readFile('', FILE);
    if (data) for (const t of JSON.parse(data.toString('utf8')).topics as TopicInfo[]) registry.add(t);
    return registry;
  }

  private add(t: TopicInfo): void {
    this.byName.set(t.name, t);
    this.byId.set(t.id, t);
  }

  private remove(t: TopicInfo): void {
    this.byName.delete(t.name);
    this.byId.delete(t.id);
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

  /**
   * Whether a partition directory belongs to a known partition: one of a registered topic's, or any
   * of an internal topic's (its coordinator opens and owns those logs).
   */
  claims(topic: string, partition: number): boolean {
    if (isInternalTopic(topic)) return true;
    const t = this.byName.get(topic);
    return t !== undefined && partition < t.partitions;
  }

  create(name: string, partitions: number, configs: Record<string, string> = {}): Promise<TopicInfo> {
    return this.change(() => {
      if (this.byName.has(name)) throw new Error(`topic ${name} exists`);
      const t: TopicInfo = { name, id: randomUUID(), partitions, configs, internal: isInternalTopic(name) };
      this.add(t);
      return { result: t, undo: () => this.remove(t) };
    });
  }

  delete(name: string): Promise<void> {
    return this.change(() => {
      const t = this.byName.get(name);
      if (!t) return { result: undefined, undo: () => {} };
      this.remove(t);
      return { result: undefined, undo: () => this.add(t) };
    });
  }

  /** Partition count and config overrides are what may change; name and id never do. */
  update(name: string, change: (t: TopicInfo) => void): Promise<void> {
    return this.change(() => {
      const t = this.byName.get(name);
      if (!t) throw new Error(`no topic ${name}`);
      const before = { partitions: t.partitions, configs: t.configs };
      change(t);
      return { result: undefined, undo: () => Object.assign(t, before) };
    });
  }

  /** Applies `apply` when every earlier change has settled, saves, and undoes it if the save fails. */
  private change<T>(apply: () => { result: T; undo: () => void }): Promise<T> {
    const run = async () => {
      const { result, undo } = apply();
      try {
        await this.storage?.writeFileAtomic('', FILE, Buffer.from(JSON.stringify({ version: 1, topics: this.list() }, null, 2)));
      } catch (err) {
        undo();
        throw err;
      }
      return result;
    };
    const done = this.changes.then(run, run);
    this.changes = done.catch(() => {});
    return done;
  }
}
