/**
 * sarama 1.22 (Go), a client of the Kafka 0.8-0.11 era, for the old-clients compatibility cases.
 *
 * integration/sarama/main.go is built offline against Debian's packages (golang-go and
 * golang-github-shopify-sarama-dev, installed by .ci/run) the way Debian's Go packaging expects:
 * GOPATH=/usr/share/gocode, no modules. The binary is cached under the OS temp directory, named by
 * a hash of the source and the Go version, so it is built once per machine and change.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './harness.js';

const SOURCE = join(ROOT, 'integration', 'sarama', 'main.go');
const GOPATH = '/usr/share/gocode';
const SARAMA = join(GOPATH, 'src', 'github.com', 'Shopify', 'sarama');
const INSTALL_HINT = 'apt-get install -y golang-go golang-github-shopify-sarama-dev (see .ci/run)';

/** Builds the client if needed; returns its path. Throws with the install hint when Go or sarama is missing. */
export function buildSaramaClient(): string {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0 || !existsSync(SARAMA)) throw new Error(`sarama client needs Go and Debian's sarama: ${INSTALL_HINT}`);
  const hash = createHash('sha256').update(readFileSync(SOURCE)).update(go.stdout).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'tafka-sarama');
  const binary = join(dir, `sarama-client-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  const env = { ...process.env, GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOCACHE: join(dir, 'gocache') };
  const built = spawnSync('go', ['build', '-o', partial, '.'], { cwd: join(ROOT, 'integration', 'sarama'), env, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`go build of the sarama client failed:\n${built.stderr}`);
  renameSync(partial, binary); // atomic: a concurrent build never sees half a binary
  return binary;
}

export interface SaramaRun {
  readonly status: number | null;
  readonly output: Record<string, unknown> | undefined;
  readonly stderr: string;
}

/** Runs one mode of the client (see main.go) against `bootstrap`. */
export function runSarama(binary: string, args: string[], timeoutMs = 120_000): Promise<SaramaRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      const text = Buffer.concat(out).toString().trim();
      let output: Record<string, unknown> | undefined;
      try {
        output = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        output = undefined; // killed mid-write: the status says what happened
      }
      resolve({ status, output, stderr: Buffer.concat(err).toString() });
    });
  });
}
