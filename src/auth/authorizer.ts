/**
 * Who may do what: Kafka's Authorizer as the handlers ask it (Kafka's AuthHelper) — may this
 * principal, from this host, perform this operation on this resource — and the "authorized
 * operations" bit fields that Metadata (v8+), DescribeCluster and DescribeGroups (v3+) answer when a
 * client asks for them (KIP-430): every operation the resource type supports
 * (AclEntry.supportedOperations) that the authorizer allows, one bit per AclOperation code.
 *
 * Without `authorizer.class.name` the authorizer in use allows everything, as Kafka without an
 * authorizer; with StandardAuthorizer the ACLs decide (src/security/acl/standard-authorizer.ts).
 * Decisions are synchronous over in-memory state, so a handler checks before its synchronous part
 * and no await slips in ahead of an append (see the design notes on authorization and the append rule).
 */
import type { KafkaPrincipal } from '../security/principal.js';

/** Kafka's AclOperation codes: the bit positions of the authorized-operations fields. */
export const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

export type ResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID' | 'DELEGATION_TOKEN' | 'USER';

/** The one CLUSTER resource's name (Kafka's Resource.CLUSTER_NAME). */
export const CLUSTER_NAME = 'kafka-cluster';

const O = AclOperation;
/** Kafka's AclEntry.supportedOperations: what can be allowed on each resource type. */
export const SUPPORTED_OPERATIONS: Readonly<Record<ResourceType, readonly number[]>> = {
  TOPIC: [O.READ, O.WRITE, O.CREATE, O.DESCRIBE, O.DELETE, O.ALTER, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS],
  GROUP: [O.READ, O.DESCRIBE, O.DELETE, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS],
  CLUSTER: [O.CREATE, O.CLUSTER_ACTION, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS, O.IDEMPOTENT_WRITE, O.ALTER, O.DESCRIBE],
  TRANSACTIONAL_ID: [O.DESCRIBE, O.WRITE],
  DELEGATION_TOKEN: [O.DESCRIBE],
  USER: [O.CREATE_TOKENS, O.DESCRIBE_TOKENS],
};

/** The schemas' default for the fields (Integer.MIN_VALUE): "not asked for". */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

/** Who is asking: what a request context tells an authorizer. */
export interface Requester {
  readonly principal: KafkaPrincipal;
  /** The client's IP address, which an ACL's host is compared with. */
  readonly clientAddress: string;
}

export interface Authorizer {
  /** Whether `requester` may perform `operation` (an AclOperation code) on the named resource. */
  authorize(requester: Requester, operation: number, resourceType: ResourceType, resourceName: string): boolean;
  /** Whether `requester` may perform `operation` on at least one resource of the type. */
  authorizeByResourceType(requester: Requester, operation: number, resourceType: ResourceType): boolean;
}

/** Kafka without an authorizer configured: every operation is allowed. */
export const ALLOW_ALL: Authorizer = { authorize: () => true, authorizeByResourceType: () => true };

/** Kafka's AuthHelper.authorizedOperations: the supported operations allowed, one bit per code (Utils.to32BitField). */
export function authorizedOperations(authorizer: Authorizer, requester: Requester, resourceType: ResourceType, resourceName: string): number {
  let bits = 0;
  for (const op of SUPPORTED_OPERATIONS[resourceType]) {
    if (authorizer.authorize(requester, op, resourceType, resourceName)) bits |= 1 << op;
  }
  return bits;
}

/**
 * The cluster's operations as Metadata and DescribeCluster report them: 0 for a requester that may
 * not even DESCRIBE the cluster, else the allowed ones.
 */
export function clusterAuthorizedOperations(authorizer: Authorizer, requester: Requester): number {
  if (!authorizer.authorize(requester, AclOperation.DESCRIBE, 'CLUSTER', CLUSTER_NAME)) return 0;
  return authorizedOperations(authorizer, requester, 'CLUSTER', CLUSTER_NAME);
}

/** Kafka's default messages of the authorization errors (Errors.*.message()). */
export const AUTHORIZATION_FAILED_MESSAGE = {
  CLUSTER: 'Cluster authorization failed.',
  TOPIC: 'Topic authorization failed.',
  GROUP: 'Group authorization failed.',
  TRANSACTIONAL_ID: 'Transactional Id authorization failed.',
} as const;

/** Whether the requester may perform `operation` on the cluster (AuthHelper.authorizeClusterOperation). */
export function authorizeCluster(authorizer: Authorizer, requester: Requester, operation: number): boolean {
  return authorizer.authorize(requester, operation, 'CLUSTER', CLUSTER_NAME);
}

/** A check of one operation on resources of one type, asked at most once per name (a request may name a topic many times). */
export function authorizeEach(authorizer: Authorizer, requester: Requester, operation: number, resourceType: ResourceType): (name: string) => boolean {
  if (authorizer === ALLOW_ALL) return () => true;
  const seen = new Map<string, boolean>();
  return (name) => {
    let ok = seen.get(name);
    if (ok === undefined) seen.set(name, (ok = authorizer.authorize(requester, operation, resourceType, name)));
    return ok;
  };
}
