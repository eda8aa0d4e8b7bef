/**
 * A small Kafka client over Tafka's own protocol schemas and codec: what the `tafka` CLI speaks to
 * any broker, Tafka or Apache Kafka.
 *
 * - Bootstrap: connect to the first reachable address, ask ApiVersions, then Metadata for the brokers.
 * - Versions: every API has the range of versions this client's request bodies are written for
 *   (VERSIONS); each request uses the highest version both sides have, as Kafka's clients do.
 * - Routing: partition requests go to the partition's leader, group requests to the group's
 *   coordinator (FindCoordinator), the rest to any broker. One connection per broker, plus one per
 *   `lane` for long-blocking requests (a long-polling Fetch must not hold up a Heartbeat).
 */
import type { ApiSpec, MessageOf } from '../../protocol/schema.js';
import { errorInfo } from '../../protocol/errors.js';
import { ApiVersions } from '../../protocol/messages/18-api-versions.js';
import { FindCoordinator } from '../../protocol/messages/10-find-coordinator.js';
import { Metadata } from '../../protocol/messages/03-metadata.js';
import { systemClock, type Clock, type ScheduledTask } from '../clock.js';
import { fill, type Partial } from './body.js';
import { BrokerConnection, ConnectionError } from './connection.js';
import { ClientError } from './errors.js';

/** A Kafka error code in a response, with Kafka's name for it (`UNKNOWN_TOPIC_OR_PARTITION`). */
export class KafkaResponseError extends ClientError {
  override readonly code = 'TAFKA_ERR_KAFKA';
  readonly errorName: string;
  readonly retriable: boolean;
  constructor(
    readonly errorCode: number,
    context: string,
    detail?: string | null,
  ) {
    const info = errorInfo(errorCode);
    super(`${context}: ${info.name}${detail ? ` (${detail})` : ''}`);
    this.errorName = info.name;
    this.retriable = info.retriable;
  }
}

/** Throws for a non-zero error code. */
export function check(errorCode: number, context: string, detail?: string | null): void {
  if (errorCode !== 0) throw new KafkaResponseError(errorCode, context, detail);
}

/**
 * The versions the request bodies in this client are written for. The upper ends stop before
 * versions that name topics by id instead of by name (Produce 13, Fetch 13, OffsetCommit 10,
 * OffsetFetch 10), which this client does not use.
 */
const VERSIONS: Record<number, readonly [min: number, max: number]> = {
  0: [3, 12], // Produce
  1: [4, 12], // Fetch
  2: [1, 9], // ListOffsets
  3: [4, 12], // Metadata
  8: [2, 9], // OffsetCommit
  9: [8, 9], // OffsetFetch
  10: [4, 6], // FindCoordinator
  11: [4, 9], // JoinGroup
  12: [3, 4], // Heartbeat
  13: [3, 5], // LeaveGroup
  14: [3, 5], // SyncGroup
  15: [0, 5], // DescribeGroups
  16: [0, 4], // ListGroups
  18: [3, 3], // ApiVersions
  19: [2, 7], // CreateTopics
  20: [1, 6], // DeleteTopics
  32: [1, 4], // DescribeConfigs
  37: [0, 3], // CreatePartitions
  42: [0, 2], // DeleteGroups
  44: [0, 1], // IncrementalAlterConfigs
  60: [0, 1], // DescribeCluster
};

export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionInfo {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: number[];
  readonly isr: number[];
  readonly errorCode: number;
}

export interface TopicMetadata {
  readonly name: string;
  readonly topicId: string;
  readonly internal: boolean;
  readonly errorCode: number;
  readonly partitions: PartitionInfo[];
}

export interface ClusterMetadata {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: BrokerNode[];
  readonly topics: TopicMetadata[];
}

export interface ClientOptions {
  /** `host:port` addresses to bootstrap from. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** How long to wait for a connection or an answer (default 30 s, Kafka's request.timeout.ms). */
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
}

type Target = 'any' | number;

export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address.trim());
  if (!m) return { host: address.trim(), port: 9092 };
  return { host: m[1], port: Number(m[2]) };
}

export class KafkaClient {
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  /** What each broker (by address) answered to ApiVersions. */
  private readonly versions = new Map<string, Map<number, { min: number; max: number }>>();
  private nodes = new Map<number, BrokerNode>();
  private readonly clientId: string;
  private readonly timeoutMs: number;
  private readonly clock: Clock;

  private constructor(private readonly opts: ClientOptions) {
    this.clientId = opts.clientId ?? 'tafka-cli';
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.clock = opts.clock ?? systemClock;
  }

  /** Connects to the first bootstrap address that answers and reads the broker list. */
  static async connect(opts: ClientOptions): Promise<KafkaClient> {
    const client = new KafkaClient(opts);
    const errors: string[] = [];
    for (const address of opts.brokers) {
      const { host, port } = parseAddress(address);
      try {
        client.nodes.set(-1, { nodeId: -1, host, port, rack: null });
        await client.connection(-1);
        await client.metadata([]);
        return client;
      } catch (err) {
        client.close();
        if (!(err instanceof ConnectionError)) throw err;
        errors.push(err.message);
      }
    }
    throw new ConnectionError(`cannot reach any broker: ${errors.join('; ')}`);
  }

  /** The connection to a node (`lane` names an extra connection for long-blocking requests). */
  private connection(nodeId: number, lane = ''): Promise<BrokerConnection> {
    const node = this.nodes.get(nodeId);
    if (!node) return Promise.reject(new ConnectionError(`no broker with id ${nodeId} in the metadata`));
    const key = `${node.host}:${node.port}/${lane}`;
    const existing = this.connections.get(key);
    if (existing) return existing.then((c) => (c.closed ? this.reconnect(key, nodeId) : c));
    return this.reconnect(key, nodeId);
  }

  private reconnect(key: string, nodeId: number): Promise<BrokerConnection> {
    const node = this.nodes.get(nodeId)!;
    const opened = BrokerConnection.open(node.host, node.port, { clientId: this.clientId, timeoutMs: this.timeoutMs, clock: this.clock }).then(
      async (conn) => {
        if (!this.versions.has(conn.address)) await this.negotiate(conn);
        return conn;
      },
    );
    this.connections.set(key, opened);
    opened.catch(() => this.connections.delete(key));
    return opened;
  }

  private async negotiate(conn: BrokerConnection): Promise<void> {
    const [, version] = VERSIONS[ApiVersions.apiKey];
    const body = fill(ApiVersions.request, { clientSoftwareName: 'tafka-cli', clientSoftwareVersion: '1.0' });
    const r = await conn.request(ApiVersions, version, body, { timeoutMs: this.timeoutMs });
    check(r.errorCode, 'ApiVersions');
    this.versions.set(conn.address, new Map(r.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }])));
  }

  /** The highest version of `api` that this client and the node share. */
  private versionFor(api: ApiSpec, nodeId: number): number {
    const ours = VERSIONS[api.apiKey];
    const node = this.nodes.get(nodeId);
    const theirs = node && this.versions.get(`${node.host}:${node.port}`)?.get(api.apiKey);
    if (!ours) throw new Error(`this client has no request body for ${api.name}`);
    if (!theirs) throw new KafkaResponseError(35, `the broker does not support ${api.name}`);
    const v = Math.min(ours[1], theirs.max);
    if (v < ours[0] || v < theirs.min) {
      throw new KafkaResponseError(35, `${api.name}: the broker serves v${theirs.min}-${theirs.max}, this client v${ours[0]}-${ours[1]}`);
    }
    return v;
  }

  /** The version `send` would use for `api` on `target` (for bodies that differ between versions). */
  async version(api: ApiSpec, target: Target = 'any'): Promise<number> {
    const nodeId = this.resolve(target);
    await this.connection(nodeId);
    return this.versionFor(api, nodeId);
  }

  /** 'any' is the bootstrap broker, kept as node -1 next to the brokers Metadata names. */
  private resolve(target: Target): number {
    return target === 'any' ? -1 : target;
  }

  /** Sends a request (fields left out take their defaults) and returns the decoded response. */
  async send<A extends ApiSpec>(
    api: A,
    body: Partial<A['request']>,
    opts: { target?: Target; lane?: string; timeoutMs?: number; expectResponse?: boolean } = {},
  ): Promise<MessageOf<A['response']>> {
    const nodeId = this.resolve(opts.target ?? 'any');
    const conn = await this.connection(nodeId, opts.lane);
    const version = this.versionFor(api, nodeId);
    return conn.request(api, version, fill<A['request']>(api.request, body), {
      timeoutMs: opts.timeoutMs ?? this.timeoutMs,
      expectResponse: opts.expectResponse,
    });
  }

  /**
   * Metadata for `topics` (null: every topic). Updates the broker list, so later requests can go
   * to any broker by id.
   */
  async metadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<ClusterMetadata> {
    const r = await this.send(Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation,
    });
    const bootstrap = this.nodes.get(-1)!;
    this.nodes = new Map(r.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
    this.nodes.set(-1, bootstrap);
    return {
      clusterId: r.clusterId,
      controllerId: r.controllerId,
      brokers: [...this.nodes.values()].filter((n) => n.nodeId >= 0).sort((a, b) => a.nodeId - b.nodeId),
      topics: r.topics.map((t) => ({
        name: t.name ?? '',
        topicId: t.topicId,
        internal: t.isInternal,
        errorCode: t.errorCode,
        partitions: t.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            leader: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            errorCode: p.errorCode,
          }))
          .sort((a, b) => a.partition - b.partition),
      })),
    };
  }

  /** Metadata of one existing topic; an unknown topic is an error. */
  async topic(name: string): Promise<TopicMetadata> {
    const md = await this.metadata([name]);
    const t = md.topics[0];
    check(t?.errorCode ?? 3, `topic ${name}`);
    return t!;
  }

  /** The node id of a group's coordinator. */
  async coordinator(groupId: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.send(FindCoordinator, { keyType: 0, coordinatorKeys: [groupId] });
      const c = r.coordinators[0];
      if (c && c.errorCode === 0) {
        if (!this.nodes.has(c.nodeId)) this.nodes.set(c.nodeId, { nodeId: c.nodeId, host: c.host, port: c.port, rack: null });
        return c.nodeId;
      }
      const code = c?.errorCode ?? 15;
      if (!errorInfo(code).retriable || attempt >= 20) check(code, `FindCoordinator for group ${groupId}`, c?.errorMessage);
      await this.sleep(200);
    }
  }

  /** Runs `task` every `periodMs` on the client's clock (heartbeats, auto-commit). */
  every(periodMs: number, task: () => void): ScheduledTask {
    return this.clock.scheduleEvery(periodMs, task);
  }

  now(): number {
    return this.clock.now();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.schedule(ms, resolve));
  }

  close(): void {
    for (const c of this.connections.values()) c.then((conn) => conn.close(), () => {});
    this.connections.clear();
  }
}
