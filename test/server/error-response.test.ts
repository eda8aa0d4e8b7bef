import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FieldSpec } from '../../protocol/schema.js';
import { ErrorCode } from '../../protocol/errors.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import { Fetch } from '../../protocol/messages/01-fetch.js';
import { DeleteTopics } from '../../protocol/messages/20-delete-topics.js';
import { OffsetFetch } from '../../protocol/messages/09-offset-fetch.js';
import { InitProducerId } from '../../protocol/messages/22-init-producer-id.js';
import { DescribeClientQuotas } from '../../protocol/messages/48-describe-client-quotas.js';
import { codecFor } from '../../src/codec/interpret.js';
import { inRange } from '../../src/codec/versions.js';
import { HANDLERS } from '../../src/handlers/index.js';
import { ECHOES, errorFor, errorResponse, expectsNoResponse } from '../../src/server/error-response.js';
import { structArb } from '../codec/arbitraries.js';

/** Every error code the response carries at `version`, walking nested lists and structs. */
function errorCodes(fields: readonly FieldSpec[], value: Record<string, unknown>, version: number, out: number[] = []): number[] {
  for (const f of fields) {
    if (!inRange(version, f.versions)) continue;
    const v = value[f.name];
    if (f.name === 'errorCode' || f.name === 'partitionErrorCode') out.push(v as number);
    else if (f.type === '[]' && Array.isArray(v)) for (const item of v) errorCodes(f.fields!, item as Record<string, unknown>, version, out);
    else if (f.type === '{}' && v) errorCodes(f.fields!, v as Record<string, unknown>, version, out);
  }
  return out;
}

const hasTopLevelErrorCode = (fields: readonly FieldSpec[], version: number) => fields.some((f) => f.name === 'errorCode' && inRange(version, f.versions));

/**
 * Versions whose Kafka error answer has no error field at all: DescribeLogDirs before v3 has no
 * top-level error code, and Kafka's getErrorResponse answers with no results.
 */
const SILENT = new Set(['DescribeLogDirs v1', 'DescribeLogDirs v2']);

describe('errorResponse: Kafka\'s getErrorResponse for every advertised API and version', () => {
  for (const handler of HANDLERS) {
    const { api } = handler;
    for (let version = handler.minHandledVersion ?? handler.minVersion; version <= handler.maxVersion; version++) {
      it(`${api.name} v${version}: an encodable response that says the error`, () => {
        // Either the response has a top-level error code at this version, or ECHOES says which
        // request items carry it; otherwise a client could not tell that the request failed.
        expect(hasTopLevelErrorCode(api.response.fields, version) || ECHOES[api.apiKey]?.lists !== undefined || SILENT.has(`${api.name} v${version}`)).toBe(true);
        const requests = fc.sample(structArb(api.request.fields, version), { seed: api.apiKey * 100 + version, numRuns: 8 });
        const reqCodec = codecFor(api.request, version);
        const resCodec = codecFor(api.response, version);
        for (const sample of requests) {
          // As a handler sees it: decoded from the wire.
          const request = reqCodec.decode(Buffer.concat(reqCodec.encode(sample as never)));
          const response = errorResponse(api, version, request, ErrorCode.UNKNOWN_SERVER_ERROR);
          const decoded = resCodec.decode(Buffer.concat(resCodec.encode(response as never)));
          const codes = errorCodes(api.response.fields, decoded, version);
          expect(codes.every((c) => c === ErrorCode.UNKNOWN_SERVER_ERROR)).toBe(true);
          if (hasTopLevelErrorCode(api.response.fields, version)) expect(codes.length).toBeGreaterThan(0);
          // Each repeated list has one item per request item (Kafka's getErrorResponse).
          const requestFields: readonly FieldSpec[] = api.request.fields;
          for (const [name, echo] of Object.entries(ECHOES[api.apiKey]?.lists ?? {})) {
            if (echo.untilVersion !== undefined && version > echo.untilVersion) continue;
            const present = (typeof echo.from === 'string' ? [echo.from] : echo.from).filter((n) => requestFields.some((f) => f.name === n && inRange(version, f.versions)));
            // One item per item of the first list present, or of every list with `concat`.
            const lists = (echo.concat ? present : present.slice(0, 1)).map((n) => (request as Record<string, unknown>)[n]);
            const items = lists.length === 0 || !lists.every(Array.isArray) ? undefined : lists.flat();
            if (Array.isArray(items)) expect([name, (decoded[name] as unknown[]).length]).toEqual([name, items.length]);
          }
        }
      }, 30_000); // the first one compiles codecs and loads fast-check: slow on a loaded machine
    }
  }
});

describe('errorResponse: the shapes Kafka answers', () => {
  it('Produce repeats every topic and partition with the error and offsets of -1', () => {
    const request = { acks: -1, timeoutMs: 1000, transactionalId: null, topicData: [{ name: 't', topicId: '00000000-0000-0000-0000-000000000000', partitionData: [{ index: 0, records: null }, { index: 3, records: null }] }] };
    type Answer = { responses: { name: string; partitionResponses: Record<string, unknown>[] }[] };
    const r = errorResponse(Produce, 9, request, ErrorCode.KAFKA_STORAGE_ERROR) as Answer;
    expect(r.responses.map((t) => t.name)).toEqual(['t']);
    expect(r.responses[0].partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset, p.logStartOffset, p.errorMessage])).toEqual([
      [0, 56, -1n, -1n, null],
      [3, 56, -1n, -1n, null],
    ]);
    expect(expectsNoResponse(Produce, { ...request, acks: 0 })).toBe(true);
    expect(expectsNoResponse(Produce, request)).toBe(false);
  });

  it('Fetch repeats partitions up to v12 and answers with the top-level error alone from v13', () => {
    const topic = { topic: 't', topicId: '11111111-1111-1111-1111-111111111111', partitions: [{ partition: 2, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 100, replicaDirectoryId: '00000000-0000-0000-0000-000000000000', highWatermark: 0n }] };
    const request = { sessionId: 7, topics: [topic] };
    const v12 = errorResponse(Fetch, 12, request, -1) as { errorCode: number; sessionId: number; responses: { partitions: Record<string, unknown>[] }[] };
    expect([v12.errorCode, v12.sessionId]).toEqual([-1, 7]);
    expect(v12.responses[0].partitions.map((p) => [p.partitionIndex, p.errorCode, p.highWatermark])).toEqual([[2, -1, -1n]]);
    const v13 = errorResponse(Fetch, 13, request, -1) as { errorCode: number; responses: unknown[] };
    expect([v13.errorCode, v13.responses]).toEqual([-1, []]);
  });

  it('DeleteTopics repeats names (v0-5) or name and id (v6+)', () => {
    const v5 = errorResponse(DeleteTopics, 5, { topicNames: ['a', 'b'], topics: [], timeoutMs: 1 }, -1) as { responses: { name: string; errorCode: number }[] };
    expect(v5.responses.map((t) => [t.name, t.errorCode])).toEqual([['a', -1], ['b', -1]]);
    const id = '22222222-2222-2222-2222-222222222222';
    const v6Request = { topicNames: [], topics: [{ name: null, topicId: id }], timeoutMs: 1 };
    const v6 = errorResponse(DeleteTopics, 6, v6Request, -1) as { responses: { name: string | null; topicId: string }[] };
    expect(v6.responses.map((t) => [t.name, t.topicId])).toEqual([[null, id]]);
  });

  it('OffsetFetch: per partition at v1, the top-level error at v2-7, per group from v8', () => {
    const v1 = errorResponse(OffsetFetch, 1, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] }, 15) as { topics: { partitions: Record<string, unknown>[] }[] };
    expect(v1.topics[0].partitions.map((p) => [p.partitionIndex, p.errorCode, p.committedOffset])).toEqual([[0, 15, -1n], [1, 15, -1n]]);
    const v7 = errorResponse(OffsetFetch, 7, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }, 15) as { errorCode: number; topics: unknown[] };
    expect([v7.errorCode, v7.topics]).toEqual([15, []]);
    const v8 = errorResponse(OffsetFetch, 8, { groups: [{ groupId: 'g1', topics: null }, { groupId: 'g2', topics: null }] }, 15) as { groups: { groupId: string; errorCode: number }[] };
    expect(v8.groups.map((g) => [g.groupId, g.errorCode])).toEqual([['g1', 15], ['g2', 15]]);
  });

  it('unknown ids are -1 (InitProducerId: NO_PRODUCER_ID, NO_PRODUCER_EPOCH)', () => {
    const r = errorResponse(InitProducerId, 4, {}, -1);
    expect([r.errorCode, r.producerId, r.producerEpoch, r.throttleTimeMs]).toEqual([-1, -1n, -1, 0]);
  });

  it('DescribeClientQuotas answers with no entries and the message', () => {
    const r = errorResponse(DescribeClientQuotas, 1, { components: [], strict: false }, 42, 'bad filter');
    expect([r.errorCode, r.errorMessage, r.entries]).toEqual([42, 'bad filter', null]);
  });
});

describe('errorFor: the code for an exception', () => {
  it('keeps a Kafka error\'s code, maps disk failures to 56 and anything else to -1 without a message', () => {
    const kafka = Object.assign(new Error('topic is being deleted'), { errorCode: 3 });
    expect(errorFor(kafka)).toEqual({ code: 3, message: 'topic is being deleted' });
    expect(errorFor(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toEqual({ code: 56, message: null });
    expect(errorFor(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toEqual({ code: -1, message: null });
    expect(errorFor(new TypeError('x is undefined'))).toEqual({ code: -1, message: null });
  });
});
