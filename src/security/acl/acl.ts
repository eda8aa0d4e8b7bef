/**
 * ACLs as Kafka writes them: a resource pattern (type, name, LITERAL or PREFIXED) and an access
 * control entry (principal, host, operation, ALLOW or DENY) — Kafka's AclBinding — and the filters
 * DescribeAcls and DeleteAcls select them with (AclBindingFilter, with ANY and MATCH).
 *
 * The numbers are Kafka's codes, as the ACL requests carry them.
 */

export const ResourceTypeCode = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PatternTypeCode = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const OperationCode = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8,
  CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const;
export const PermissionCode = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** A resource name matching every resource of its type (a LITERAL pattern "*"). */
export const WILDCARD = '*';
/** The principal matching every principal. */
export const WILDCARD_PRINCIPAL = 'User:*';

export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  /** "User:alice", or "User:*". */
  readonly principal: string;
  /** An IP address, or "*". */
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

export interface AclBindingFilter {
  readonly resourceType: number;
  /** null: any name. */
  readonly resourceName: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

/** A code's name, for Kafka's messages ("Invalid operation UNKNOWN"); unknown codes are UNKNOWN, as Kafka's fromCode. */
export function codeName(codes: Record<string, number>, code: number): string {
  return Object.entries(codes).find(([, c]) => c === code)?.[0] ?? 'UNKNOWN';
}

const known = (codes: Record<string, number>, code: number) => codeName(codes, code) !== 'UNKNOWN';

/** ResourcePatternFilter.matches: ANY matches every pattern type; MATCH also matches the patterns that would apply to the name. */
function patternMatches(f: AclBindingFilter, acl: AclBinding): boolean {
  if (f.resourceType !== ResourceTypeCode.ANY && f.resourceType !== acl.resourceType) return false;
  if (f.patternType !== PatternTypeCode.ANY && f.patternType !== PatternTypeCode.MATCH && f.patternType !== acl.patternType) return false;
  if (f.resourceName === null) return true;
  if (f.patternType === PatternTypeCode.ANY || f.patternType === acl.patternType) return f.resourceName === acl.resourceName;
  // MATCH
  if (acl.patternType === PatternTypeCode.LITERAL) return f.resourceName === acl.resourceName || acl.resourceName === WILDCARD;
  return f.resourceName.startsWith(acl.resourceName);
}

/** AccessControlEntryFilter.matches. */
function entryMatches(f: AclBindingFilter, acl: AclBinding): boolean {
  if (f.principal !== null && f.principal !== acl.principal) return false;
  if (f.host !== null && f.host !== acl.host) return false;
  if (f.operation !== OperationCode.ANY && f.operation !== acl.operation) return false;
  return f.permissionType === PermissionCode.ANY || f.permissionType === acl.permissionType;
}

export function filterMatches(f: AclBindingFilter, acl: AclBinding): boolean {
  return patternMatches(f, acl) && entryMatches(f, acl);
}

/**
 * Why an ACL cannot be created (AclApis and AclControlManager.validateNewAcl), or undefined.
 * Answered as 42 INVALID_REQUEST with this message.
 */
export function invalidAclReason(acl: AclBinding): string | undefined {
  if (acl.resourceType === ResourceTypeCode.CLUSTER && acl.resourceName !== 'kafka-cluster') return 'The only valid name for the CLUSTER resource is kafka-cluster';
  if (acl.resourceName === '') return 'Invalid empty resource name';
  if (!known(ResourceTypeCode, acl.resourceType) || acl.resourceType === ResourceTypeCode.ANY) return `Invalid resourceType ${codeName(ResourceTypeCode, acl.resourceType)}`;
  if (acl.patternType !== PatternTypeCode.LITERAL && acl.patternType !== PatternTypeCode.PREFIXED) return `Invalid patternType ${codeName(PatternTypeCode, acl.patternType)}`;
  if (!known(OperationCode, acl.operation) || acl.operation === OperationCode.ANY) return `Invalid operation ${codeName(OperationCode, acl.operation)}`;
  if (acl.permissionType !== PermissionCode.ALLOW && acl.permissionType !== PermissionCode.DENY) return `Invalid permissionType ${codeName(PermissionCode, acl.permissionType)}`;
  if (!/^[^:]+:/.test(acl.principal)) return `Could not parse principal from \`${acl.principal}\` (no colon is present separating the principal type from the principal name)`;
  return undefined;
}

/** Same ACL (Kafka keeps one copy of identical bindings). */
export function sameAcl(a: AclBinding, b: AclBinding): boolean {
  return a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType
    && a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;
}
