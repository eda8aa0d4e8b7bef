/**
 * The package as a user gets it: `npm pack`, installed into an empty directory outside the repo
 * (so only its production dependencies are there), then
 * - `npx tafka start`, `npx tafka topic create t -p 3`, `echo hi | npx tafka produce t` and
 *   `npx tafka consume t -n 1`, as the README shows them;
 * - the library (`import { startBroker, vitestGlobalSetup } from 'tafka'`): the vitest example of
 *   examples/library/vitest (a globalSetup broker and a per-file broker) type-checked against the
 *   package's .d.ts and run, and the jest example run with jest's globals (vitest --globals).
 *
 * Installing needs the npm registry's package metadata for the production dependencies (their
 * tarballs come from the npm cache when present).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, resolveTarget, ROOT } from './harness.js';

const target = await resolveTarget();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe.runIf(target.kind === 'tafka')('the npm package', () => {
  let work: string;
  let app: string;
  let broker: ChildProcess | undefined;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tafka-pkg-'));
    execFileSync(npm, ['pack', '--pack-destination', work, '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 });
  }, 300_000);
  afterAll(async () => {
    if (broker && broker.exitCode === null) {
      broker.kill('SIGTERM');
      await new Promise((r) => broker!.once('exit', r));
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('ships what runs, and only that', () => {
    const files = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const paths = (JSON.parse(files) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining([
      'bin/tafka.js', 'dist/src/main.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'package.json',
      // The inspector's page, served by the admin HTTP server.
      'dist/src/admin/static/index.html', 'dist/src/admin/static/inspector.js', 'dist/src/admin/static/inspector.css',
    ]));
    const runs = /^(bin\/|dist\/(src|protocol)\/.*\.(js|d\.ts)$|dist\/src\/admin\/static\/[^/]+\.(html|css)$|package\.json$|README\.md$)/;
    expect(paths.filter((p) => !runs.test(p))).toEqual([]);
  });

  it('npx tafka start / topic create / produce / consume', async () => {
    const port = await freePort();
    const npx = (args: string[], input?: string) =>
      spawnSync('npx', ['--no-install', 'tafka', ...args], { cwd: app, input, timeout: 60_000, env: { ...process.env, TAFKA_BROKERS: `localhost:${port}` } });
    broker = spawn('npx', ['--no-install', 'tafka', 'start', '--port', String(port), '--data-dir', './data'], { cwd: app, detached: false });
    let log = '';
    broker.stdout!.on('data', (d) => (log += d));
    await expect.poll(() => log.includes('listening'), { timeout: 30_000 }).toBe(true);
    const created = npx(['topic', 'create', 't', '-p', '3']);
    expect([created.status, created.stdout.toString(), created.stderr.toString()]).toEqual([0, 'Created topic t.\n', '']);
    const produced = npx(['produce', 't'], 'hi\n');
    expect([produced.status, produced.stderr.toString()]).toEqual([0, '']);
    const consumed = npx(['consume', 't', '-n', '1']);
    expect([consumed.status, consumed.stdout.toString(), consumed.stderr.toString()]).toEqual([0, 'hi\n', '']);
    // npx runs tafka through a shell; signal the node process that listens (the broker itself).
    const pids = spawnSync('pgrep', ['-P', String(broker.pid)]).stdout.toString().trim().split('\n').filter(Boolean).map(Number);
    const leaves = pids.flatMap((pid) => spawnSync('pgrep', ['-P', String(pid)]).stdout.toString().trim().split('\n').filter(Boolean).map(Number));
    for (const pid of leaves.length > 0 ? leaves : pids) process.kill(pid, 'SIGTERM');
    await new Promise((r) => (broker!.exitCode !== null ? r(undefined) : broker!.once('exit', r)));
    expect(log).toContain('broker stopped');
  });

  describe('the library', () => {
    beforeAll(() => {
      // The examples' test tools come from the repo; tafka and its dependencies are the installed package's.
      for (const dep of ['vitest', 'kafkajs', 'typescript', '@types']) symlinkSync(join(ROOT, 'node_modules', dep), join(app, 'node_modules', dep), 'dir');
      cpSync(join(ROOT, 'examples', 'library'), join(app, 'examples'), { recursive: true });
    });
    const vitest = (cwd: string, args: string[]) =>
      spawnSync(process.execPath, [join(app, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], { cwd, timeout: 120_000, env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' } });

    it('the vitest example type-checks against the package\'s types', () => {
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
          include: ['examples/vitest'],
        }),
      );
      const r = spawnSync(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, timeout: 120_000 });
      expect(r.status, r.stdout.toString()).toBe(0);
    });

    it('the vitest example runs: a globalSetup broker shared by the files, and a broker per file', () => {
      const r = vitest(join(app, 'examples', 'vitest'), []);
      const out = r.stdout.toString() + r.stderr.toString();
      expect(r.status, out).toBe(0);
      expect(out).toMatch(/Tests\s+3 passed \(3\)/);
      const median = /in-memory broker start: median ([\d.]+) ms/.exec(out);
      expect(median, out).not.toBeNull();
      console.log(`embedded broker start (installed package): median ${median![1]} ms`);
    });

    it('the jest example runs with jest\'s globals', () => {
      const r = vitest(join(app, 'examples', 'jest'), ['--globals']);
      const out = r.stdout.toString() + r.stderr.toString();
      expect(r.status, out).toBe(0);
      expect(out).toMatch(/Tests\s+1 passed \(1\)/);
    });
  });
});
