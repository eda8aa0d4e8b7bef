/**
 * SCRAM credentials: who may log in with SCRAM-SHA-256/512, kept salted and hashed in the data
 * directory, `tafka-scram-credentials.json` — one record per user and mechanism, Kafka's
 * UserScramCredentialRecord (name, mechanism, salt, stored key, server key, iterations). No
 * password is ever stored (scram-formatter.ts).
 *
 * Changed by AlterUserScramCredentials (51) and read by DescribeUserScramCredentials (50) with
 * Kafka's ScramControlManager / ScramImage rules and messages, and by `tafka format --add-scram`
 * before the first start. Lookups during authentication are synchronous, from memory.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { RecordFile } from '../util/record-file.js';
import type { ScramCredentialSource } from './sasl/scram.js';
import { credentialFromSaltedPassword, MAX_ITERATIONS, scramMechanism, type ScramCredential, type ScramMechanismInfo } from './sasl/scram-formatter.js';

export const SCRAM_CREDENTIALS_FILE = 'tafka-scram-credentials.json';

/** One stored credential, bytes in base64. */
interface UserScramCredentialRecord {
  readonly name: string;
  readonly mechanism: number;
  readonly salt: string;
  readonly storedKey: string;
  readonly serverKey: string;
  readonly iterations: number;
}

export interface ScramUpsertion {
  readonly name: string;
  readonly mechanism: number;
  readonly iterations: number;
  readonly salt: Buffer;
  readonly saltedPassword: Buffer;
}

export interface ScramDeletion {
  readonly name: string;
  readonly mechanism: number;
}

export interface UserResult {
  readonly user: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface DescribedUser extends UserResult {
  readonly credentialInfos: { mechanism: number; iterations: number }[];
}

const key = (mechanism: number, user: string) => `${mechanism}:${user}`;

/** Kafka's validateScramUsernameAndMechanism. */
function usernameAndMechanismError(name: string, mechanism: number): [number, string] | undefined {
  if (name === '') return [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty'];
  if (!scramMechanism(mechanism)) return [ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'];
  return undefined;
}

export class ScramCredentialStore implements ScramCredentialSource {
  private readonly byKey = new Map<string, ScramCredential & { name: string; mechanism: number }>();
  /** Changes one at a time, each saved before it answers. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly file: RecordFile<UserScramCredentialRecord>) {}

  static async open(dataDir: string | undefined): Promise<ScramCredentialStore> {
    const store = new ScramCredentialStore(await RecordFile.open<UserScramCredentialRecord>(dataDir, SCRAM_CREDENTIALS_FILE));
    for (const r of await store.file.load()) {
      store.byKey.set(key(r.mechanism, r.name), {
        name: r.name,
        mechanism: r.mechanism,
        iterations: r.iterations,
        salt: Buffer.from(r.salt, 'base64'),
        storedKey: Buffer.from(r.storedKey, 'base64'),
        serverKey: Buffer.from(r.serverKey, 'base64'),
      });
    }
    return store;
  }

  credential(m: ScramMechanismInfo, user: string): ScramCredential | undefined {
    return this.byKey.get(key(m.type, user));
  }

  /** DescribeUserScramCredentials: every user (none asked for), or the ones asked for (ScramImage.describe). */
  describe(users: readonly string[] | null): DescribedUser[] {
    const asked = new Map<string, boolean>(); // user -> asked twice
    if (!users || users.length === 0) for (const c of this.byKey.values()) asked.set(c.name, false);
    else for (const u of users) asked.set(u, asked.has(u));
    return [...asked].map(([user, duplicate]) => {
      if (duplicate) {
        return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] };
      }
      const credentialInfos = [...this.byKey.values()].filter((c) => c.name === user).map((c) => ({ mechanism: c.mechanism, iterations: c.iterations }));
      if (credentialInfos.length === 0) {
        return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos };
      }
      return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos };
    });
  }

  /**
   * AlterUserScramCredentials, with Kafka's checks (ScramControlManager.alterCredentials): a user
   * named twice in one request fails, deletions must exist, iterations must lie within 4096..16384.
   * The valid changes are stored together, then put in force.
   */
  alter(deletions: readonly ScramDeletion[], upsertions: readonly ScramUpsertion[]): Promise<UserResult[]> {
    const run = this.queue.catch(() => {}).then(() => this.apply(deletions, upsertions));
    this.queue = run;
    return run;
  }

  private async apply(deletions: readonly ScramDeletion[], upsertions: readonly ScramUpsertion[]): Promise<UserResult[]> {
    const errors = new Map<string, [number, string]>();
    const toDelete = new Map<string, ScramDeletion>();
    const toUpsert = new Map<string, ScramUpsertion>();
    const duplicate: [number, string] = [ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'];
    for (const d of deletions) {
      if (errors.has(d.name)) continue;
      if (toDelete.delete(d.name)) {
        errors.set(d.name, duplicate);
        continue;
      }
      const error = usernameAndMechanismError(d.name, d.mechanism)
        ?? (this.byKey.has(key(d.mechanism, d.name)) ? undefined : [ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'] as [number, string]);
      if (error) errors.set(d.name, error);
      else toDelete.set(d.name, d);
    }
    for (const u of upsertions) {
      if (errors.has(u.name)) continue;
      if (toDelete.delete(u.name) || toUpsert.delete(u.name)) {
        errors.set(u.name, duplicate);
        continue;
      }
      const m = scramMechanism(u.mechanism);
      const error = usernameAndMechanismError(u.name, u.mechanism)
        ?? (u.iterations < m!.minIterations ? [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'] as [number, string] : undefined)
        ?? (u.iterations > MAX_ITERATIONS ? [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations'] as [number, string] : undefined);
      if (error) errors.set(u.name, error);
      else toUpsert.set(u.name, u);
    }
    const next = new Map(this.byKey);
    for (const d of toDelete.values()) next.delete(key(d.mechanism, d.name));
    for (const u of toUpsert.values()) {
      const m = scramMechanism(u.mechanism)!;
      next.set(key(m.type, u.name), { name: u.name, mechanism: m.type, ...credentialFromSaltedPassword(m, u.salt, u.saltedPassword, u.iterations) });
    }
    if (toDelete.size + toUpsert.size > 0) await this.file.save([...next.values()].map(toRecord));
    this.byKey.clear();
    for (const [k, v] of next) this.byKey.set(k, v);
    const ok = (user: string): UserResult => ({ user, errorCode: ErrorCode.NONE, errorMessage: null });
    return [
      ...[...toDelete.keys()].map(ok),
      ...[...toUpsert.keys()].map(ok),
      ...[...errors].map(([user, [errorCode, errorMessage]]) => ({ user, errorCode, errorMessage })),
    ];
  }
}

function toRecord(c: ScramCredential & { name: string; mechanism: number }): UserScramCredentialRecord {
  return {
    name: c.name,
    mechanism: c.mechanism,
    salt: c.salt.toString('base64'),
    storedKey: c.storedKey.toString('base64'),
    serverKey: c.serverKey.toString('base64'),
    iterations: c.iterations,
  };
}
