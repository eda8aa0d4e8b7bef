/**
 * The ACLs in force: an in-memory image the authorizer reads synchronously, and
 * `tafka-acls.json` in the data directory, Kafka's AccessControlEntryRecords (each with its id),
 * replaced atomically on every change. CreateAcls and DeleteAcls answer only once the change is on
 * disk, so an acknowledged ACL survives a restart.
 *
 * The image is indexed as the authorizer asks: per resource type, literal names in a map, prefixes
 * in a map, plus the prefix lengths in use, so finding the ACLs that apply to one resource costs a
 * few map lookups however many ACLs there are.
 */
import { randomUUID } from 'node:crypto';
import { RecordFile } from '../../util/record-file.js';
import { filterMatches, PatternTypeCode, sameAcl, type AclBinding, type AclBindingFilter } from './acl.js';

export const ACLS_FILE = 'tafka-acls.json';

interface AccessControlEntryRecord extends AclBinding {
  readonly id: string;
}

/** The ACLs of one resource type. */
interface TypeIndex {
  readonly literal: Map<string, AclBinding[]>;
  readonly prefixed: Map<string, AclBinding[]>;
  /** Lengths of the prefixes in `prefixed`, so a lookup tries only those. */
  readonly prefixLengths: Set<number>;
}

export class AclStore {
  private records: AccessControlEntryRecord[] = [];
  private index = new Map<number, TypeIndex>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly file: RecordFile<AccessControlEntryRecord>) {}

  static async open(dataDir: string | undefined): Promise<AclStore> {
    const store = new AclStore(await RecordFile.open<AccessControlEntryRecord>(dataDir, ACLS_FILE));
    store.replace(await store.file.load());
    return store;
  }

  get size(): number {
    return this.records.length;
  }

  /** The ACLs whose pattern could apply to `name` of `resourceType`: literal, wildcard and prefixes. */
  applicable(resourceType: number, name: string): AclBinding[] {
    const idx = this.index.get(resourceType);
    if (!idx) return [];
    const out: AclBinding[] = [];
    const add = (list: AclBinding[] | undefined) => {
      if (list) for (const a of list) out.push(a);
    };
    add(idx.literal.get(name));
    if (name !== '*') add(idx.literal.get('*'));
    for (const len of idx.prefixLengths) if (len <= name.length) add(idx.prefixed.get(name.slice(0, len)));
    return out;
  }

  /** Every ACL of one resource type (authorizeByResourceType). */
  ofType(resourceType: number): AclBinding[] {
    return this.records.filter((r) => r.resourceType === resourceType);
  }

  describe(filter: AclBindingFilter): AclBinding[] {
    return this.records.filter((r) => filterMatches(filter, r)).map(binding);
  }

  /** Adds the ACLs (an identical one already present is kept once) and saves. */
  create(acls: readonly AclBinding[]): Promise<void> {
    return this.change((current) => {
      const next = [...current];
      for (const acl of acls) if (!next.some((r) => sameAcl(r, acl))) next.push({ id: randomUUID(), ...binding(acl) });
      return next;
    });
  }

  /** Removes every ACL matching each filter and saves; returns what each filter removed. */
  async delete(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]> {
    let removed: AclBinding[][] = [];
    await this.change((current) => {
      removed = filters.map((f) => current.filter((r) => filterMatches(f, r)).map(binding));
      return current.filter((r) => !filters.some((f) => filterMatches(f, r)));
    });
    return removed;
  }

  /** One change at a time: computed from the current set, saved, then put in force. */
  private change(next: (current: readonly AccessControlEntryRecord[]) => AccessControlEntryRecord[]): Promise<void> {
    const run = this.queue.catch(() => {}).then(async () => {
      const records = next(this.records);
      if (records.length !== this.records.length || records.some((r, i) => r !== this.records[i])) await this.file.save(records);
      this.replace(records);
    });
    this.queue = run;
    return run;
  }

  private replace(records: AccessControlEntryRecord[]): void {
    const index = new Map<number, TypeIndex>();
    for (const r of records) {
      let idx = index.get(r.resourceType);
      if (!idx) index.set(r.resourceType, (idx = { literal: new Map(), prefixed: new Map(), prefixLengths: new Set() }));
      const map = r.patternType === PatternTypeCode.PREFIXED ? idx.prefixed : idx.literal;
      if (r.patternType === PatternTypeCode.PREFIXED) idx.prefixLengths.add(r.resourceName.length);
      const list = map.get(r.resourceName);
      if (list) list.push(r);
      else map.set(r.resourceName, [r]);
    }
    this.records = records;
    this.index = index;
  }
}

function binding(r: AclBinding): AclBinding {
  return {
    resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType,
    principal: r.principal, host: r.host, operation: r.operation, permissionType: r.permissionType,
  };
}
