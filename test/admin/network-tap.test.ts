/** The network tap's bookkeeping, driven the way src/server/connection.ts drives it. */
import { describe, expect, it } from 'vitest';
import { Fetch } from '../../protocol/messages/01-fetch.js';
import { Produce } from '../../protocol/messages/00-produce.js';
import { NetworkTap } from '../../src/admin/network-tap.js';
import { Histogram, NetworkStats } from '../../src/admin/stats.js';
import { TrafficCapture } from '../../src/admin/traffic.js';
import { monotonicNow } from '../../src/clock.js';

const header = (apiKey: number, apiVersion: number) => ({ apiKey, apiVersion, correlationId: 1, clientId: 'c' });

describe('NetworkTap', () => {
  const tap = () => new NetworkTap(new NetworkStats(), new TrafficCapture(false, () => 0, () => undefined), (id) => (id === 'id-1' ? 'by-id' : undefined));

  it('counts a request once it is sent, and gives back what was in flight', () => {
    const t = tap();
    const conn = t.connectionOpened('127.0.0.1:1');
    const probe = conn.request(header(0, 9), Produce, Buffer.alloc(96), {}, monotonicNow());
    expect(t.stats).toMatchObject({ connectionsOpen: 1, inFlightRequests: 1, inFlightBytes: 100 });
    probe.responded({ throttleTimeMs: 7 }, [Buffer.alloc(8), Buffer.alloc(20)]);
    expect(t.stats.queuedResponseBytes).toBe(28);
    probe.sent(false);
    const s = t.stats.byApi[0]![9]!;
    expect(s).toMatchObject({ apiName: 'Produce', requests: 1, requestBytes: 100, responseBytes: 28 });
    expect([s.queue.count, s.local.count, s.send.count, s.total.count, s.throttle.sum]).toEqual([1, 1, 1, 1, 7]);
    expect(t.stats).toMatchObject({ inFlightRequests: 0, inFlightBytes: 0, queuedResponseBytes: 0 });
  });

  it('releases the in-flight figures of requests a closing connection never answered', () => {
    const t = tap();
    const conn = t.connectionOpened('127.0.0.1:2');
    conn.request(header(0, 9), Produce, Buffer.alloc(10), {}, monotonicNow()).responded({}, [Buffer.alloc(5)]);
    conn.request(header(0, 9), Produce, Buffer.alloc(10), {}, monotonicNow());
    conn.closed();
    expect(t.stats).toMatchObject({ connectionsOpen: 0, connectionsClosed: 1, inFlightRequests: 0, inFlightBytes: 0, queuedResponseBytes: 0 });
    expect(t.stats.byApi[0]![9]!.requests).toBe(0);
  });

  it('counts the record bytes of Fetch responses per topic, naming topics given by id', () => {
    const t = tap();
    const probe = t.connectionOpened('h').request(header(1, 13), Fetch, Buffer.alloc(10), {}, monotonicNow());
    probe.responded({
      responses: [
        { topic: '', topicId: 'id-1', partitions: [{ records: Buffer.alloc(30) }, { records: [Buffer.alloc(5), Buffer.alloc(6)] }] },
        { topic: 'named', topicId: '', partitions: [{ records: null }, { records: Buffer.alloc(4) }] },
      ],
    }, [Buffer.alloc(100)]);
    expect(Object.fromEntries(t.stats.bytesOut)).toEqual({ 'by-id': 41, named: 4 });
  });

  it('sends nothing for acks=0 and still counts the request', () => {
    const t = tap();
    const probe = t.connectionOpened('h').request(header(0, 3), Produce, Buffer.alloc(10), {}, monotonicNow());
    probe.responded(null, null);
    probe.sent(false);
    expect(t.stats.byApi[0]![3]!).toMatchObject({ requests: 1, responseBytes: 0 });
  });
});

describe('Histogram', () => {
  it('puts a value equal to a bound in that bound\'s bucket (Prometheus "le"), and larger ones in +Inf', () => {
    const h = new Histogram([1, 10]);
    for (const v of [0.5, 1, 1.5, 10, 11]) h.observe(v);
    expect([...h.counts]).toEqual([2, 2, 1]);
    expect([h.count, h.sum]).toEqual([5, 24]);
  });
});
