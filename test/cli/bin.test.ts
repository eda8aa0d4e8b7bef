/**
 * bin/tafka.js, the installed command: from a checkout without dist/ it says what to do in one line.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('bin/tafka.js', () => {
  it('without a build: one line naming the command to run, exit 1, no stack', () => {
    const checkout = mkdtempSync(join(tmpdir(), 'tafka-unbuilt-'));
    try {
      mkdirSync(join(checkout, 'bin'));
      copyFileSync(join(ROOT, 'bin', 'tafka.js'), join(checkout, 'bin', 'tafka.js'));
      copyFileSync(join(ROOT, 'package.json'), join(checkout, 'package.json')); // "type": "module"
      const r = spawnSync(process.execPath, [join(checkout, 'bin', 'tafka.js'), 'topic', 'list'], { timeout: 20_000 });
      expect(r.status).toBe(1);
      expect(r.stdout.toString()).toBe('');
      expect(r.stderr.toString()).toBe(`tafka: the CLI is not built yet (no dist/ in ${checkout}/): run \`make build\` or \`npm run build\` there first\n`);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});
