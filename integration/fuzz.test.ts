/**
 * Hostile input: for every API and version the broker advertises, well-formed headers followed by
 * random or truncated bodies. Each connection may be answered or closed, but the broker must stay up
 * and keep serving other clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiVersions } from '../protocol/messages/18-api-versions.js';
import { apiSpec } from '../protocol/apis.js';
import { codecFor } from '../src/codec/interpret.js';
import { processResources, resolveTarget, startBroker, type BrokerHandle } from './harness.js';
import { RawClient } from './raw-client.js';
import fc from 'fast-check';
import { structArb } from '../test/codec/arbitraries.js';

const target = await resolveTarget();

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_LOG_FILES = 32;

describe.skipIf(target.kind !== 'tafka')('hostile input', () => {
  let broker: BrokerHandle;
  let baseline: { rssBytes: number; openFiles: number };
  beforeAll(async () => {
    // The log store keeps at most this many files open, however many partitions the random requests
    // create (__consumer_offsets alone has 50).
    broker = await startBroker({ overrides: { 'tafka.log.max.open.files': String(MAX_LOG_FILES) } });
    baseline = processResources(broker.pid()!);
  });
  const handlerFailures = () => broker.logLines().filter((l) => l.includes('handler failed'));
  afterAll(async () => broker?.stop());

  it('random and truncated bodies for every advertised API and version never take the broker down', async () => {
    const probe = await RawClient.connect(broker.port);
    probe.send(ApiVersions.request, 2, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
    const advertised = codecFor(ApiVersions.response, 2).decode((await probe.readFrame())!, 4).apiKeys;
    const rand = random(Number(process.env.FUZZ_SEED ?? 20261122));
    let sent = 0;
    for (const { apiKey, minVersion, maxVersion } of advertised) {
      if (!apiSpec(apiKey)) continue;
      for (let version = minVersion; version <= maxVersion; version++) {
        const c = await RawClient.connect(broker.port);
        for (let i = 0; i < 4; i++) {
          const body = Buffer.alloc(Math.floor(rand() * 64));
          for (let b = 0; b < body.length; b++) body[b] = rand() < 0.5 ? 0 : Math.floor(rand() * 256);
          c.write(RawClient.frame(apiKey, version, i, [Buffer.from([0]), body], false));
          sent++;
        }
        // Whatever became of those, the connection is either answered or closed, never hung.
        await Promise.race([c.waitClosed(300), new Promise((r) => setTimeout(r, 300))]);
        c.end();
      }
      // The broker still answers, between every API.
      probe.send(ApiVersions.request, 2, apiKey + 1, { clientSoftwareName: '', clientSoftwareVersion: '' });
      expect((await probe.readFrame())!.readInt32BE(0)).toBe(apiKey + 1);
    }
    expect(sent).toBeGreaterThan(500);
    expect(handlerFailures()).toEqual([]);
    probe.end();
  });

  it('well-formed requests with random field values get answers or clean closes, never a handler failure', async () => {
    const probe = await RawClient.connect(broker.port);
    probe.send(ApiVersions.request, 2, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
    const advertised = codecFor(ApiVersions.response, 2).decode((await probe.readFrame())!, 4).apiKeys;
    const seed = Number(process.env.FUZZ_SEED ?? 20261122);
    let answered = 0;
    for (const { apiKey, minVersion, maxVersion } of advertised) {
      const api = apiSpec(apiKey)!;
      const handled = Math.max(minVersion, apiKey === 0 ? 3 : minVersion);
      for (let version = handled; version <= maxVersion; version++) {
        const samples = fc.sample(structArb(api.request.fields, version), { seed: seed + apiKey * 100 + version, numRuns: Number(process.env.FUZZ_RUNS ?? 3) });
        const c = await RawClient.connect(broker.port);
        samples.forEach((value, i) => c.send(api.request, version, i, value as never));
        // Answers come in request order; some requests have none (Produce with acks=0), and those
        // that wait (Fetch, JoinGroup) may hold theirs past the deadline — a close is valid too.
        let last = -1;
        for (let i = 0; i < samples.length; i++) {
          const frame = await Promise.race([c.readFrame(2000).catch(() => null), new Promise<null>((r) => setTimeout(() => r(null), 2000))]);
          if (!frame) break;
          expect(frame.readInt32BE(0)).toBeGreaterThan(last);
          last = frame.readInt32BE(0);
          answered++;
        }
        c.end();
      }
      probe.send(ApiVersions.request, 2, apiKey + 1, { clientSoftwareName: '', clientSoftwareVersion: '' });
      expect((await probe.readFrame())!.readInt32BE(0)).toBe(apiKey + 1);
    }
    expect(answered).toBeGreaterThan(100);
    expect(handlerFailures()).toEqual([]);
    probe.end();
  }, 240_000);

  it('leaves the broker\'s memory and open files bounded after all of it', async () => {
    // Every connection above is closed; give the broker a moment to notice the last closes.
    await new Promise((r) => setTimeout(r, 500));
    const after = processResources(broker.pid()!);
    // Log files are capped by tafka.log.max.open.files; connections, timers and watchers may not linger.
    expect(after.openFiles - baseline.openFiles).toBeLessThanOrEqual(MAX_LOG_FILES + 8);
    expect(after.rssBytes - baseline.rssBytes).toBeLessThan(200 * 1024 * 1024);
  });
});
