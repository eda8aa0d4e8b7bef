import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scramFactory } from '../../src/security/sasl/scram.js';
import { credentialFromPassword, scramMechanism } from '../../src/security/sasl/scram-formatter.js';

const SHA256 = scramMechanism('SCRAM-SHA-256')!;
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');

/** The server side of one exchange, with "user" / "pencil" (RFC 7677's example) stored. */
function server() {
  const credential = credentialFromPassword(SHA256, 'pencil', 4096, SALT);
  return scramFactory(SHA256, { credential: (_m, user) => (user === 'user' ? credential : undefined) }).create();
}

/** RFC 5802's client computation: the client-final message for a server-first. */
function clientFinal(clientFirstBare: string, serverFirst: string, password: string) {
  const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=biws,r=${attrs.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = createHmac('sha256', storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return { message: `${withoutProof},p=${proof.toString('base64')}`, serverSignature: createHmac('sha256', serverKey).update(authMessage).digest('base64') };
}

/** One step, as a promise however the server answers (a refusal may be thrown synchronously). */
const attempt = async (s: ReturnType<typeof server>, message: Buffer) => s.evaluate(message);

describe('SCRAM-SHA-256 server (RFC 5802 / 7677)', () => {
  it('stores what RFC 7677 derives from "pencil", never the password', () => {
    const c = credentialFromPassword(SHA256, 'pencil', 4096, SALT);
    // RFC 7677 section 3: the salted password gives this ClientKey/ServerKey pair; check StoredKey = H(ClientKey).
    const salted = pbkdf2Sync('pencil', SALT, 4096, 32, 'sha256');
    expect(c.storedKey).toEqual(createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest());
    expect(c.serverKey).toEqual(createHmac('sha256', salted).update('Server Key').digest());
    expect(JSON.stringify(c)).not.toContain('pencil');
  });

  it('a full exchange: the server extends the nonce, checks the proof and proves itself', async () => {
    const s = server();
    const bare = 'n=user,r=rOprNGfwEbeRWgbNEkqO';
    const first = await s.evaluate(Buffer.from(`n,,${bare}`));
    const serverFirst = first.challenge.toString();
    expect(serverFirst).toMatch(/^r=rOprNGfwEbeRWgbNEkqO.+,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096$/);
    const { message, serverSignature } = clientFinal(bare, serverFirst, 'pencil');
    const final = await s.evaluate(Buffer.from(message));
    expect(final.complete).toEqual({ authorizationId: 'user' });
    expect(final.challenge.toString()).toBe(`v=${serverSignature}`);
  });

  it('refuses a wrong password, an unknown user, a foreign nonce and malformed messages', async () => {
    const bare = 'n=user,r=abc';
    let s = server();
    const serverFirst = (await s.evaluate(Buffer.from(`n,,${bare}`))).challenge.toString();
    await expect(attempt(s, Buffer.from(clientFinal(bare, serverFirst, 'wrong').message))).rejects.toThrow();
    await expect(attempt(server(), Buffer.from('n,,n=nobody,r=abc'))).rejects.toThrow(/Invalid user credentials/);
    s = server();
    const sf = (await s.evaluate(Buffer.from(`n,,${bare}`))).challenge.toString();
    const forged = clientFinal(bare, sf.replace(/r=[^,]*/, 'r=abcOTHER'), 'pencil').message;
    await expect(attempt(s, Buffer.from(forged))).rejects.toThrow(/nonce/);
    for (const junk of ['', 'hello', 'n,,r=abc', 'y,,n=user']) await expect(attempt(server(), Buffer.from(junk))).rejects.toThrow();
  });
});
