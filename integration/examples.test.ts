/**
 * Every app in examples/ runs against the suite's broker (admin, then producer, then consumer
 * group, for each client), on names of its own so a shared KAFKA_BOOTSTRAP broker is fine.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget, ROOT, runCommand, startBroker, type BrokerHandle } from './harness.js';

const target = await resolveTarget();
const run = `${process.pid}-${Date.now().toString(36)}`;

async function example(file: string, env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  const path = join(ROOT, 'examples', file);
  const r = await (file.endsWith('.sh') ? runCommand('bash', [path], { env }) : runCommand(process.execPath, [path], { env }));
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.skipIf(target.skipReason !== undefined)('examples/', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => broker?.stop());

  for (const [client, ext] of [['kafkajs', 'mjs'], ['kcat', 'sh'], ['platformatic', 'mjs']] as const) {
    it(`${client}: admin, producer, consumer group`, async () => {
      const env = { BOOTSTRAP: broker.bootstrap, TOPIC: `example-${client}-${run}`, GROUP: `example-${client}-${run}`, COUNT: '10' };
      const admin = await example(`${client}/admin.${ext}`, env);
      expect(admin.status, admin.out).toBe(0);
      expect(admin.out).toContain(env.TOPIC);
      const producer = await example(`${client}/producer.${ext}`, env);
      expect(producer.status, producer.out).toBe(0);
      const consumer = await example(`${client}/consumer-group.${ext}`, env);
      expect(consumer.status, consumer.out).toBe(0);
      const values = consumer.out.split('\n').filter((l) => /^\d+:\d+ /.test(l)).map((l) => l.replace(/^.* = /, '').replace(/ \(source=.*\)$/, ''));
      expect(values.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `event ${i}`).sort());
    });
  }
});
