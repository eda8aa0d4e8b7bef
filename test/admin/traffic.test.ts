/** The traffic capture: copies taken before the broker rewrites a frame, decoding on demand, and its bounds. */
import { describe, expect, it } from 'vitest';
import { Produce } from '../../protocol/messages/00-produce.js';
import { RequestHeader } from '../../protocol/messages/request-header.js';
import type { DisplayNode } from '../../src/admin/display.js';
import { TrafficCapture } from '../../src/admin/traffic.js';
import { codecFor } from '../../src/codec/interpret.js';
import { buildBatch } from '../../src/codec/record-batch.js';

const header = { apiKey: 0, apiVersion: 9, correlationId: 5, clientId: 'cap' };

/** A Produce v9 request frame (no size prefix) of one batch, and its decoded body. */
function produceFrame(topic: string, values: string[]): { frame: Buffer; body: unknown } {
  const body = {
    transactionalId: null, acks: -1, timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch(values.map((v) => ({ value: Buffer.from(v) }))) }] }],
  };
  const frame = Buffer.concat([
    ...codecFor(RequestHeader, 2).encode({ requestApiKey: 0, requestApiVersion: 9, correlationId: 5, clientId: 'cap' }),
    ...codecFor(Produce.request, 9).encode(body as never),
  ]);
  return { frame, body };
}

const find = (n: DisplayNode, name: string): DisplayNode | undefined =>
  n.name === name ? n : n.children?.map((c) => find(c, name)).find(Boolean);

describe('TrafficCapture', () => {
  it('keeps the request as the client sent it, even after the broker rewrites the frame', () => {
    const cap = new TrafficCapture(true, () => 1234, () => undefined);
    const { frame, body } = produceFrame('events', ['a', 'b']);
    const entry = cap.request('127.0.0.1:1', header, Produce, frame, body);
    frame.fill(0xff); // what appending does to offsets and epochs, only worse
    cap.publish(entry, 2.5);
    expect(cap.recent()).toEqual([expect.objectContaining({ api: 'Produce', subjects: ['events'], atMs: 1234, latencyMs: 2.5, requestBytes: frame.length + 4 })]);
    const detail = cap.detail(entry.id)!;
    expect(find(detail.request.tree, 'name')!.value).toBe('"events"');
    expect(find(detail.request.tree, 'recordsCount')!.value).toBe('2');
    const size = find(detail.request.tree, 'size')!;
    expect(Buffer.from(detail.request.hex, 'hex').readInt32BE(size.start)).toBe(frame.length);
    expect(detail.response).toBeUndefined();
  });

  it('keeps at most its count and its bytes, dropping the oldest', () => {
    const cap = new TrafficCapture(true, () => 0, () => undefined, 3, 10_000);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { frame, body } = produceFrame('t', ['x']);
      const e = cap.request('c', header, Produce, frame, body);
      ids.push(e.id);
      cap.publish(e, 0);
    }
    expect(cap.recent().map((s) => s.id)).toEqual(ids.slice(2));
    expect(cap.detail(ids[0]!)).toBeUndefined();
    const big = produceFrame('t', ['y'.repeat(6000)]);
    const e1 = cap.request('c', header, Produce, big.frame, big.body);
    cap.publish(e1, 0);
    const e2 = cap.request('c', header, Produce, big.frame, big.body);
    cap.publish(e2, 0);
    expect(cap.recent().map((s) => s.id)).toEqual([e2.id]);
  });

  it('says so, without throwing, when a frame cannot be decoded', () => {
    const cap = new TrafficCapture(true, () => 0, () => undefined);
    const { frame, body } = produceFrame('t', ['x']);
    const e = cap.request('c', header, Produce, frame.subarray(0, frame.length - 10), body);
    cap.publish(e, 0);
    const notDecoded = find(cap.detail(e.id)!.request.tree, 'not decoded');
    expect(notDecoded?.value).toMatch(/needed \d+ bytes/);
  });
});
