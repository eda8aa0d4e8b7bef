/**
 * The broker: the composition root. It opens the services (configuration, node identity, topics,
 * partition logs, group coordinator, producer ids) in order, hands them to the listener as one
 * BrokerServices (src/services.ts), and stops them in order. Everything a request does lives in
 * those services; nothing here is reachable from a handler.
 */
import { pino, type Logger } from 'pino';
import { ALLOW_ALL, type Authorizer } from './auth/authorizer.js';
import { systemClock, type Clock } from './clock.js';
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
import { GroupCoordinator } from './group/coordinator.js';
import { ProducerIdManager } from './producer-ids.js';
import { AclStore } from './security/acl/acl-store.js';
import { StandardAuthorizer } from './security/acl/standard-authorizer.js';
import { ListenerSecurity } from './security/listener-security.js';
import { ScramCredentialStore } from './security/scram-credentials.js';
import { advertisedHost } from './config/listeners.js';

export interface BrokerOptions {
  readonly config: BrokerConfig;
  /** Keep everything in memory (an embedded broker for tests); no files are written. */
  readonly inMemory?: boolean;
  readonly logger?: Logger;
  readonly clock?: Clock;
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
    private readonly logger: Logger,
  ) {}

  static async start(opts: BrokerOptions): Promise<Broker> {
    const { config } = opts;
    const logger = opts.logger ?? pino({ level: 'silent' });
    const dataDir = opts.inMemory ? undefined : config.dataDir;
    const meta = await loadOrCreateMetaProperties(dataDir, config.get('node.id'));
    // Dynamic broker configs first: the logs open under the log defaults in force.
    const dynamicConfigs = await DynamicBrokerConfigs.open({ config, store: await DynamicConfigStore.open(dataDir), nodeId: meta.nodeId, logger });
    const registry = await TopicRegistry.open(dataDir);
    const clock = opts.clock ?? systemClock;
    const logs = await LogManager.open({
      dataDir,
      config: brokerLogConfig(config),
      // Recovery rebuilds indexes, so each partition must load under its topic's overrides.
      configFor: (topic) => topicLogConfig(config, registry.get(topic)?.configs ?? {}),
      clock,
      logger,
      retentionCheckIntervalMs: config.get('log.retention.check.interval.ms'),
      producerIdExpirationCheckIntervalMs: config.get('producer.id.expiration.check.interval.ms'),
    });
    const groups = await GroupCoordinator.open({ config, logs, registry, clock, logger });
    const producerIds = await ProducerIdManager.open(dataDir);
    const topics = await TopicManager.open({ registry, logs, config, logger, onDeleted: (topic) => groups.onTopicDeleted(topic) });
    dynamicConfigs.onChange(() => topics.reapplyLogConfigs());

    const scramCredentials = await ScramCredentialStore.open(dataDir);
    const { authorizer, acls } = await openAuthorizer(config, dataDir);

    const ports = new Map<string, number>();
    const node = nodeIdentity(config, meta, ports);
    const services: BrokerServices = { config, dynamicConfigs, clock, node, topics, logs, groups, producerIds, authorizer, acls, scramCredentials };
    const handlers = new HandlerRegistry(HANDLERS, config.get('api.versions.floor') as VersionsFloor);
    // One server per client listener, each with its own security; a controller listener is not bound.
    const servers: KafkaServer[] = [];
    try {
      for (const endpoint of config.listenerSettings.client) {
        const security = await ListenerSecurity.create(endpoint, { config, clock, scram: scramCredentials, logger });
        const server = new KafkaServer(services, handlers, logger, security);
        servers.push(server);
        ports.set(endpoint.name, await server.listen(endpoint.host, endpoint.port));
      }
    } catch (err) {
      await Promise.all(servers.map((s) => s.close()));
      await groups.close();
      await logs.close();
      throw err;
    }
    const first = config.listenerSettings.client[0].name;
    return new Broker(services, ports.get(first)!, ports, dataDir, servers, logs, groups, logger);
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
    await this.groups.close();
    await this.logs.close();
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
