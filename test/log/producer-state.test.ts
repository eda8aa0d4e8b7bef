import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { encodeBatch, encodeRecords } from '../../src/codec/record-batch.js';
import { idempotentBatch, markerBatch, txnBatch } from './producer-helpers.js';
import { decodeSnapshot, encodeSnapshot, parseSnapshotOffset, snapshotFileName } from '../../src/log/producer-snapshot.js';
import { firstSequence, lastSequence, ProducerStateManager } from '../../src/log/producer-state.js';

const INT32_MAX = 0x7fffffff;

/** Checks and applies one request at `offset`, returning the check (throws as `check` does). */
function append(state: ProducerStateManager, records: Buffer, offset: bigint) {
  const result = state.check(records, offset, -1);
  if (result.kind === 'append') for (const u of result.updates) state.apply(u);
  return result;
}

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err.errorCode;
    throw err;
  }
  return 0;
}

describe('sequence arithmetic', () => {
  it('wraps past Int32 max, both ways', () => {
    expect(lastSequence(10, 4)).toBe(14);
    expect(lastSequence(INT32_MAX, 0)).toBe(INT32_MAX);
    expect(lastSequence(INT32_MAX, 1)).toBe(0);
    expect(lastSequence(INT32_MAX - 1, 3)).toBe(1);
    expect(firstSequence(1, 3)).toBe(INT32_MAX - 1);
    expect(firstSequence(14, 4)).toBe(10);
  });
});

describe('ProducerStateManager', () => {
  it('accepts consecutive batches and records the last 5', () => {
    const s = new ProducerStateManager();
    for (let i = 0; i < 7; i++) expect(append(s, idempotentBatch(1n, 0, i * 2, 2), BigInt(i * 2)).kind).toBe('append');
    const e = s.entry(1n)!;
    expect(e.batches.map((b) => b.firstSeq)).toEqual([4, 6, 8, 10, 12]);
    expect(e.batches.at(-1)).toMatchObject({ firstSeq: 12, lastSeq: 13, firstOffset: 12n, lastOffset: 13n });
  });

  it('a retry of any of the 5 cached batches is a duplicate with the original offsets; the 6th-last is out of order', () => {
    const s = new ProducerStateManager();
    for (let i = 0; i < 6; i++) append(s, idempotentBatch(7n, 3, i), 100n + BigInt(i));
    for (let i = 1; i < 6; i++) {
      const r = s.check(idempotentBatch(7n, 3, i), 999n, -1);
      expect(r).toMatchObject({ kind: 'duplicate', batch: { firstOffset: 100n + BigInt(i), lastOffset: 100n + BigInt(i) } });
    }
    expect(codeOf(() => s.check(idempotentBatch(7n, 3, 0), 999n, -1))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('matches duplicates by first AND last sequence', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(1n, 0, 0, 3), 0n);
    expect(s.check(idempotentBatch(1n, 0, 0, 3), 3n, -1).kind).toBe('duplicate');
    // Same first sequence, different length: not the same batch, and not in sequence either.
    expect(codeOf(() => s.check(idempotentBatch(1n, 0, 0, 2), 3n, -1))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('a gap is 45 OUT_OF_ORDER_SEQUENCE_NUMBER and changes nothing', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(1n, 0, 0), 0n);
    expect(codeOf(() => s.check(idempotentBatch(1n, 0, 2), 1n, -1))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(s.entry(1n)!.batches).toHaveLength(1);
    expect(append(s, idempotentBatch(1n, 0, 1), 1n).kind).toBe('append');
  });

  it('an older epoch is 47 INVALID_PRODUCER_EPOCH, even at the right sequence', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(1n, 5, 0), 0n);
    expect(codeOf(() => s.check(idempotentBatch(1n, 4, 1), 1n, -1))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('a new epoch must start at sequence 0, and forgets the old epoch’s batches', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(1n, 0, 0), 0n);
    append(s, idempotentBatch(1n, 0, 1), 1n);
    expect(codeOf(() => s.check(idempotentBatch(1n, 1, 2), 2n, -1))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(append(s, idempotentBatch(1n, 1, 0), 2n).kind).toBe('append');
    expect(s.entry(1n)).toMatchObject({ epoch: 1, batches: [{ firstSeq: 0, firstOffset: 2n }] });
    // A retry from the old epoch is now fenced, not a duplicate.
    expect(codeOf(() => s.check(idempotentBatch(1n, 0, 1), 3n, -1))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('an unknown producer is accepted at any sequence (Kafka since KIP-360, not 59)', () => {
    const s = new ProducerStateManager();
    expect(append(s, idempotentBatch(42n, 2, 1234), 0n).kind).toBe('append');
    expect(codeOf(() => s.check(idempotentBatch(42n, 2, 1236), 1n, -1))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(append(s, idempotentBatch(42n, 2, 1235), 1n).kind).toBe('append');
  });

  it('follows the sequence through Int32 max back to 0', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(1n, 0, INT32_MAX - 1, 2), 0n); // INT32_MAX-1, INT32_MAX
    expect(append(s, idempotentBatch(1n, 0, 0, 1), 2n).kind).toBe('append');
    // A batch straddling the wrap: last sequence 1.
    append(s, idempotentBatch(2n, 0, INT32_MAX, 3), 3n);
    expect(s.entry(2n)!.batches[0]!.lastSeq).toBe(1);
    expect(s.check(idempotentBatch(2n, 0, INT32_MAX, 3), 6n, -1).kind).toBe('duplicate');
    expect(append(s, idempotentBatch(2n, 0, 2), 6n).kind).toBe('append');
  });

  it('checks several batches of one request in order, against each other, and is all-or-nothing', () => {
    const s = new ProducerStateManager();
    const ok = Buffer.concat([idempotentBatch(1n, 0, 0, 2), idempotentBatch(1n, 0, 2, 3)]);
    const r = s.check(ok, 10n, -1);
    expect(r.kind === 'append' && r.updates.map((u) => (u.kind === 'data' ? [u.firstOffset, u.lastOffset] : []))).toEqual([[10n, 11n], [12n, 14n]]);
    const bad = Buffer.concat([idempotentBatch(3n, 0, 0), idempotentBatch(3n, 0, 5)]);
    expect(codeOf(() => s.check(bad, 0n, -1))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(s.entry(3n)).toBeUndefined();
  });

  it('non-idempotent batches in a request only move offsets', () => {
    const s = new ProducerStateManager();
    const plain = encodeBatch({ lastOffsetDelta: 3, recordsCount: 4, records: encodeRecords([0, 1, 2, 3].map(() => ({ value: null }))) });
    const r = s.check(Buffer.concat([plain, idempotentBatch(9n, 0, 0)]), 0n, -1);
    expect(r.kind === 'append' && r.updates).toEqual([expect.objectContaining({ key: 9, firstOffset: 4n, lastOffset: 4n })]);
  });

  it('uses LogAppendTime as the batch timestamp when given', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(1n, 0, 0, 1, { timestamp: 5 }), 0n);
    expect(s.entry(1n)!.lastTimestamp).toBe(5);
    const r = s.check(idempotentBatch(1n, 0, 1, 1, { timestamp: 5 }), 1n, 777);
    expect(r.kind === 'append' && r.updates[0]!.timestamp).toBe(777);
  });

  it('expires producers idle for producer.id.expiration.ms; their next batch starts afresh', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(1n, 0, 0, 1, { timestamp: 1000 }), 0n);
    append(s, idempotentBatch(2n, 0, 0, 1, { timestamp: 5000 }), 1n);
    expect(s.removeExpired(5999, 5000)).toBe(0);
    expect(s.removeExpired(6000, 5000)).toBe(1);
    expect(s.entry(1n)).toBeUndefined();
    expect(s.entry(2n)).toBeDefined();
    expect(append(s, idempotentBatch(1n, 0, 17), 2n).kind).toBe('append');
  });

  it('replays stored batches without validating them', () => {
    const s = new ProducerStateManager();
    const b = idempotentBatch(1n, 0, 5, 2);
    b.writeBigInt64BE(40n, 0);
    s.replay(b, 0);
    const plain = encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, records: encodeRecords([{ value: null }]) });
    s.replay(plain, 0);
    expect(s.size).toBe(1);
    expect(s.entry(1n)!.batches).toMatchObject([{ firstSeq: 5, lastSeq: 6, firstOffset: 40n, lastOffset: 41n, timestamp: 1000 }]);
  });
});

describe('producer snapshot (Kafka format v1)', () => {
  it('round-trips the last batch of each producer', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(1n, 0, 0, 2), 0n);
    append(s, idempotentBatch(1n, 0, 2, 3), 2n);
    append(s, idempotentBatch(99n, 7, INT32_MAX, 3, { timestamp: 1_700_000_000_000 }), 5n);
    const buf = encodeSnapshot(s.entries());
    expect(buf.length).toBe(10 + 2 * 46);
    expect(buf.readInt16BE(0)).toBe(1);
    expect(decodeSnapshot(buf)).toEqual([
      {
        producerId: 1n, epoch: 0, lastTimestamp: 1000, coordinatorEpoch: -1, currentTxnFirstOffset: -1n,
        batches: [{ firstSeq: 2, lastSeq: 4, firstOffset: 2n, lastOffset: 4n, timestamp: 1000 }],
      },
      {
        producerId: 99n,
        epoch: 7,
        lastTimestamp: 1_700_000_000_000,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1n,
        batches: [{ firstSeq: INT32_MAX, lastSeq: 1, firstOffset: 5n, lastOffset: 7n, timestamp: 1_700_000_000_000 }],
      },
    ]);
  });

  it('has the byte layout Kafka writes', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(0x0102030405n, 3, 10, 2, { timestamp: 77 }), 20n);
    const buf = encodeSnapshot(s.entries());
    expect(buf.subarray(6).toString('hex')).toBe(
      [
        '00000001', // one entry
        '0000000102030405', // producer_id
        '0003', // epoch
        '0000000b', // last_sequence 11
        '0000000000000015', // last_offset 21
        '00000001', // offset_delta
        '000000000000004d', // timestamp 77
        'ffffffff', // coordinator_epoch
        'ffffffffffffffff', // current_txn_first_offset
      ].join(''),
    );
  });

  it('rejects a corrupted, truncated or unknown-version file', () => {
    const s = new ProducerStateManager();
    append(s, idempotentBatch(1n, 0, 0), 0n);
    const buf = encodeSnapshot(s.entries());
    const flipped = Buffer.from(buf);
    flipped[20]! ^= 1;
    expect(() => decodeSnapshot(flipped)).toThrow(/CRC/);
    expect(() => decodeSnapshot(buf.subarray(0, buf.length - 1))).toThrow();
    const v2 = Buffer.from(buf);
    v2.writeInt16BE(2, 0);
    expect(() => decodeSnapshot(v2)).toThrow(/version/);
  });

  it('names files by offset in 20 digits', () => {
    expect(snapshotFileName(1742n)).toBe('00000000000000001742.snapshot');
    expect(parseSnapshotOffset('00000000000000001742.snapshot')).toBe(1742n);
    expect(parseSnapshotOffset('00000000000000001742.log')).toBeUndefined();
  });
});

describe('producer ids beyond 2^53', () => {
  it('are tracked exactly, apart from their neighbours', () => {
    const s = new ProducerStateManager();
    const big = 2n ** 62n + 1n;
    append(s, idempotentBatch(big, 0, 0), 0n);
    append(s, idempotentBatch(big + 1n, 0, 7), 1n);
    expect(s.entry(big)!.producerId).toBe(big);
    expect(s.check(idempotentBatch(big, 0, 0), 2n, -1).kind).toBe('duplicate');
    expect(s.check(idempotentBatch(big + 1n, 0, 8), 2n, -1).kind).toBe('append');
    expect(s.entry(2n ** 53n - 1n)).toBeUndefined();
  });
});

describe('ProducerStateManager: transactions', () => {
  it('a transactional batch opens a transaction at its first offset; a marker completes it', () => {
    const s = new ProducerStateManager();
    expect(s.firstUnstableOffset()).toBeUndefined();
    append(s, txnBatch(1n, 0, 0, 2), 10n);
    append(s, txnBatch(1n, 0, 2, 1), 12n);
    expect(s.entry(1n)!.currentTxnFirstOffset).toBe(10n);
    expect(s.firstUnstableOffset()).toBe(10n);
    const r = s.check(markerBatch(1n, 0, false, 3), 13n, -1);
    expect(r.kind).toBe('append');
    const completed = r.kind === 'append' ? s.apply(r.updates[0]!) : undefined;
    expect(completed).toEqual({ producerId: 1n, firstOffset: 10n, lastOffset: 13n, aborted: true, lastStableOffset: 14n });
    expect(s.entry(1n)).toMatchObject({ currentTxnFirstOffset: -1n, coordinatorEpoch: 3 });
    expect(s.firstUnstableOffset()).toBeUndefined();
  });

  it("a completed transaction's LSO is the next open transaction's first offset", () => {
    const s = new ProducerStateManager();
    append(s, txnBatch(1n, 0, 0), 0n);
    append(s, txnBatch(2n, 0, 0), 1n);
    const r = s.check(markerBatch(1n, 0, true), 2n, -1);
    const completed = r.kind === 'append' ? s.apply(r.updates[0]!) : undefined;
    expect(completed).toMatchObject({ firstOffset: 0n, lastOffset: 2n, aborted: false, lastStableOffset: 1n });
    expect(s.firstUnstableOffset()).toBe(1n);
  });

  it('a completed transaction holds the first unstable offset until the high watermark passes its marker', () => {
    const s = new ProducerStateManager();
    append(s, txnBatch(1n, 0, 0), 5n);
    const r = s.check(markerBatch(1n, 0, true), 6n, -1);
    const completed = r.kind === 'append' ? s.apply(r.updates[0]!)! : undefined;
    s.holdUntilWritten(completed!);
    expect(s.firstUnstableOffset()).toBe(5n);
    s.onHighWatermark(6n);
    expect(s.firstUnstableOffset()).toBe(5n);
    s.onHighWatermark(7n);
    expect(s.firstUnstableOffset()).toBeUndefined();
  });

  it('refuses a plain batch inside an open transaction (48) and a marker of an older epoch (47) or coordinator (52)', () => {
    const s = new ProducerStateManager();
    append(s, txnBatch(1n, 2, 0), 0n);
    expect(codeOf(() => s.check(idempotentBatch(1n, 2, 1), 1n, -1))).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(codeOf(() => s.check(markerBatch(1n, 1, true), 1n, -1))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    append(s, markerBatch(1n, 2, true, 5), 1n);
    append(s, txnBatch(1n, 2, 1), 2n);
    expect(codeOf(() => s.check(markerBatch(1n, 2, true, 4), 3n, -1))).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
  });

  it('a marker with a higher epoch fences: the old epoch is refused, the new one starts at sequence 0', () => {
    const s = new ProducerStateManager();
    append(s, txnBatch(1n, 0, 0, 3), 0n);
    append(s, markerBatch(1n, 1, false), 3n);
    expect(s.entry(1n)).toMatchObject({ epoch: 1, batches: [] });
    expect(codeOf(() => s.check(txnBatch(1n, 0, 3), 4n, -1))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(append(s, txnBatch(1n, 1, 0), 4n).kind).toBe('append');
  });

  it('a marker for a producer with no open transaction completes nothing', () => {
    const s = new ProducerStateManager();
    const r = s.check(markerBatch(9n, 0, true), 0n, -1);
    expect(r.kind === 'append' ? s.apply(r.updates[0]!) : 'x').toBeUndefined();
    expect(s.entry(9n)).toMatchObject({ epoch: 0, currentTxnFirstOffset: -1n });
  });

  it('coordinator appends skip the sequence checks but not the epoch check', () => {
    const s = new ProducerStateManager();
    expect(s.check(txnBatch(1n, 3, 0), 0n, -1, 'coordinator').kind).toBe('append');
    append(s, txnBatch(1n, 3, 0), 0n);
    // The same sequence again: a client retry would be a duplicate; a coordinator write is a new append.
    expect(s.check(txnBatch(1n, 3, 0), 1n, -1, 'coordinator').kind).toBe('append');
    expect(codeOf(() => s.check(txnBatch(1n, 2, 0), 1n, -1, 'coordinator'))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('never expires a producer with an open transaction', () => {
    const s = new ProducerStateManager();
    append(s, txnBatch(1n, 0, 0, 1, { timestamp: 0 }), 0n);
    append(s, idempotentBatch(2n, 0, 0, 1, { timestamp: 0 }), 1n);
    expect(s.removeExpired(1_000_000, 1000)).toBe(1);
    expect(s.entry(1n)).toBeDefined();
    expect(s.firstUnstableOffset()).toBe(0n);
  });

  it('replays markers from a stored log and rebuilds the open transactions', () => {
    const s = new ProducerStateManager();
    const stored = (b: Buffer, offset: bigint) => {
      b.writeBigInt64BE(offset, 0);
      return b;
    };
    expect(s.replay(stored(txnBatch(1n, 0, 0, 2), 0n), 0)).toBeUndefined();
    expect(s.replay(stored(txnBatch(2n, 0, 0), 2n), 0)).toBeUndefined();
    expect(s.replay(stored(markerBatch(1n, 0, false), 3n), 0)).toMatchObject({ firstOffset: 0n, lastOffset: 3n, aborted: true, lastStableOffset: 2n });
    expect(s.firstUnstableOffset()).toBe(2n);
  });

  it('snapshots carry the open transaction and the coordinator epoch, and a marker-only producer', () => {
    const s = new ProducerStateManager();
    append(s, txnBatch(1n, 4, 0, 2), 100n);
    append(s, markerBatch(2n, 7, false, 3), 102n);
    const decoded = decodeSnapshot(encodeSnapshot(s.entries()));
    expect(decoded.find((e) => e.producerId === 1n)).toMatchObject({ epoch: 4, currentTxnFirstOffset: 100n, coordinatorEpoch: -1 });
    expect(decoded.find((e) => e.producerId === 2n)).toMatchObject({ epoch: 7, batches: [], currentTxnFirstOffset: -1n, coordinatorEpoch: 3 });
    const t = new ProducerStateManager();
    for (const e of decoded) t.load(e);
    expect(t.firstUnstableOffset()).toBe(100n);
  });
});
