import { describe, expect, it } from 'vitest';
import { ApiVersions } from '../../protocol/messages/18-api-versions.js';
import { Metadata } from '../../protocol/messages/03-metadata.js';
import { Fetch } from '../../protocol/messages/01-fetch.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import { codecFor } from '../../src/codec/interpret.js';
import { encodeResponse, HandlerRegistry } from '../../src/server/dispatch.js';
import { defineHandler } from '../../src/server/handler.js';
import { HANDLERS } from '../../src/handlers/index.js';

function request(apiKey: number, version: number, body: Buffer[] = [], flexibleHeader = false): Buffer {
  const head = Buffer.alloc(10 + (flexibleHeader ? 1 : 0));
  head.writeInt16BE(apiKey, 0);
  head.writeInt16BE(version, 2);
  head.writeInt32BE(42, 4);
  head.writeInt16BE(-1, 8); // null client id
  return Buffer.concat([head, ...body]);
}

const registry = new HandlerRegistry(HANDLERS);

describe('HandlerRegistry', () => {
  it('advertises exactly the registered handlers, sorted by key', () => {
    const keys = registry.advertised().map((k) => k.apiKey);
    expect(keys).toEqual(HANDLERS.map((h) => h.api.apiKey).sort((a, b) => a - b));
    expect(registry.advertised().find((k) => k.apiKey === 0)).toEqual({ apiKey: 0, minVersion: 0, maxVersion: 13 });
  });

  it('refuses two handlers for one key', () => {
    const h = defineHandler({ api: ApiVersions, minVersion: 0, maxVersion: 4, handle: () => null });
    expect(() => new HandlerRegistry([h, h])).toThrow(/two handlers for API key 18/);
  });

  it('decodes a flexible request after its header tag section', () => {
    const body = codecFor(Metadata.request, 12).encode({
      topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    });
    const d = registry.dispatch(request(3, 12, [Buffer.from([0]), ...body]));
    expect(d.kind).toBe('handle');
    if (d.kind === 'handle') {
      expect(d.request.header).toEqual({ apiKey: 3, apiVersion: 12, correlationId: 42, clientId: null });
      expect((d.request.body as { topics: unknown }).topics).toBeNull();
    }
  });

  it('answers an unknown ApiVersions version with a v0 body, error 35 and its own range', () => {
    const d = registry.dispatch(request(18, 127));
    expect(d.kind).toBe('reply');
    if (d.kind !== 'reply') return;
    const frame = Buffer.concat(d.frame);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(frame.readInt32BE(4)).toBe(42);
    expect(codecFor(ApiVersions.response, 0).decode(frame, 8)).toMatchObject({ errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] });
  });

  it.each([
    ['an unknown API key', request(1000, 0)],
    ['a version above the range', request(3, 14)],
    ['a truncated body', request(3, 12, [Buffer.from([0, 5])], true)],
    ['a frame shorter than a header', Buffer.from([0, 3, 0])],
  ])('closes the connection on %s', (_, frame) => {
    expect(registry.dispatch(frame).kind).toBe('close');
  });
});

describe('api.versions.floor: Kafka 3.9\'s versions by default, Kafka 4.0\'s refusals on request', () => {
  const kafka4 = new HandlerRegistry(HANDLERS, '4.0');
  const range = (r: HandlerRegistry, apiKey: number) => r.advertised().find((k) => k.apiKey === apiKey);
  const produceV2 = request(0, 2, codecFor(Produce.request, 2).encode({ transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [] }));
  const fetchV3 = request(1, 3, codecFor(Fetch.request, 3).encode({
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 1, maxBytes: 1000,
    isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [], forgottenTopicsData: [], rackId: '',
  }));

  it('advertises the versions Kafka 3.9 served, or Kafka 4.x\'s ranges', () => {
    const floors = [[0, 0, 0], [1, 0, 4], [2, 0, 1], [8, 0, 2], [9, 0, 1], [19, 0, 2], [20, 0, 1], [23, 0, 2], [32, 0, 1], [35, 0, 1]];
    for (const [apiKey, kafka39, kafka40] of floors) {
      expect([apiKey, range(registry, apiKey!)!.minVersion]).toEqual([apiKey, kafka39]);
      expect([apiKey, range(kafka4, apiKey!)!.minVersion]).toEqual([apiKey, kafka40]);
    }
    expect(range(registry, 1)!.maxVersion).toBe(range(kafka4, 1)!.maxVersion);
  });

  it('serves Produce v2 and Fetch v3 by default', () => {
    expect(registry.dispatch(produceV2).kind).toBe('handle');
    expect(registry.dispatch(fetchV3).kind).toBe('handle');
  });

  it('at 4.0, refuses them as Kafka 4 does: Produce v0-2 advertised but closed, Fetch v0-3 unadvertised and closed', () => {
    expect(kafka4.dispatch(produceV2)).toEqual({ kind: 'close', reason: 'API Produce v2 is advertised for compatibility only' });
    expect(kafka4.dispatch(fetchV3)).toEqual({ kind: 'close', reason: 'API Fetch v3 is not supported' });
    expect(kafka4.dispatch(request(8, 1))).toEqual({ kind: 'close', reason: 'API OffsetCommit v1 is not supported' });
  });
});

describe('encodeResponse', () => {
  it('uses response header v1 for flexible versions, except ApiVersions', () => {
    const meta = Buffer.concat(encodeResponse(Metadata, { apiKey: 3, apiVersion: 12, correlationId: 7, clientId: null }, {
      throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: 1, topics: [], clusterAuthorizedOperations: -2147483648, errorCode: 0,
    }));
    expect(meta.readInt32BE(4)).toBe(7);
    expect(meta[8]).toBe(0); // the header's empty tag section
    const api = registry.get(18)!;
    const av = Buffer.concat(encodeResponse(api.api, { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: null }, {
      errorCode: 0, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false,
    }));
    expect(av.readInt16BE(8)).toBe(0); // error code right after the correlation id: header v0
  });

  it('sends records as their own chunk: the very Buffer read from the log, not a copy', () => {
    const records = Buffer.alloc(100, 1);
    const partition = {
      partitionIndex: 0, errorCode: 0, highWatermark: 1n, lastStableOffset: 1n, logStartOffset: 0n, divergingEpoch: { epoch: -1, endOffset: -1n },
      currentLeader: { leaderId: -1, leaderEpoch: -1 }, snapshotId: { endOffset: -1n, epoch: -1 }, abortedTransactions: [], preferredReadReplica: -1, records,
    };
    const chunks = encodeResponse(Fetch, { apiKey: 1, apiVersion: 11, correlationId: 1, clientId: null }, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', topicId: '00000000-0000-0000-0000-000000000000', partitions: [partition] }], nodeEndpoints: [] });
    expect(chunks).toContain(records);
    const frame = Buffer.concat(chunks);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    const decoded = codecFor(Fetch.response, 11).decode(frame, 8);
    expect(decoded.responses[0].partitions[0].records).toEqual(records);
  });
});
