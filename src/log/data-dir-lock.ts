/**
 * The data directory's `.lock`, after Kafka's LogManager.lockLogDirs: one broker per directory.
 * Two brokers writing one directory would interleave their appends and destroy each other's logs.
 *
 * Kafka takes an OS file lock on `<log.dir>/.lock` (FileChannel.tryLock) and fails start-up with
 * "Failed to acquire lock on file .lock in <dir>". Node has no file-lock API, and a pid written in
 * a file cannot tell a live broker from a dead one reliably (pids are reused, and two containers
 * sharing a volume see different pid namespaces). So Tafka asks the kernel through flock(1), from
 * util-linux: a small helper process `flock .lock sh -c 'echo locked; exec cat'` takes an exclusive
 * lock on `.lock` and holds it while its `cat` reads the broker's end of a pipe.
 *
 * Crash semantics: the lock lives exactly as long as the broker process. However the broker ends
 * — clean shutdown, exception, kill -9, OOM kill — the kernel closes its end of the pipe, `cat`
 * reads end-of-file and exits, and with it the last descriptor holding the lock: the kernel drops
 * the lock, and a restarted broker takes it at once (it waits up to two seconds for the helper of a
 * broker just killed to finish). Nothing on disk has to be cleaned up by hand. The helper runs in
 * its own process group, so a Ctrl-C at the terminal stops the broker (which then shuts down in
 * order) without dropping the lock mid-shutdown.
 *
 * After taking the lock the broker writes its pid into `.lock`, so a refused broker can say which
 * process holds the directory. Without flock(1) (not Linux) the directory is not locked, and the
 * broker says so at start-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

export const LOCK_FILE = '.lock';
/** How long to wait for a lock held by a broker that is just dying (its helper exits right after). */
const WAIT_SECONDS = 2;
/** flock(1)'s exit code when the lock stays taken (chosen with --conflict-exit-code). */
const CONFLICT = 75;

/** Start-up stops: another broker holds the directory. */
export class DataDirLockedError extends Error {}

export class DataDirLock {
  private released = false;

  private constructor(
    private readonly helper: ChildProcess | undefined,
    private readonly logger: Logger,
  ) {
    helper?.once('exit', () => {
      if (!this.released) this.logger.error('the data directory lock was lost: its flock helper exited while the broker runs');
    });
  }

  /** Takes the lock on `dataDir`, or throws DataDirLockedError naming the holder. */
  static async acquire(dataDir: string, logger: Logger): Promise<DataDirLock> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, LOCK_FILE);
    const helper = spawn(
      'flock',
      ['--exclusive', '--wait', String(WAIT_SECONDS), '--conflict-exit-code', String(CONFLICT), file, 'sh', '-c', 'echo locked && exec cat'],
      { stdio: ['pipe', 'pipe', 'ignore'], detached: true },
    );
    const outcome = await new Promise<'locked' | 'taken' | 'no-flock'>((resolve, reject) => {
      helper.stdout!.once('data', () => resolve('locked'));
      helper.once('exit', (code) => (code === CONFLICT ? resolve('taken') : reject(new Error(`flock exited with ${code}`))));
      helper.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve('no-flock') : reject(err)));
    });
    if (outcome === 'no-flock') {
      logger.warn({ dataDir }, 'flock(1) not found: the data directory is not locked against a second broker');
      return new DataDirLock(undefined, logger);
    }
    if (outcome === 'taken') {
      const holder = (await readFile(file, 'utf8').catch(() => '')).match(/pid=(\d+)/)?.[1];
      throw new DataDirLockedError(
        `Failed to acquire lock on file ${LOCK_FILE} in ${dataDir}: another broker${holder ? ` (pid ${holder})` : ''} is using this directory.`,
      );
    }
    // The helper must not keep a process alive that is done: the lock ends with the process anyway.
    helper.unref();
    (helper.stdin as unknown as { unref(): void }).unref();
    (helper.stdout as unknown as { unref(): void }).unref();
    await writeFile(file, `pid=${process.pid}\n`);
    return new DataDirLock(helper, logger);
  }

  /** Lets the lock go: the helper's `cat` reads end-of-file and exits, and flock with it. */
  async release(): Promise<void> {
    if (this.released || !this.helper) return;
    this.released = true;
    const helper = this.helper;
    if (helper.exitCode !== null || helper.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
    helper.ref(); // waiting for its exit must keep the process alive, or it would end here, mid-shutdown
    helper.stdin!.end();
    await exited;
  }
}
