/**
 * The traced codecs (tracedCodecFor) that the inspector decodes captured frames with: for every API,
 * request and response, at every valid version, random values decode to exactly what the serving
 * codec decodes, and the recorded spans describe the bytes: the message's fields tile it, every
 * span lies inside its parent, siblings follow one another without overlap, and each compound
 * field's last part ends where the field ends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API_SPECS } from '../../protocol/apis.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import { RequestHeader } from '../../protocol/messages/request-header.js';
import type { MessageSpec } from '../../protocol/schema.js';
import { codecFor, decodeTraced } from '../../src/codec/interpret.js';
import type { FieldSpan } from '../../src/codec/reader.js';
import { parseRange } from '../../src/codec/versions.js';
import { structArb } from './arbitraries.js';

const SEED = Number(process.env.FC_SEED ?? 20240601);
const RUNS = Number(process.env.FC_RUNS ?? 10);

function checkSpans(span: FieldSpan, path: string): void {
  expect(span.end, `${path} ends before it starts`).toBeGreaterThanOrEqual(span.start);
  const kids = span.children ?? [];
  let at = span.start;
  for (const k of kids) {
    expect(k.start, `${path}.${k.name} overlaps what comes before it`).toBeGreaterThanOrEqual(at);
    checkSpans(k, `${path}.${k.name}`);
    at = k.end;
  }
  if (kids.length > 0) expect(at, `${path}: last part ends before the field does`).toBe(span.end);
}

function check(spec: MessageSpec, version: number): void {
  const codec = codecFor(spec, version);
  fc.assert(
    fc.property(structArb(spec.fields, version), (value) => {
      const bytes = Buffer.concat(codec.encode(value as never));
      const traced = decodeTraced(spec, version, bytes);
      expect(traced.value).toEqual(codec.decode(bytes));
      expect(traced.spans.start).toBe(0);
      expect(traced.spans.end).toBe(bytes.length);
      expect(traced.spans.children?.[0]?.start ?? 0).toBe(0);
      checkSpans(traced.spans, spec.name);
    }),
    { seed: SEED, numRuns: RUNS },
  );
}

describe('traced decoding', () => {
  for (const api of API_SPECS) {
    it(`${api.name}: same values as the serving codec, and spans that describe the bytes`, () => {
      for (const spec of [api.request, api.response]) {
        const { min, max } = parseRange(spec.validVersions);
        for (let v = min; v <= max; v++) check(spec, v);
      }
    }, 60_000);
  }

  it('names fields, array elements and tagged sections, with the offsets of a known frame', () => {
    const header = { requestApiKey: 0, requestApiVersion: 9, correlationId: 7, clientId: 'cli' };
    const body = {
      transactionalId: null, acks: -1, timeoutMs: 1000,
      topicData: [{ name: 'events', partitionData: [{ index: 0, records: Buffer.from([1, 2, 3]) }] }],
    };
    const headerBytes = Buffer.concat(codecFor(RequestHeader, 2).encode(header));
    const bodyBytes = Buffer.concat(codecFor(Produce.request, 9).encode(body as never));
    const h = decodeTraced(RequestHeader, 2, headerBytes).spans;
    // apiKey int16 at 0, apiVersion int16 at 2, correlationId int32 at 4, clientId int16 length + 3 bytes at 8.
    expect(h.children!.map((c) => [c.name, c.start, c.end])).toEqual([
      ['requestApiKey', 0, 2], ['requestApiVersion', 2, 4], ['correlationId', 4, 8], ['clientId', 8, 13], ['_tagged_fields', 13, 14],
    ]);
    expect(h.children![3]!.value).toBe('cli');
    const b = decodeTraced(Produce.request, 9, bodyBytes).spans;
    const topic = b.children!.find((c) => c.name === 'topicData')!.children![0]!;
    expect(topic.name).toBe('0');
    const name = topic.children!.find((c) => c.name === 'name')!;
    expect(bodyBytes.toString('utf8', name.end - 6, name.end)).toBe('events');
    const records = topic.children!.find((c) => c.name === 'partitionData')!.children![0]!.children!.find((c) => c.name === 'records')!;
    expect([...bodyBytes.subarray(records.end - 3, records.end)]).toEqual([1, 2, 3]);
  });
});
