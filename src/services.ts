/**
 * What request handlers (and the server) may use of the broker: a narrow view of its services.
 *
 * It is defined here, below the handlers, and imports only the lower layers (as types), so the
 * handlers never import the composition root: `src/broker.ts` builds one BrokerServices at
 * start-up and every request carries it as `ctx.services`. Each service is the smallest shape the
 * handlers need; start-up, replay and shutdown stay with the broker.
 */
import type { Authorizer } from './auth/authorizer.js';
import type { Clock } from './clock.js';
import type { BrokerConfig } from './config/broker-config.js';
import type { DynamicBrokerConfigs } from './config/dynamic.js';
import type { FetchSessionCache } from './fetch/fetch-sessions.js';
import type { GroupCoordinator } from './group/coordinator.js';
import type { LogManager } from './log/log-manager.js';
import type { ProducerIdManager } from './producer-ids.js';
import type { AclStore } from './security/acl/acl-store.js';
import type { ScramCredentialStore } from './security/scram-credentials.js';
import type { ClientQuotaStore } from './quota/store.js';
import type { TopicService } from './topics/manager.js';
import type { TransactionCoordinator } from './txn/coordinator.js';

export type { TopicService };

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** This node as clients see it. */
export interface NodeIdentity {
  readonly nodeId: number;
  readonly clusterId: string;
  /** `broker.rack`, or null. */
  readonly rack: string | null;
  /** Where clients of the first listener are told to connect: `advertised.listeners`, else the bound listener (port 0 resolved). */
  readonly advertised: Endpoint;
  /** Where clients of a listener are told to connect (Metadata answers each client with its own listener's); the first listener's for an unknown name. */
  advertisedFor(listenerName: string | undefined): Endpoint;
}

/** The group coordinator's request-facing operations. */
export type GroupService = Pick<
  GroupCoordinator,
  | 'findCoordinatorError'
  | 'prepare'
  | 'joinGroup'
  | 'syncGroup'
  | 'heartbeat'
  | 'leaveGroup'
  | 'describeGroup'
  | 'listGroups'
  | 'deleteGroups'
  | 'commitOffsets'
  | 'fetchOffsets'
  | 'pendingCommitsWritten'
  | 'deleteOffsets'
  | 'consumerGroupHeartbeat'
  | 'consumerGroupDescribe'
  | 'commitTxnOffsets'
>;

/** The transaction coordinator's request-facing operations. */
export type TransactionService = Pick<
  TransactionCoordinator,
  | 'findCoordinatorError'
  | 'initProducerId'
  | 'addPartitions'
  | 'addOffsets'
  | 'verifyPartitions'
  | 'verifyProduce'
  | 'verifyOffsetCommit'
  | 'endTxn'
  | 'writeMarker'
  | 'describe'
  | 'list'
>;

/**
 * The log store as handlers see it: only where it lives. Partition logs are reached through
 * `topics.partitionLog`, which never serves a topic that is being deleted.
 */
export type LogDirectory = Pick<LogManager, 'dataDir'>;

/** Dynamic broker configs (AlterConfigs / IncrementalAlterConfigs on BROKER resources). */
export type DynamicConfigService = Pick<DynamicBrokerConfigs, 'alter' | 'current'>;

/** Never-repeating producer ids for InitProducerId. */
export type ProducerIdSource = Pick<ProducerIdManager, 'generate'>;

/** The ACLs, as CreateAcls, DescribeAcls and DeleteAcls change and read them. */
export type AclService = Pick<AclStore, 'describe' | 'create' | 'delete'>;

/** SCRAM credentials, as DescribeUserScramCredentials and AlterUserScramCredentials read and change them. */
export type ScramCredentialService = Pick<ScramCredentialStore, 'describe' | 'alter'>;
/** Client quotas as handlers see them: DescribeClientQuotas and AlterClientQuotas. */
export type ClientQuotaService = Pick<ClientQuotaStore, 'describe' | 'alter'>;

export interface BrokerServices {
  /** The broker configuration: every key's value in force, dynamic broker configs included. */
  readonly config: BrokerConfig;
  /** Changes the dynamic broker configs, which `config` then answers. */
  readonly dynamicConfigs: DynamicConfigService;
  /** The one time source, so tests can run timers on fake time. */
  readonly clock: Clock;
  readonly node: NodeIdentity;
  readonly topics: TopicService;
  readonly logs: LogDirectory;
  readonly groups: GroupService;
  /** Incremental fetch sessions (KIP-227). */
  readonly fetchSessions: Pick<FetchSessionCache, 'open'>;
  readonly producerIds: ProducerIdSource;
  /** Who may do what: everything without `authorizer.class.name`, else the ACLs decide. */
  readonly authorizer: Authorizer;
  /** The ACLs; undefined without an authorizer (the ACL requests then answer 54 SECURITY_DISABLED). */
  readonly acls: AclService | undefined;
  readonly scramCredentials: ScramCredentialService;
  readonly quotas: ClientQuotaService;
  readonly txn: TransactionService;
}
