/**
 * docs/operating.md documents every metric /metrics serves: each Tafka or Kafka metric the registry
 * defines is a row of its tables, with its type, and every row names a metric that exists. Adding a
 * metric without documenting it (or documenting one that went away) fails here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/admin/metrics.js';
import { LogStats, NetworkStats } from '../../src/admin/stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGE = readFileSync(join(ROOT, 'docs', 'operating.md'), 'utf8');

/** `| \`name\` | type | ...` rows of the page's tables. */
const documented = new Map([...PAGE.matchAll(/^\| `((?:kafka|tafka)_[a-z_]+)` \| (counter|gauge|histogram) \|/gm)].map((m) => [m[1]!, m[2]!]));

describe('docs/operating.md metric tables', () => {
  it('list every metric of the registry, with its type, and nothing else', async () => {
    const registry = createRegistry({
      network: new NetworkStats(), log: new LogStats(), partitions: () => [], groups: () => undefined, brokerState: () => 3, startup: {},
    });
    const served = new Map(
      (await registry.getMetricsAsJSON()).filter((m) => /^(kafka|tafka)_/.test(m.name)).map((m) => [m.name, String(m.type)]),
    );
    expect(served.size).toBeGreaterThan(20);
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(served));
  });
});
