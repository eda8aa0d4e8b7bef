/**
 * Kafka's StandardAuthorizer (`authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer`):
 * decides from the ACLs, synchronously, from memory (acl-store.ts), so a check never delays an
 * append.
 *
 * For one action (principal, client host, operation, resource):
 * 1. `super.users` may do anything.
 * 2. The ACLs that apply are those on the resource's type whose pattern matches its name: LITERAL
 *    with the same name or "*", PREFIXED with a prefix of it; of those, the ones naming the
 *    principal (or User:*) and the host (or *), for the operation or ALL.
 * 3. Any DENY among them: denied — DENY always wins. Otherwise any ALLOW: allowed.
 * 4. No ACL matched: denied if the resource has ACLs at all (for anyone), else the default —
 *    `allow.everyone.if.no.acl.found` (false).
 *
 * An ALLOW of READ, WRITE, DELETE or ALTER implies DESCRIBE, and an ALLOW of ALTER_CONFIGS implies
 * DESCRIBE_CONFIGS (StandardAuthorizerData.findResult); a DENY implies nothing.
 */
import type { Authorizer, Requester, ResourceType } from '../../auth/authorizer.js';
import { formatPrincipal } from '../principal-names.js';
import { OperationCode, PatternTypeCode, PermissionCode, ResourceTypeCode, WILDCARD, WILDCARD_PRINCIPAL, type AclBinding } from './acl.js';
import type { AclStore } from './acl-store.js';

const O = OperationCode;
const IMPLIES_DESCRIBE: readonly number[] = [O.DESCRIBE, O.READ, O.WRITE, O.DELETE, O.ALTER];
const IMPLIES_DESCRIBE_CONFIGS: readonly number[] = [O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS];

export interface StandardAuthorizerOptions {
  /** `super.users`: "User:admin;User:broker". */
  readonly superUsers: string | null;
  readonly allowEveryoneIfNoAclIsFound: boolean;
}

/** Whether the entry of `acl` applies to this principal, host and operation, and how. */
function entryResult(acl: AclBinding, principal: string, host: string, operation: number): 'allow' | 'deny' | undefined {
  if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) return undefined;
  if (acl.host !== WILDCARD && acl.host !== host) return undefined;
  if (acl.operation !== O.ALL) {
    if (acl.permissionType === PermissionCode.ALLOW) {
      if (operation === O.DESCRIBE ? !IMPLIES_DESCRIBE.includes(acl.operation)
        : operation === O.DESCRIBE_CONFIGS ? !IMPLIES_DESCRIBE_CONFIGS.includes(acl.operation)
          : acl.operation !== operation) return undefined;
    } else if (acl.operation !== operation) {
      return undefined;
    }
  }
  return acl.permissionType === PermissionCode.ALLOW ? 'allow' : 'deny';
}

export class StandardAuthorizer implements Authorizer {
  private readonly superUsers: ReadonlySet<string>;

  constructor(private readonly acls: AclStore, private readonly options: StandardAuthorizerOptions) {
    this.superUsers = new Set((options.superUsers ?? '').split(';').map((s) => s.trim()).filter((s) => s !== ''));
  }

  authorize(requester: Requester, operation: number, resourceType: ResourceType, resourceName: string): boolean {
    const principal = formatPrincipal(requester.principal);
    if (this.superUsers.has(principal)) return true;
    const applicable = this.acls.applicable(ResourceTypeCode[resourceType], resourceName);
    let allowed = false;
    for (const acl of applicable) {
      const r = entryResult(acl, principal, requester.clientAddress, operation);
      if (r === 'deny') return false;
      if (r === 'allow') allowed = true;
    }
    return allowed || (applicable.length === 0 && this.options.allowEveryoneIfNoAclIsFound);
  }

  /**
   * Whether the principal may perform `operation` on at least one resource of the type (Kafka's
   * Authorizer.authorizeByResourceType, for InitProducerId without a transactional id): some ALLOW
   * pattern not wholly covered by a DENY.
   */
  authorizeByResourceType(requester: Requester, operation: number, resourceType: ResourceType): boolean {
    // A resource no ACL names: super users, and everyone under allow.everyone.if.no.acl.found.
    if (this.authorize(requester, operation, resourceType, 'hardcode')) return true;
    const principal = formatPrincipal(requester.principal);
    const deny = { literal: new Set<string>(), prefixed: new Set<string>() };
    const allow = { literal: new Set<string>(), prefixed: new Set<string>() };
    let wildcardAllow = false;
    for (const acl of this.acls.ofType(ResourceTypeCode[resourceType])) {
      if (acl.host !== requester.clientAddress && acl.host !== WILDCARD) continue;
      if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) continue;
      if (acl.operation !== operation && acl.operation !== O.ALL) continue;
      const literal = acl.patternType === PatternTypeCode.LITERAL;
      if (acl.permissionType === PermissionCode.DENY) {
        if (literal && acl.resourceName === WILDCARD) return false;
        (literal ? deny.literal : deny.prefixed).add(acl.resourceName);
      } else if (acl.permissionType === PermissionCode.ALLOW) {
        if (literal && acl.resourceName === WILDCARD) wildcardAllow = true;
        else (literal ? allow.literal : allow.prefixed).add(acl.resourceName);
      }
    }
    if (wildcardAllow) return true;
    const dominatedByDeny = (name: string) => [...name].some((_, i) => deny.prefixed.has(name.slice(0, i + 1)));
    for (const name of allow.literal) if (!deny.literal.has(name) && !dominatedByDeny(name)) return true;
    for (const name of allow.prefixed) if (!dominatedByDeny(name)) return true;
    return false;
  }
}
