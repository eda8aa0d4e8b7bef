import { describe, expect, it } from 'vitest';
import { AclOperation, type ResourceType } from '../../src/auth/authorizer.js';
import { AclStore } from '../../src/security/acl/acl-store.js';
import { OperationCode, PatternTypeCode, PermissionCode, ResourceTypeCode, type AclBinding } from '../../src/security/acl/acl.js';
import { StandardAuthorizer } from '../../src/security/acl/standard-authorizer.js';
import { user } from '../../src/security/principal-names.js';

const acl = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: ResourceTypeCode.TOPIC, resourceName: 'orders', patternType: PatternTypeCode.LITERAL,
  principal: 'User:alice', host: '*', operation: OperationCode.READ, permissionType: PermissionCode.ALLOW, ...over,
});

async function authorizer(acls: AclBinding[], options: { superUsers?: string; allowEveryone?: boolean } = {}) {
  const store = await AclStore.open(undefined);
  await store.create(acls);
  const a = new StandardAuthorizer(store, { superUsers: options.superUsers ?? null, allowEveryoneIfNoAclIsFound: options.allowEveryone ?? false });
  return (name: string, operation: number, type: ResourceType, resource: string, address = '10.0.0.1') =>
    a.authorize({ principal: user(name), clientAddress: address }, operation, type, resource);
}

describe('StandardAuthorizer: Kafka\'s evaluation order', () => {
  it('allows what an ALLOW matches and nothing else; a resource without ACLs is denied by default', async () => {
    const may = await authorizer([acl({})]);
    expect(may('alice', AclOperation.READ, 'TOPIC', 'orders')).toBe(true);
    expect(may('alice', AclOperation.WRITE, 'TOPIC', 'orders')).toBe(false);
    expect(may('bob', AclOperation.READ, 'TOPIC', 'orders')).toBe(false);
    expect(may('alice', AclOperation.READ, 'TOPIC', 'payments')).toBe(false);
    expect(may('alice', AclOperation.READ, 'GROUP', 'orders')).toBe(false);
  });

  it('PREFIXED patterns match names that start with them; LITERAL "*" matches every name', async () => {
    const may = await authorizer([
      acl({ resourceName: 'orders-', patternType: PatternTypeCode.PREFIXED }),
      acl({ resourceType: ResourceTypeCode.GROUP, resourceName: '*', principal: 'User:*' }),
    ]);
    expect(may('alice', AclOperation.READ, 'TOPIC', 'orders-eu')).toBe(true);
    expect(may('alice', AclOperation.READ, 'TOPIC', 'orders')).toBe(false);
    expect(may('bob', AclOperation.READ, 'GROUP', 'any-group')).toBe(true);
  });

  it('DENY beats ALLOW, however specific the ALLOW', async () => {
    const may = await authorizer([
      acl({ resourceName: 'orders', operation: OperationCode.ALL }),
      acl({ resourceName: 'ord', patternType: PatternTypeCode.PREFIXED, operation: OperationCode.WRITE, permissionType: PermissionCode.DENY }),
    ]);
    expect(may('alice', AclOperation.WRITE, 'TOPIC', 'orders')).toBe(false);
    expect(may('alice', AclOperation.READ, 'TOPIC', 'orders')).toBe(true);
  });

  it('READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; a DENY implies nothing', async () => {
    const may = await authorizer([
      acl({ operation: OperationCode.WRITE }),
      acl({ resourceName: 'configs', operation: OperationCode.ALTER_CONFIGS }),
      acl({ resourceName: 'denied', operation: OperationCode.ALL }),
      acl({ resourceName: 'denied', operation: OperationCode.READ, permissionType: PermissionCode.DENY }),
    ]);
    expect(may('alice', AclOperation.DESCRIBE, 'TOPIC', 'orders')).toBe(true);
    expect(may('alice', AclOperation.DESCRIBE_CONFIGS, 'TOPIC', 'configs')).toBe(true);
    expect(may('alice', AclOperation.DESCRIBE_CONFIGS, 'TOPIC', 'orders')).toBe(false);
    expect(may('alice', AclOperation.DESCRIBE, 'TOPIC', 'denied')).toBe(true);
  });

  it('hosts: an ACL naming an address applies to that client address only', async () => {
    const may = await authorizer([acl({ host: '10.0.0.7' })]);
    expect(may('alice', AclOperation.READ, 'TOPIC', 'orders', '10.0.0.7')).toBe(true);
    expect(may('alice', AclOperation.READ, 'TOPIC', 'orders', '10.0.0.8')).toBe(false);
  });

  it('super.users may do anything; allow.everyone.if.no.acl.found opens resources no ACL names', async () => {
    const may = await authorizer([acl({})], { superUsers: 'User:admin;User:broker', allowEveryone: true });
    expect(may('admin', AclOperation.ALTER, 'CLUSTER', 'kafka-cluster')).toBe(true);
    expect(may('broker', AclOperation.DELETE, 'TOPIC', 'orders')).toBe(true);
    expect(may('bob', AclOperation.WRITE, 'TOPIC', 'unnamed')).toBe(true);
    // orders has an ACL (for alice), so the default no longer applies to it.
    expect(may('bob', AclOperation.WRITE, 'TOPIC', 'orders')).toBe(false);
  });
});
