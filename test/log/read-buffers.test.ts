/**
 * The fetch read-buffer pool (src/log/read-buffers.ts): a buffer is handed out again only after the
 * lease that holds it is released, never while it is held.
 */
import { describe, expect, it } from 'vitest';
import { MAX_POOLED_BYTES, MIN_POOLED_BYTES, ReadBufferPool } from '../../src/log/read-buffers.js';

const MB = 1 << 20;

describe('ReadBufferPool', () => {
  it('never hands a held buffer to another lease', () => {
    const pool = new ReadBufferPool();
    const a = pool.lease();
    const b = pool.lease();
    const held = [a.alloc(MB), a.alloc(MB), b.alloc(MB)];
    expect(new Set(held.map((x) => x.buffer)).size).toBe(3);
    // (Identities compared as booleans: a failing toBe would print megabytes.)
    a.release();
    // a's two buffers are free again; b's is still held and must not come back.
    const c = pool.lease();
    const again = [c.alloc(MB), c.alloc(MB), c.alloc(MB)];
    expect(again.some((x) => x.buffer === held[2]!.buffer)).toBe(false);
    expect(again.filter((x) => x.buffer === held[0]!.buffer || x.buffer === held[1]!.buffer)).toHaveLength(2);
  });

  it('reuses a released buffer for any read it can hold, at the asked length; the smallest that fits', () => {
    const pool = new ReadBufferPool();
    const a = pool.lease();
    const big = a.alloc(MB + 4096);
    const small = a.alloc(MB / 4);
    expect(big.length).toBe(MB + 4096);
    a.release();
    const b = pool.lease();
    const fits = b.alloc(MB / 8);
    expect(fits.buffer === small.buffer).toBe(true);
    expect(fits.length).toBe(MB / 8);
    expect(b.alloc(MB / 2).buffer === big.buffer).toBe(true);
  });

  it('does not pool small or huge reads', () => {
    const pool = new ReadBufferPool();
    const a = pool.lease();
    a.alloc(MIN_POOLED_BYTES - 1);
    a.alloc(MAX_POOLED_BYTES + 1);
    a.release();
    expect(pool.idleBytes).toBe(0);
  });

  it('keeps at most maxFreeBytes idle, dropping the smallest', () => {
    const pool = new ReadBufferPool(3 * MB);
    const a = pool.lease();
    for (let i = 0; i < 4; i++) a.alloc(MB / 2);
    const big = a.alloc(2 * MB);
    a.release();
    expect(pool.idleBytes).toBe(3 * MB);
    expect(pool.take(2 * MB).buffer === big.buffer).toBe(true);
  });

  it('a lease releases once; using it afterwards, or giving a buffer back twice, is an error', () => {
    const pool = new ReadBufferPool();
    const a = pool.lease();
    const buf = a.alloc(MB);
    a.release();
    a.release(); // no second give: the buffer is not in the free list twice
    expect(pool.idleBytes).toBe(MB);
    expect(() => a.alloc(MB)).toThrow(/after release/);
    const whole = pool.lease();
    const taken = pool.take(MB);
    expect(taken.buffer === buf.buffer).toBe(true);
    pool.give(taken);
    expect(() => pool.give(taken)).toThrow(/twice/);
    whole.release();
  });
});
