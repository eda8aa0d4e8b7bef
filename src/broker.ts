/**
 * The broker: the composition root. It opens the services (configuration, node identity, topics,
 * partition logs, group coordinator, producer ids, transaction coordinator) in order, hands them to the listener as one
 * BrokerServices (src/services.ts), and stops them in order. Everything a request does lives in
 * those services; nothing here is reachable from a handler.
 */
import { pino, type Logger } from 'pino';
import { Admin } from './admin/admin.js';
import { ALLOW_ALL, type Authorizer } from './auth/authorizer.js';
import { monotonicNow, systemClock, type Clock } from './clock.js';
import { BrokerConfig } from './config/broker-config.js';
import { DynamicBrokerConfigs } from './config/dynamic.js';
import { DynamicConfigStore } from './config/dynamic-store.js';
import { brokerLogConfig, topicLogConfig } from './config/log-config.js';
import { HANDLERS } from './handlers/index.js';
import { loadOrCreateMetaProperties } from './meta-properties.js';
import { HandlerRegistry, type VersionsFloor } from './server/dispatch.js';
import { KafkaServer } from './server/server.js';
import type { BrokerServices, NodeIdentity } from './services.js';
import { TopicManager } from './topics/manager.js';
import { TopicRegistry } from './topics/registry.js';
import { LogManager } from './log/log-manager.js';
import { logCleanerConfig } from './log/cleaner/log-cleaner.js';
import { FetchSessionCache } from './fetch/fetch-sessions.js';
import { DataDirLock } from './log/data-dir-lock.js';
import { autoMaxOpenFiles, FileStorage } from './log/file-storage.js';
import { MemoryStorage } from './log/memory-storage.js';
import type { Storage } from './log/storage.js';
import { GroupCoordinator } from './group/coordinator.js';
import { consumerGroupsConfig } from './group/consumer/config.js';
import { ProducerIdManager } from './producer-ids.js';
import { ClientQuotaStore } from './quota/store.js';
import { ClientQuotas } from './quota/client-quotas.js';
import { RequestGate } from './server/request-gate.js';
import { ConnectionQuotas } from './server/connection-quotas.js';
import { AclStore } from './security/acl/acl-store.js';
import { StandardAuthorizer } from './security/acl/standard-authorizer.js';
import { ListenerSecurity } from './security/listener-security.js';
import { ScramCredentialStore } from './security/scram-credentials.js';
import { advertisedHost } from './config/listeners.js';
import { TRANSACTION_STATE_TOPIC } from './topics/internal.js';
import type { TopicService } from './topics/manager.js';
import { TransactionCoordinator, transactionCoordinatorConfig } from './txn/coordinator.js';
import { MarkerWriter } from './txn/markers.js';
import type { PartitionLog } from './log/partition-log.js';

export interface BrokerOptions {
  readonly config: BrokerConfig;
  /** Keep everything in memory (an embedded broker for tests); no files are written. */
  readonly inMemory?: boolean;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /**
   * Serve the admin HTTP server (metrics, health, inspector) on `tafka.admin.listener`. The CLI
   * turns it on; an embedded broker serves it only when its config sets that key.
   */
  readonly admin?: boolean;
  /** Where the logs and the topic registry live; default: the data directory, or memory with `inMemory`. Tests inject failing storage here. */
  readonly storage?: Storage;
}

export class Broker {
  private constructor(
    /** What every request is handed (as `ctx.services`); also the way in for code embedding a broker. */
    readonly services: BrokerServices,
    /** The first listener's bound port (differs from the configured one only when that was 0). */
    readonly port: number,
    /** Every client listener's bound port, by listener name. */
    readonly ports: ReadonlyMap<string, number>,
    /** The data directory, or undefined for an in-memory broker. */
    readonly dataDir: string | undefined,
    private readonly servers: readonly KafkaServer[],
    private readonly logs: LogManager,
    private readonly groups: GroupCoordinator,
    private readonly quotas: ClientQuotas,
    private readonly txn: TransactionCoordinator,
    private readonly logger: Logger,
    /** The admin HTTP server, when it runs. */
    readonly admin: Admin | undefined,
    private readonly lock: DataDirLock | undefined,
  ) {}

  /** Starts a broker; a data directory another broker holds stops it with DataDirLockedError. */
  static async start(opts: BrokerOptions): Promise<Broker> {
    const logger = opts.logger ?? pino({ level: 'silent' });
    const clock = opts.clock ?? systemClock;
    const dataDir = opts.inMemory ? undefined : opts.config.dataDir;
    // The data directory is this broker's alone: a second broker on it stops here (DataDirLockedError).
    const lock = dataDir === undefined ? undefined : await DataDirLock.acquire(dataDir, logger);
    const serveAdmin = opts.config.adminListener !== undefined && (opts.admin ?? opts.config.explicit.has('tafka.admin.listener'));
    try {
      // First, so /health answers while the logs load; a failure later in start-up closes it again.
      const admin = serveAdmin ? await Admin.start(opts.config, clock, logger) : undefined;
      try {
        return await Broker.open(opts, logger, clock, dataDir, lock, admin);
      } catch (err) {
        await admin?.close();
        throw err;
      }
    } catch (err) {
      await lock?.release();
      throw err;
    }
  }

  private static async open(
    opts: BrokerOptions,
    logger: Logger,
    clock: Clock,
    dataDir: string | undefined,
    lock: DataDirLock | undefined,
    admin: Admin | undefined,
  ): Promise<Broker> {
    const { config } = opts;
    // Connection limits and group settings first: a bad value stops start-up before any file is opened.
    const gate = RequestGate.fromConfig(config.get('queued.max.requests'), config.get('queued.max.request.bytes'), config.get('socket.request.max.bytes'));
    const limits = new ConnectionQuotas({
      maxConnections: () => config.get('max.connections'),
      maxConnectionsPerIp: () => config.get('max.connections.per.ip'),
      perIpOverrides: () => config.get('max.connections.per.ip.overrides'),
    });
    const consumerGroups = consumerGroupsConfig(config);
    const meta = await loadOrCreateMetaProperties(dataDir, config.get('node.id'));
    // Dynamic broker configs first: the logs open under the log defaults in force.
    const dynamicConfigs = await DynamicBrokerConfigs.open({ config, store: await DynamicConfigStore.open(dataDir), nodeId: meta.nodeId, logger });
    const storage = opts.storage ?? (dataDir === undefined ? new MemoryStorage(clock) : await FileStorage.create(dataDir, config.get('tafka.log.max.open.files') === -1 ? autoMaxOpenFiles() : config.get('tafka.log.max.open.files')));
    const registry = await TopicRegistry.open(storage);
    const logsStarted = monotonicNow();
    const logs = await LogManager.open({
      storage,
      // A directory no registered topic claims was left by a crash mid-create or mid-delete.
      isStray: (topic, partition) => !registry.claims(topic, partition),
      config: brokerLogConfig(config),
      // Recovery rebuilds indexes, so each partition must load under its topic's overrides.
      configFor: (topic) => topicLogConfig(config, registry.get(topic)?.configs ?? {}),
      clock,
      logger,
      retentionCheckIntervalMs: config.get('log.retention.check.interval.ms'),
      producerIdExpirationCheckIntervalMs: config.get('producer.id.expiration.check.interval.ms'),
      cleaner: { config: logCleanerConfig(config), executors: 'worker' },
      observer: admin?.logStats,
    });
    const groupsStarted = monotonicNow();
    const groups = await GroupCoordinator.open({ config, logs, registry, clock, logger, observer: admin?.timeline, consumer: consumerGroups });
    const groupsMs = monotonicNow() - groupsStarted;
    const producerIds = await ProducerIdManager.open(dataDir);
    const topics = await TopicManager.open({ registry, logs, config, logger, onDeleted: (topic) => groups.onTopicDeleted(topic) });
    dynamicConfigs.onChange(() => topics.reapplyLogConfigs());
    const quotaStore = await ClientQuotaStore.open(dataDir);
    const quotas = new ClientQuotas(quotaStore, { samples: config.get('quota.window.num'), windowMs: config.get('quota.window.size.seconds') * 1000 }, clock);
    const markers = new MarkerWriter({
      clock,
      partitionLog: (topic, p) => topics.partitionLog(topic, p),
      // `__consumer_offsets` is the group coordinator's log: it writes (and applies) markers there itself.
      groupMarker: (p, marker) => groups.writeTxnMarker(p, marker),
    });
    const txn = new TransactionCoordinator({
      config: transactionCoordinatorConfig(config),
      clock,
      logger,
      producerIds,
      markers,
      offsetsPartitionFor: (groupId) => groups.partitionFor(groupId),
      openStateLog: (partitions, segmentBytes) => openTransactionStateLog(topics, partitions, segmentBytes),
    });
    const closeServices = async () => {
      quotas.close();
      await txn.close();
      await groups.close();
      await logs.close();
    };
    try {
      // As Kafka creates it on first use, `__transaction_state` is loaded at start only when it exists.
      if (topics.get(TRANSACTION_STATE_TOPIC)) await txn.ensureStarted();
    } catch (err) {
      await closeServices();
      throw err;
    }

    const scramCredentials = await ScramCredentialStore.open(dataDir);
    const { authorizer, acls } = await openAuthorizer(config, dataDir);

    const ports = new Map<string, number>();
    const node = nodeIdentity(config, meta, ports);
    const fetchSessions = new FetchSessionCache(() => config.get('max.incremental.fetch.session.cache.slots'), clock);
    const services: BrokerServices = {
      config, dynamicConfigs, clock, node, topics, logs, groups, fetchSessions, producerIds, authorizer, acls, scramCredentials, quotas: quotaStore, txn,
    };
    admin?.loaded({ logs, groups, topics, node, logsMs: groupsStarted - logsStarted, groupsMs });
    const shared = {
      services,
      registry: new HandlerRegistry(HANDLERS, config.get('api.versions.floor') as VersionsFloor),
      logger,
      quotas,
      gate,
      limits,
      backlog: config.get('socket.listen.backlog.size'),
      idleMs: config.get('connections.max.idle.ms'),
      observer: admin?.network,
    };
    // One server per client listener, each with its own security; a controller listener is not bound.
    const servers: KafkaServer[] = [];
    try {
      for (const endpoint of config.listenerSettings.client) {
        const security = await ListenerSecurity.create(endpoint, { config, clock, scram: scramCredentials, logger });
        const server = new KafkaServer({ ...shared, security });
        servers.push(server);
        ports.set(endpoint.name, await server.listen(endpoint.host, endpoint.port));
      }
    } catch (err) {
      // A port in use (or a listener that cannot be served) must not leave the logs open.
      await Promise.all(servers.map((s) => s.close()));
      await closeServices();
      throw err;
    }
    const { client } = config.listenerSettings;
    const first = client[0];
    admin?.running(client.map((l) => `${l.host || '0.0.0.0'}:${ports.get(l.name)}`).join(', '));
    return new Broker(services, ports.get(first.name)!, ports, dataDir, servers, logs, groups, quotas, txn, logger, admin, lock);
  }

  async close(): Promise<void> {
    this.admin?.stopping();
    await Promise.all(this.servers.map((s) => s.close()));
    this.quotas.close();
    await this.txn.close();
    await this.groups.close();
    await this.logs.close();
    await this.admin?.close();
    await this.lock?.release();
    this.logger.info('broker stopped');
  }
}

/** `authorizer.class.name`: none (everything allowed, as Kafka without one) or StandardAuthorizer over the ACLs. */
async function openAuthorizer(config: BrokerConfig, dataDir: string | undefined): Promise<{ authorizer: Authorizer; acls: AclStore | undefined }> {
  if (config.get('authorizer.class.name') === '') return { authorizer: ALLOW_ALL, acls: undefined };
  const acls = await AclStore.open(dataDir);
  const authorizer = new StandardAuthorizer(acls, {
    superUsers: config.get('super.users'),
    allowEveryoneIfNoAclIsFound: config.get('allow.everyone.if.no.acl.found'),
  });
  return { authorizer, acls };
}

/**
 * `__transaction_state`, created on first use as Kafka does (compacted; Tafka's coordinator keeps
 * it bounded with snapshots), and its partition logs.
 */
async function openTransactionStateLog(topics: TopicService, partitions: number, segmentBytes: number): Promise<PartitionLog[]> {
  const topic = topics.get(TRANSACTION_STATE_TOPIC) ??
    (await topics.create(TRANSACTION_STATE_TOPIC, partitions, { 'cleanup.policy': 'compact', 'segment.bytes': String(segmentBytes) }));
  return Array.from({ length: topic.partitions }, (_, p) => {
    const log = topics.partitionLog(TRANSACTION_STATE_TOPIC, p);
    if (!log) throw new Error(`${TRANSACTION_STATE_TOPIC}-${p} has no log`);
    return log;
  });
}

/**
 * The node's identity. Each listener is advertised as `advertised.listeners` says, else as bound
 * (localhost for every interface; the bound port when it was 0). advertised.listeners is read
 * afresh, as it may change at runtime.
 */
function nodeIdentity(config: BrokerConfig, ids: { nodeId: number; clusterId: string }, ports: ReadonlyMap<string, number>): NodeIdentity {
  const advertisedFor = (listenerName: string | undefined) => {
    const settings = config.listenerSettings;
    const l = settings.client.find((c) => c.name === listenerName) ?? settings.client[0];
    return settings.advertised.get(l.name) ?? { host: advertisedHost(l.host), port: ports.get(l.name) ?? l.port };
  };
  return {
    nodeId: ids.nodeId,
    clusterId: ids.clusterId,
    rack: config.get('broker.rack'),
    get advertised() {
      return advertisedFor(undefined);
    },
    advertisedFor,
  };
}
