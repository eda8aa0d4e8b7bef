/**
 * What the end-to-end benchmarks share: a free port, a process's CPU time, waiting for a broker to
 * listen, a Tafka process, timed kcat runs and their input files, and one raw Kafka connection that
 * sends pre-built frames and hands back response frames.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/bench/. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const CLK_TCK = 100;

/** A numeric command-line option `--name N`, or `dflt` when absent. */
export function numberArg(name: string, dflt: number): number {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('broker did not start');
}

/** A Tafka process on 127.0.0.1:`port` with its data in `dataDir`, once it listens. */
export async function startTafka(port: number, dataDir: string, nodeArgs: string[] = [], overrides: Record<string, string> = {}): Promise<ChildProcess> {
  const argv = [
    ...nodeArgs, join(ROOT, 'dist/src/main.js'), 'start', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'warn',
    '--override', `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`, ...Object.entries(overrides).flatMap(([k, v]) => ['--override', `${k}=${v}`]),
  ];
  const broker = spawn(process.execPath, argv, { stdio: 'inherit' });
  await waitForPort(port);
  return broker;
}

/** SIGTERM, and the exit awaited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Runs a command to completion (stdin from `input`, a file), in seconds of wall time. */
export function timed(cmd: string, argv: string[], input?: string): { seconds: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { input: input ? readFileSync(input) : undefined, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, stdout: r.stdout.toString() };
}

/** A kcat producer's input: `count` lines of `size` bytes (newline included). */
export function makeInput(dir: string, count: number, size: number): string {
  const file = join(dir, `input-${size}.txt`);
  const line = 'x'.repeat(size - 1) + '\n';
  const fd = openSync(file, 'w');
  const block = line.repeat(1000);
  for (let i = 0; i < count; i += 1000) writeSync(fd, i + 1000 <= count ? block : line.repeat(count - i));
  closeSync(fd);
  return file;
}

/** One Kafka connection: framed requests out, responses (without size) back, in order. */
export async function kafkaConnection(port: number) {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffered: Buffer = Buffer.alloc(0);
  const waiting: ((frame: Buffer) => void)[] = [];
  socket.on('data', (d: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, d]) : d;
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const size = buffered.readInt32BE(0);
      waiting.shift()!(buffered.subarray(4, 4 + size));
      buffered = buffered.subarray(4 + size);
    }
  });
  const frame = (apiKey: number, version: number, correlationId: number, body: Buffer, flexible: boolean): Buffer => {
    const header = Buffer.alloc(10 + (flexible ? 1 : 0));
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(version, 2);
    header.writeInt32BE(correlationId, 4);
    header.writeInt16BE(-1, 8); // null client id
    const size = Buffer.alloc(4);
    size.writeInt32BE(header.length + body.length);
    return Buffer.concat([size, header, body]);
  };
  return {
    frame,
    send: (bytes: Buffer) => new Promise<Buffer>((resolve) => (waiting.push(resolve), socket.write(bytes))),
    close: () => socket.destroy(),
  };
}
