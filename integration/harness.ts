/**
 * The compatibility suite's harness: one real broker per test file, and helpers to drive it with
 * real clients (KafkaJS, and kcat for librdkafka).
 *
 * Targets, chosen by environment variables:
 * - default: a Tafka process (`node dist/src/main.js start`) on a free port with a fresh data dir;
 * - KAFKA_BOOTSTRAP=host:port: any running broker (Tafka or Kafka); tests that need to restart or
 *   kill the broker are skipped;
 * - KAFKA_TARGET=apache: Apache Kafka (`apache/kafka` image) through testcontainers. Without a
 *   Docker engine the suite says so in one line and skips; it never waits for one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

export interface BrokerHandle {
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  /** Set for a Tafka process started by the harness; undefined for external targets. */
  readonly dataDir?: string;
  /** True when the harness controls the process, so restart and kill tests can run. */
  readonly controllable: boolean;
  stop(): Promise<void>;
  /** Graceful restart (SIGTERM, then start again on the same port and data dir). */
  restart(): Promise<void>;
  /** kill -9, then start again on the same port and data dir. */
  crashAndRestart(): Promise<void>;
  /** The broker's log lines so far (Tafka processes started by the harness; empty otherwise). */
  logLines(): string[];
  /** The broker's process id (Tafka processes started by the harness), for /proc measurements. */
  pid(): number | undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`broker exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`broker did not listen on ${port} within ${timeoutMs} ms`);
}

export interface StartOptions {
  /** Kafka config overrides (`key=value` pairs), e.g. `{ 'num.partitions': '3' }`. */
  readonly overrides?: Record<string, string>;
  /** Run the broker under this open-file limit (`ulimit -n`, set with prlimit(1)). */
  readonly openFileLimit?: number;
  /** How long a (re)start may take before the harness gives up (default 15 s). */
  readonly startTimeoutMs?: number;
  /** Use this (empty) data directory instead of a fresh temporary one, e.g. on a small tmpfs. */
  readonly dataDir?: string;
}

/** Default overrides that keep the suite fast (Kafka's defaults are tuned for production). */
const FAST_DEFAULTS: Record<string, string> = {
  'group.initial.rebalance.delay.ms': '0',
  // No admin HTTP server unless a test asks for one (integration/admin-http.test.ts): test brokers
  // must not compete for the default port 9644.
  'tafka.admin.listener': '',
};

export async function startTafka(opts: StartOptions = {}): Promise<BrokerHandle> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tafka-it-'));
  const overrides = { ...FAST_DEFAULTS, ...opts.overrides };
  const args = [MAIN, 'start', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--log-level', process.env.TAFKA_LOG_LEVEL ?? 'warn'];
  for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
  args.push('--override', `advertised.listeners=PLAINTEXT://localhost:${port}`);
  let child: ChildProcess;
  const lines: string[] = [];
  const limit = opts.openFileLimit;
  const launch = async () => {
    // prlimit sets the limit and execs node, so the broker keeps prlimit's pid.
    child = limit
      ? spawn('prlimit', [`--nofile=${limit}:${limit}`, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let partial = '';
    child.stdout!.on('data', (d: Buffer) => {
      process.stdout.write(d);
      const text = partial + d.toString();
      const parts = text.split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
    });
    await waitForPort(port, child, opts.startTimeoutMs);
  };
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  await launch();
  return {
    bootstrap: `localhost:${port}`,
    host: 'localhost',
    port,
    dataDir,
    controllable: true,
    async stop() {
      child.kill('SIGTERM');
      await exited();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      child.kill('SIGTERM');
      await exited();
      await launch();
    },
    async crashAndRestart() {
      child.kill('SIGKILL');
      await exited();
      await launch();
    },
    logLines: () => lines,
    pid: () => child.pid,
  };
}

function external(bootstrap: string): BrokerHandle {
  const [host, port] = bootstrap.split(':');
  const unsupported = async () => {
    throw new Error('cannot restart an external broker');
  };
  return {
    bootstrap, host, port: Number(port), controllable: false,
    stop: async () => {}, restart: unsupported, crashAndRestart: unsupported, logLines: () => [], pid: () => undefined,
  };
}

/** Why the Apache Kafka target cannot run here, or undefined when a Docker engine answers. */
async function dockerUnavailable(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer from a Docker engine within 5 s')), 5000)),
    ]);
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

async function startApacheKafka(): Promise<BrokerHandle> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const port = await freePort();
  const container = await new GenericContainer('apache/kafka:4.1.0')
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const handle = external(`localhost:${port}`);
  return { ...handle, stop: async () => void (await container.stop()) };
}

export type Target = { kind: 'tafka' | 'external' | 'apache'; skipReason?: string };

let announced = false;

/** Which broker the suite targets; decided once per test file. */
export async function resolveTarget(): Promise<Target> {
  if (process.env.KAFKA_BOOTSTRAP) return { kind: 'external' };
  if (process.env.KAFKA_TARGET === 'apache') {
    const reason = await dockerUnavailable();
    if (reason && !announced) {
      announced = true;
      console.log(`KAFKA_TARGET=apache: skipping the compatibility suite, no Docker engine is available (${reason}).`);
    }
    return { kind: 'apache', skipReason: reason };
  }
  return { kind: 'tafka' };
}

/** Starts the broker for one test file, on whatever target the environment chose. */
export async function startBroker(opts: StartOptions = {}): Promise<BrokerHandle> {
  if (process.env.KAFKA_BOOTSTRAP) return external(process.env.KAFKA_BOOTSTRAP);
  if (process.env.KAFKA_TARGET === 'apache') return startApacheKafka();
  return startTafka(opts);
}

export function kafkajs(broker: BrokerHandle, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'tafka-it',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
    ...config,
  });
}

export interface KcatResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

/** Runs kcat (librdkafka) against the broker; `input` is fed to stdin (for -P). */
export function kcat(broker: BrokerHandle, args: string[], input?: string | Buffer, timeoutMs = 60_000): KcatResult {
  const r = spawnSync('kcat', ['-b', broker.bootstrap, ...args], { input, timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status };
}

/** Async variant, for concurrent kcat processes (groups, parallel producers). */
export function kcatAsync(broker: BrokerHandle, args: string[], input?: string | Buffer, timeoutMs = 60_000): Promise<KcatResult> {
  return runCommand('kcat', ['-b', broker.bootstrap, ...args], { input, timeoutMs });
}

/**
 * Runs a command without blocking the event loop (a broker started by the test keeps logging) and
 * collects its output; killed after `timeoutMs`.
 */
export function runCommand(
  command: string,
  args: string[],
  opts: { input?: string | Buffer; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), status });
    });
    child.stdin.end(opts.input);
  });
}

export { ROOT };

/** A process's resident memory and open file descriptors, from /proc (Linux). */
export function processResources(pid: number): { rssBytes: number; openFiles: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
  return { rssBytes: rssKb * 1024, openFiles: readdirSync(`/proc/${pid}/fd`).length };
}
