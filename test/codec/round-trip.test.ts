/**
 * Property test over every schema Tafka has: for each API, request and response, at every valid
 * version, random values built from the schema must survive encode → decode unchanged, and
 * re-encoding the decoded value must give the very same bytes.
 *
 * Values respect the version: a field the version lacks holds its default (it is never on the wire and
 * decodes to the default); null appears only where `nullableVersions` allows it; tagged fields get
 * random values too, including their defaults (which are then left off the wire).
 *
 * Seeded: set FC_SEED to replay another run (fast-check prints the seed and path of a failure).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageSpec } from '../../protocol/schema.js';
import { API_SPECS } from '../../protocol/apis.js';
import { RequestHeader } from '../../protocol/messages/request-header.js';
import { ResponseHeader } from '../../protocol/messages/response-header.js';
import { codecFor, isFlexible } from '../../src/codec/interpret.js';
import { parseRange } from '../../src/codec/versions.js';
import { structArb } from './arbitraries.js';

const SEED = Number(process.env.FC_SEED ?? 20240601);
const RUNS = Number(process.env.FC_RUNS ?? 25);
// Each API's test runs RUNS values at each of its versions: about a second for Produce v3-13 on an
// idle machine, and past vitest's 5 s default on a loaded 2-core one. A budget, not an assertion.
const BUDGET_MS = 60_000;

function versionsOf(spec: MessageSpec): number[] {
  const { min, max } = parseRange(spec.validVersions);
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function checkRoundTrip(spec: MessageSpec, version: number): void {
  const codec = codecFor(spec, version);
  fc.assert(
    fc.property(structArb(spec.fields, version), (value) => {
      const bytes = Buffer.concat(codec.encode(value as never));
      const decoded = codec.decode(bytes);
      expect(decoded).toEqual(value);
      expect(Buffer.concat(codec.encode(decoded))).toEqual(bytes);
    }),
    { seed: SEED, numRuns: RUNS },
  );
}

describe('round trip of every API, request and response, at every valid version', () => {
  for (const api of API_SPECS) {
    for (const spec of [api.request, api.response]) {
      it(`${spec.name} v${spec.validVersions}`, () => {
        for (const v of versionsOf(spec)) {
          try {
            checkRoundTrip(spec, v);
          } catch (err) {
            throw new Error(`${spec.name} v${v}: ${(err as Error).message}`, { cause: err });
          }
        }
      }, BUDGET_MS);
    }
  }

  it('covers every API with both directions', () => {
    const versions = API_SPECS.flatMap((a) => [a.request, a.response]).reduce((n, s) => n + versionsOf(s).length, 0);
    expect(API_SPECS.length).toBeGreaterThanOrEqual(50);
    expect(versions).toBeGreaterThan(400); // 478 when written
  });
});

describe('headers', () => {
  it('request header v1 and v2 round-trip', () => {
    checkRoundTrip(RequestHeader, 1);
    checkRoundTrip(RequestHeader, 2);
  });

  it('response header v0 and v1 round-trip', () => {
    checkRoundTrip(ResponseHeader, 0);
    checkRoundTrip(ResponseHeader, 1);
  });

  it('the client id stays a classic int16 string in the flexible request header; tags follow it', () => {
    const header = { requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: 'rdkafka' };
    expect(isFlexible(RequestHeader, 2)).toBe(true);
    expect(Buffer.concat(codecFor(RequestHeader, 2).encode(header)).toString('hex')).toBe(
      '0012' + '0003' + '00000001' + '0007' + Buffer.from('rdkafka').toString('hex') + '00',
    );
    expect(Buffer.concat(codecFor(RequestHeader, 2).encode({ ...header, clientId: null })).toString('hex')).toBe(
      '0012000300000001' + 'ffff' + '00',
    );
  });

  it('response header v1 is the correlation id plus a tag section', () => {
    expect(Buffer.concat(codecFor(ResponseHeader, 1).encode({ correlationId: 7 })).toString('hex')).toBe('00000007' + '00');
    expect(Buffer.concat(codecFor(ResponseHeader, 0).encode({ correlationId: 7 })).toString('hex')).toBe('00000007');
  });
});
