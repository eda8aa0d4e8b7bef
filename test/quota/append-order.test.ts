import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Produce } from '../../protocol/messages/00-produce.js';
import { Broker } from '../../src/broker.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { codecFor } from '../../src/codec/interpret.js';
import { encodeBatch, encodeRecords } from '../../src/codec/record-batch.js';
import { RawClient } from '../../integration/raw-client.js';

/**
 * Quota decisions are synchronous over in-memory counters, so they never slip an `await` in front
 * of the log's synchronous append (design note §3): pipelined produce requests from a client under
 * a quota and from one without get contiguous offsets, in each connection's request order.
 */
describe('quotas keep the append order', () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await Broker.start({ inMemory: true, config: new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:0']]) });
    await broker.services.topics.create('ordered', 1);
    const [set] = await broker.services.quotas.alter([{ entity: [{ entityType: 'client-id', entityName: 'raw-client' }], ops: [{ key: 'request_percentage', value: 50, remove: false }] }], false);
    expect(set.errorCode).toBe(0);
  });
  afterAll(async () => broker.close());

  it('gives pipelined produce requests of a quota-bound and a free client contiguous offsets', async () => {
    const records = encodeRecords([{ value: Buffer.from('a') }, { value: Buffer.from('b') }]);
    const batch = encodeBatch({ lastOffsetDelta: 1, recordsCount: 2, baseTimestamp: 1, records });
    const body = { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'ordered', topicId: '00000000-0000-0000-0000-000000000000', partitionData: [{ index: 0, records: batch }] }] };
    const codec = codecFor(Produce.response, 9);
    const first = await RawClient.connect(broker.port);
    first.send(Produce.request, 9, 0, body);
    expect(codec.decode((await first.readFrame())!, 5).responses[0].partitionResponses[0].errorCode).toBe(0);
    const limited = first; // client id "raw-client": under request_percentage
    const free = await RawClient.connect(broker.port);
    const freeFrame = (id: number) => {
      const encoded = codecFor(Produce.request, 9).encode(body);
      const frame = RawClient.frame(0, 9, id, encoded, true);
      // The same request under another client id: the id's length is the same, so patch it in place.
      frame.write('free-clien', 14, 'latin1');
      return frame;
    };
    for (let i = 1; i <= 20; i++) {
      limited.send(Produce.request, 9, i, body);
      free.write(freeFrame(i));
    }
    const offsets: bigint[] = [];
    for (const c of [limited, free]) {
      let last = -1n;
      for (let i = 1; i <= 20; i++) {
        const p = codec.decode((await c.readFrame())!, 5).responses[0].partitionResponses[0];
        expect(p.errorCode).toBe(0);
        expect(p.baseOffset).toBeGreaterThan(last);
        last = p.baseOffset;
        offsets.push(p.baseOffset);
      }
    }
    expect(offsets.sort((a, b) => (a < b ? -1 : 1))).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(2 + 2 * i))); // after the first request's 0-1
    limited.end();
    free.end();
  });
});
