import { describe, expect, it } from 'vitest';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign } from '../../src/client/group-protocol.js';
import { murmur2, partitionForKey, produceBatch, recordsOf } from '../../src/client/records.js';
import { setBaseOffset } from '../../src/codec/record-batch.js';

describe('murmur2', () => {
  it('matches Kafka\'s Utils.murmur2 (the vectors of its UtilsTest)', () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [text, hash] of cases) expect([text, murmur2(Buffer.from(text))]).toEqual([text, hash]);
    expect(partitionForKey(Buffer.from('foobar'), 3)).toBe((-790332482 & 0x7fffffff) % 3);
  });
});

describe('batches', () => {
  const records = [
    { key: Buffer.from('k'), value: Buffer.from('one'), headers: [{ key: 'h', value: Buffer.from('x') }], timestamp: 1000 },
    { key: null, value: Buffer.from('two'), headers: [], timestamp: 1005 },
    { key: null, value: null, headers: [], timestamp: 1002 },
  ];

  it.each(['none', 'gzip', 'snappy', 'lz4'] as const)('round-trips records compressed with %s', (codec) => {
    const batch = produceBatch(records, codec);
    setBaseOffset(batch, 0, 40n);
    const { records: out, nextOffset } = recordsOf('t', 2, batch, 41n);
    expect(nextOffset).toBe(43n);
    expect(out.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      [41n, 1005, null, 'two'],
      [42n, 1002, null, null],
    ]);
    const all = recordsOf('t', 2, batch, 0n).records;
    expect(all[0]).toMatchObject({ topic: 't', partition: 2, offset: 40n, timestampType: 'CreateTime' });
    expect(all[0]!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
  });

  it('drops a partial batch at the end of a fetch', () => {
    const a = produceBatch(records.slice(0, 1), 'none');
    const b = produceBatch(records.slice(1), 'none');
    setBaseOffset(b, 0, 1n);
    const cut = Buffer.concat([a, b.subarray(0, b.length - 3)]);
    const { records: out, nextOffset } = recordsOf('t', 0, cut, 0n);
    expect(out.map((r) => r.offset)).toEqual([0n]);
    expect(nextOffset).toBe(1n);
  });
});

describe('consumer group protocol', () => {
  it('encodes subscriptions and assignments as Kafka\'s ConsumerProtocol v0 bytes', () => {
    const sub = encodeSubscription(['a', 'b']);
    // version 0, 2 topics, "a", "b", null user data
    expect(sub.toString('hex')).toBe('0000' + '00000002' + '00016100' + '0162' + 'ffffffff');
    expect(decodeSubscription(sub)).toEqual(['a', 'b']);
    const tps = [{ topic: 'a', partition: 2 }, { topic: 'a', partition: 0 }, { topic: 'b', partition: 1 }];
    expect(decodeAssignment(encodeAssignment(tps))).toEqual([{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }, { topic: 'b', partition: 1 }]);
    expect(decodeAssignment(Buffer.alloc(0))).toEqual([]);
  });

  it('assigns ranges per topic the way Kafka\'s RangeAssignor does', () => {
    const subs = new Map([['m2', ['t', 'u']], ['m1', ['t']], ['m3', ['t']]]);
    const out = rangeAssign(subs, new Map([['t', 7], ['u', 2]]));
    const parts = (m: string, topic: string) => out.get(m)!.filter((tp) => tp.topic === topic).map((tp) => tp.partition);
    expect([parts('m1', 't'), parts('m2', 't'), parts('m3', 't')]).toEqual([[0, 1, 2], [3, 4], [5, 6]]);
    expect(parts('m2', 'u')).toEqual([0, 1]);
  });
});
