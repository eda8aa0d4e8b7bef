import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OffsetIndex, TimeIndex } from '../../src/log/sparse-index.js';

describe('OffsetIndex', () => {
  it('finds the floor entry for any offset', () => {
    const index = new OffsetIndex(1024);
    index.append(10, 4100);
    index.append(25, 8300);
    index.append(40, 12500);
    expect(index.lookup(0)).toBe(0); // before the first entry: segment start
    expect(index.lookup(9)).toBe(0);
    expect(index.lookup(10)).toBe(4100);
    expect(index.lookup(24)).toBe(4100);
    expect(index.lookup(25)).toBe(8300);
    expect(index.lookup(1_000_000)).toBe(12500);
  });

  it('agrees with a linear scan (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 100_000 }), { maxLength: 300 }), fc.integer({ min: 0, max: 100_001 }), (offsets, target) => {
        const sorted = [...offsets].sort((a, b) => a - b);
        const index = new OffsetIndex(1 << 20);
        sorted.forEach((o) => index.append(o, o * 10));
        const floor = sorted.filter((o) => o <= target).pop();
        expect(index.lookup(target)).toBe(floor === undefined ? 0 : floor * 10);
      }),
    );
  });

  it('stores big-endian (int32 relative offset, int32 position) entries and reloads them', () => {
    const index = new OffsetIndex(1024);
    index.append(1, 258);
    expect(index.bytes().toString('hex')).toBe('0000000100000102');
    const reloaded = new OffsetIndex(1024, Buffer.concat([index.bytes(), Buffer.alloc(64)])); // Kafka's preallocation
    expect(reloaded.entries).toBe(1);
    expect(reloaded.lookup(5)).toBe(258);
  });

  it('is full at log.index.size.max.bytes / 8 entries', () => {
    const index = new OffsetIndex(24);
    for (let i = 1; i <= 3; i++) index.append(i, i * 100);
    expect(index.isFull).toBe(true);
  });

  it('flags entries that are out of order or beyond the log', () => {
    const ok = new OffsetIndex(1024);
    ok.append(1, 100);
    ok.append(2, 200);
    expect(ok.isConsistentWith(300)).toBe(true);
    expect(ok.isConsistentWith(200)).toBe(false);
    const bad = new OffsetIndex(1024, Buffer.from('00000005000000640000000300000096', 'hex'));
    expect(bad.isConsistentWith(1000)).toBe(false);
  });
});

describe('TimeIndex', () => {
  it('appends only when the timestamp grows and finds the floor entry by timestamp', () => {
    const index = new TimeIndex(1200);
    index.maybeAppend(1000, 3);
    index.maybeAppend(1000, 5); // not newer: skipped
    index.maybeAppend(900, 6); // older: skipped
    index.maybeAppend(2000, 9);
    expect(index.entries).toBe(2);
    expect(index.lookup(999)).toBeUndefined();
    expect(index.lookup(1000)).toEqual({ timestamp: 1000, relativeOffset: 3 });
    expect(index.lookup(1999)).toEqual({ timestamp: 1000, relativeOffset: 3 });
    expect(index.lookup(5000)).toEqual({ timestamp: 2000, relativeOffset: 9 });
    expect(index.bytes().subarray(0, 12).toString('hex')).toBe('00000000000003e800000003');
  });

  it('lets the sealing entry in even when full', () => {
    const index = new TimeIndex(12);
    index.maybeAppend(1, 1);
    index.maybeAppend(2, 2);
    expect(index.entries).toBe(1);
    index.maybeAppend(2, 2, true);
    expect(index.entries).toBe(2);
  });
});
