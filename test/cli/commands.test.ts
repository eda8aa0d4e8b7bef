import { describe, expect, it } from 'vitest';
import { formatRecord, parseOffset } from '../../src/cli/commands/consume.js';
import { lineToRecord } from '../../src/cli/commands/produce.js';
import { table, toJson } from '../../src/cli/common.js';
import { EARLIEST, LATEST } from '../../src/client/consumer.js';
import type { ConsumedRecord } from '../../src/client/records.js';

const record: ConsumedRecord = {
  topic: 't', partition: 1, offset: 42n, timestamp: 1700000000000, timestampType: 'CreateTime', leaderEpoch: 0,
  key: Buffer.from('k'), value: Buffer.from('hello'), headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: null }],
};

describe('consume', () => {
  it('formats records with kcat\'s -f tokens and escapes', () => {
    expect(formatRecord('%t/%p@%o %k=%s (%K,%S) %T [%h] 100%%\\n', record)).toBe('t/1@42 k=hello (1,5) 1700000000000 [a=1,b=] 100%\n');
    expect(formatRecord('%k|%s\\t', { ...record, key: null, value: null })).toBe('|\t');
    expect(formatRecord('%K %S', { ...record, key: null, value: null })).toBe('-1 -1');
  });

  it('parses --offset like kcat -o: beginning, end, an offset, -N, @time', () => {
    expect(parseOffset('beginning')).toEqual({ kind: 'timestamp', timestamp: EARLIEST });
    expect(parseOffset('end')).toEqual({ kind: 'timestamp', timestamp: LATEST });
    expect(parseOffset('17')).toEqual({ kind: 'offset', offset: 17n });
    expect(parseOffset('-3')).toEqual({ kind: 'fromEnd', count: 3n });
    expect(parseOffset('@1700000000000')).toEqual({ kind: 'timestamp', timestamp: 1700000000000n });
    expect(parseOffset('@2023-11-14T22:13:20Z')).toEqual({ kind: 'timestamp', timestamp: 1700000000000n });
    expect(() => parseOffset('@yesterday')).toThrow(/not a time/);
    expect(() => parseOffset('middle')).toThrow(/expected beginning, end/);
  });
});

describe('produce', () => {
  it('splits key and value at the first separator, and keeps lines without one as values', () => {
    const r = lineToRecord('user-1:{"a":1}:x', ':', [['source', 'cli']], 5);
    expect([r.key?.toString(), r.value?.toString(), r.timestamp]).toEqual(['user-1', '{"a":1}:x', 5]);
    expect(r.headers).toEqual([{ key: 'source', value: Buffer.from('cli') }]);
    const plain = lineToRecord('no separator here', '::', [], 5);
    expect([plain.key, plain.value?.toString()]).toEqual([null, 'no separator here']);
  });
});

describe('output', () => {
  it('aligns table columns and prints int64 offsets in JSON as numbers, or strings past 2^53', () => {
    expect(table(['A', 'LONGER'], [['xyz', 1], ['q', 22n]])).toBe('A    LONGER\nxyz  1\nq    22\n');
    expect(toJson({ o: 5n, big: 2n ** 60n })).toBe('{"o":5,"big":"1152921504606846976"}');
  });
});
