/**
 * The container image, checked without a Docker engine: the Dockerfile passes a linter
 * (dockerfile-utils, the validator behind VS Code's Dockerfile support), has the shape the image
 * promises, copies only files that exist, and the compose example sets only configs Tafka knows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { configNameOf } from '../src/cli/env-config.js';
import { brokerKey } from '../src/config/broker-keys.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => l.trim() && !l.trim().startsWith('#'))
  .map((l) => l.trim());

describe('Dockerfile', () => {
  it('has no problems the linter finds (and the linter does find them)', () => {
    expect(validate(dockerfile).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    expect(validate('FROM node:20\nEXPOSE ninety\nUSER\n').length).toBeGreaterThan(0);
  });

  it('builds in stages and runs as a non-root user, with the data volume, port 9092 and a healthcheck', () => {
    expect(instructions.filter((i) => i.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    const user = instructions.filter((i) => i.startsWith('USER ')).at(-1);
    expect(user).toBe('USER tafka');
    expect(instructions).toContain('VOLUME ["/var/lib/tafka"]');
    expect(instructions).toContain('EXPOSE 9092');
    expect(instructions.find((i) => i.startsWith('HEALTHCHECK '))).toMatch(/CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:9644\/ready'\)/);
    expect(instructions.find((i) => i.startsWith('CMD '))).toBe('CMD ["start", "--data-dir", "/var/lib/tafka", "--config-from-env", "--log-format", "json"]');
  });

  it('copies only files that exist in the repository', () => {
    const sources = instructions
      .filter((i) => i.startsWith('COPY ') && !i.includes('--from='))
      .flatMap((i) => i.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const s of sources) expect([s, existsSync(join(ROOT, s))]).toEqual([s, true]);
  });
});

describe('compose example', () => {
  it('sets only KAFKA_* variables that name broker configs Tafka uses', () => {
    const compose = readFileSync(join(ROOT, 'examples', 'docker', 'compose.yaml'), 'utf8');
    const variables = [...compose.matchAll(/^\s+(KAFKA_[A-Z_]+):/gm)].map((m) => m[1]!);
    expect(variables.length).toBeGreaterThan(2);
    for (const v of variables) {
      const name = configNameOf(v)!;
      expect([v, name, brokerKey(name) !== undefined && !brokerKey(name)!.synonymOnly]).toEqual([v, name, true]);
    }
  });
});
