/**
 * The docs check: chapter 0 (docs/00-kafka-in-15-minutes.md) is run as written, against a real
 * broker started by the chapter's own command, and every command's output is compared with the
 * output the chapter shows.
 *
 * How the chapter is read: each ```console block holds `$ command` lines, each followed by the
 * output it prints. A command that starts the broker (`tafka start ...`) keeps
 * running, as in the reader's first terminal; its output is compared once the broker listens. A block
 * that starts with `^C` stops that broker (SIGINT) and shows what it prints while stopping.
 *
 * What changes between the reader's run and this one, and nothing else (the chapter says so too):
 * - port 9092 becomes a free port and ./data a temporary directory, in commands and back in outputs,
 *   and the admin server's 9644 another free port (an --override added to the start command);
 * - `tafka` (which the chapter has the reader put on the PATH with `npm link`) is run as
 *   `node bin/tafka.js`, the file that link points to, with TAFKA_BROKERS naming that free port
 *   (the chapter leaves `--brokers` at its default, localhost:9092);
 * - values that legitimately vary are replaced on both sides before comparing: log times and
 *   durations, the cluster id, record timestamps and the CRCs that cover them, and the record
 *   counts of the group coordinator's log, in its replay line and in the recovery-point checkpoint
 *   (they depend on when the consumer commits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, resolveTarget, ROOT, runCommand } from './harness.js';

const CHAPTER = 'docs/00-kafka-in-15-minutes.md';
const START = 'tafka start';

/** One `$ command` and the output shown under it; `stop` is a `^C` pressed in the broker's terminal. */
interface Step {
  readonly kind: 'run' | 'stop';
  readonly command: string;
  readonly expected: string[];
}

/** The steps of every ```console block, in document order. */
function parseConsoleBlocks(markdown: string): Step[] {
  const steps: Step[] = [];
  for (const block of markdown.matchAll(/```console\n([\s\S]*?)```/g)) {
    const lines = block[1]!.replace(/\n$/, '').split('\n');
    let current: { kind: 'run' | 'stop'; command: string; expected: string[] } | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.startsWith('$ ')) {
        let command = line.slice(2);
        while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1)}${lines[++i]!.trim()}`;
        current = { kind: 'run', command: command.replace(/\s+$/, ''), expected: [] };
        steps.push(current);
      } else if (line === '^C') {
        current = { kind: 'stop', command: '^C', expected: [] };
        steps.push(current);
      } else if (current) {
        current.expected.push(line);
      } else {
        throw new Error(`${CHAPTER}: output line before any command: ${line}`);
      }
    }
  }
  return steps;
}

/** Replaces what legitimately differs from run to run, identically in expected and actual output. */
function normalize(lines: readonly string[]): string {
  return lines
    .map((l) =>
      l
        .replace(/"time":\d+/g, '"time":<time>')
        .replace(/"ms":\d+/g, '"ms":<ms>')
        .replace(/"clusterId":"[^"]*"/g, '"clusterId":"<id>"')
        .replace(/"(to|batches|records)":\d+/g, '"$1":<n>')
        .replace(/^__consumer_offsets (\d+) \d+$/, '__consumer_offsets $1 <n>')
        .replace(/CreateTime: \d+/g, 'CreateTime: <time>')
        .replace(/crc: \d+/g, 'crc: <crc>')
        .trimEnd(),
    )
    .join('\n')
    .trimEnd();
}

const target = await resolveTarget();

// The chapter starts and stops its own broker, so it runs only where the suite starts Tafka itself.
describe.skipIf(target.kind !== 'tafka')(`${CHAPTER}, run as written`, () => {
  const steps = parseConsoleBlocks(readFileSync(join(ROOT, CHAPTER), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'tafka-docs-'));
  let port = 0;
  let broker: { child: ChildProcess; lines: string[] } | undefined;

  let adminPort = 0;
  // The broker's admin server (default 127.0.0.1:9644) moves to a free port too, named on the command line.
  const toRun = (command: string) =>
    command
      .replace(/^tafka /, 'node bin/tafka.js ')
      .replaceAll('localhost:9092', `localhost:${port}`).replaceAll('--port 9092', `--port ${port}`).replaceAll('./data', join(work, 'data'))
      + (command.startsWith(START) ? ` --override tafka.admin.listener=127.0.0.1:${adminPort}` : '');
  const fromRun = (text: string) => text.replaceAll(join(work, 'data'), './data')
    .replace(new RegExp(`:${adminPort}\\b`, 'g'), ':9644').replace(new RegExp(`:${port}\\b`, 'g'), ':9092');
  const outputLines = (text: string) => fromRun(text).replace(/\n$/, '').split('\n').filter((l, i, a) => !(a.length === 1 && l === ''));

  afterAll(() => {
    broker?.child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('has commands with expected output, and starts and stops the broker', () => {
    expect(steps.filter((s) => s.command.startsWith(START)).length).toBeGreaterThanOrEqual(2);
    expect(steps.filter((s) => s.kind === 'stop').length).toBeGreaterThanOrEqual(2);
    expect(steps.filter((s) => s.expected.length > 0).length).toBeGreaterThan(steps.length / 2);
  });

  it('every command prints what the chapter shows', async () => {
    port = await freePort();
    adminPort = await freePort();
    for (const [n, step] of steps.entries()) {
      const where = `step ${n + 1}: ${step.command}`;
      if (step.command.startsWith(START)) {
        broker = startBroker(toRun(step.command));
        const listening = () => broker!.lines.findIndex((l) => l.includes('Tafka listening'));
        await waitFor(() => listening() >= 0, 20_000, `${where}: the broker did not start`);
        expect(normalize(broker.lines.slice(0, listening() + 1).map(fromRun)), where).toBe(normalize(step.expected));
      } else if (step.kind === 'stop') {
        expect(broker, `${where}: no broker running`).toBeDefined();
        const { child, lines } = broker!;
        const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
        child.kill('SIGINT');
        expect(await exited, where).toBe(0);
        // What the terminal shows after ^C: from the broker's answer to the signal on (earlier lines
        // are the log of the steps before, which the chapter describes but does not check).
        const fromSignal = lines.findIndex((l) => l.includes('"signal":"SIGINT"'));
        expect(fromSignal, `${where}: no shutdown line`).toBeGreaterThanOrEqual(0);
        expect(normalize(lines.slice(fromSignal).map(fromRun)), where).toBe(normalize(step.expected));
        broker = undefined;
      } else {
        const r = await run(toRun(step.command), { TAFKA_BROKERS: `localhost:${port}` });
        expect({ status: r.status, stderr: r.stderr }, where).toEqual({ status: 0, stderr: '' });
        expect(normalize(outputLines(r.stdout)), where).toBe(normalize(step.expected));
      }
    }
  }, 180_000);
});

/** Runs one command as a shell would, without blocking the event loop (the broker's log keeps flowing). */
function run(command: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return runCommand('bash', ['-c', command], { env });
}

/** The broker as the reader runs it: a foreground process whose log lines we keep. */
function startBroker(command: string): { child: ChildProcess; lines: string[] } {
  // exec: the signal reaches node itself, as Ctrl-C in a terminal does.
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  const collect = (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return { child, lines };
}

async function waitFor(done: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 20));
  }
}
