/**
 * The README's examples, run as written (only the address is changed to this test's broker), so the
 * promise on the front page stays true.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget, ROOT, startBroker, type BrokerHandle } from './harness.js';

const target = await resolveTarget();
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

function codeBlock(lang: string, containing: string): string {
  const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].filter((m) => m[1] === lang && m[2].includes(containing));
  expect(blocks, `README has a ${lang} block with ${containing}`).toHaveLength(1);
  return blocks[0][2];
}

describe.skipIf(target.skipReason !== undefined)('README examples', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => broker?.stop());

  it('the kcat commands work as written', () => {
    const lines = codeBlock('sh', 'kcat -L').split('\n').filter((l) => l.startsWith('kcat') || l.startsWith('echo'));
    const run = (line: string) => {
      const cmd = line.replace(/\s+#.*$/, '').replaceAll('localhost:9092', broker.bootstrap);
      return spawnSync('bash', ['-c', cmd], { timeout: 30_000 });
    };
    const [list, produce, consume] = lines.map(run);
    expect(list.status, list.stderr.toString()).toBe(0);
    expect(list.stdout.toString()).toContain(`broker 1 at ${broker.host}:${broker.port}`);
    expect(produce.status, produce.stderr.toString()).toBe(0);
    expect(consume.status, consume.stderr.toString()).toBe(0);
    expect(consume.stdout.toString()).toContain('hello');
  });

  it('the tafka commands work as written', () => {
    // `tafka` is bin/tafka.js here; the topic gets a name of its own, so a shared broker can run this twice.
    const topic = `readme-orders-${process.pid}-${Date.now().toString(36)}`;
    const lines = codeBlock('sh', 'tafka topic create').split('\n').filter((l) => l.trim());
    const results = lines.map((line) => {
      const cmd = line.replace(/\s+#.*$/, '').replaceAll('tafka ', `node ${join(ROOT, 'bin', 'tafka.js')} `).replaceAll('orders', topic);
      return spawnSync('bash', ['-c', cmd], { timeout: 30_000, env: { ...process.env, TAFKA_BROKERS: broker.bootstrap } });
    });
    for (const r of results) expect(r.status, r.stderr.toString()).toBe(0);
    expect(results.map((r) => r.stdout.toString())).toEqual([`Created topic ${topic}.\n`, '', 'hello\n']);
  });

  it('the KafkaJS app works as written', async () => {
    const code = codeBlock('js', "from 'kafkajs'").replaceAll('localhost:9092', broker.bootstrap);
    // Written beside the project so `import 'kafkajs'` resolves from its node_modules.
    const file = join(ROOT, `.readme-example-${process.pid}.mjs`);
    writeFileSync(file, code);
    try {
      const child = spawn(process.execPath, [file]);
      const output = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => (child.kill(), reject(new Error(`no message consumed; output: ${out}`))), 45_000);
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('hello')) {
            clearTimeout(timer);
            child.kill();
            resolve(out);
          }
        });
        child.stderr.on('data', (d) => (out += d));
        child.once('exit', (code) => code && code !== 0 && reject(new Error(`example exited ${code}: ${out}`)));
      });
      expect(output).toContain('hello');
    } finally {
      rmSync(file, { force: true });
    }
  });
});
