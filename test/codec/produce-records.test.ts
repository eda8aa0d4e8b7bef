import { describe, expect, it } from 'vitest';
import { firstBatch } from '../../src/codec/produce-records.js';
import { buildBatch, Compression, encodeBatch, encodeRecords, MAGIC } from '../../src/codec/record-batch.js';

const batch = (value = 'v') => buildBatch([{ value: Buffer.from(value) }]);

/** The refusal's code, or 0 and the bytes that would be appended. */
const check = (records: Buffer, version = 9) => {
  const r = firstBatch(records, version);
  return r.refusal ? { code: r.refusal.errorCode, message: r.refusal.message } : { code: 0, length: r.batch.length };
};

describe("Produce's records, per partition (Kafka's ProduceRequest.validateRecords)", () => {
  it('one v2 batch passes as is', () => {
    const one = batch();
    expect(check(one)).toEqual({ code: 0, length: one.length });
    expect(firstBatch(one, 9).batch).toBe(one);
  });

  it('a second batch is 87, with Kafka\'s message', () => {
    expect(check(Buffer.concat([batch('a'), batch('b')]), 7)).toEqual({
      code: 87, message: 'Produce requests with version 7 are only allowed to contain exactly one record batch per partition',
    });
  });

  it('no batch at all is 87', () => {
    expect(check(Buffer.alloc(0)).code).toBe(87);
    expect(check(batch().subarray(0, 40))).toMatchObject({ code: 87, message: expect.stringContaining('at least one record batch') });
  });

  it('magic 0 or 1 is 87; a magic outside 0..2 or a length below 14 is 2', () => {
    const old = batch();
    old.writeInt8(1, MAGIC);
    expect(check(old)).toMatchObject({ code: 87, message: expect.stringContaining('magic version 2') });
    const bad = batch();
    bad.writeInt8(3, MAGIC);
    expect(check(bad).code).toBe(2);
    const short = batch();
    short.writeInt32BE(13, 8);
    expect(check(short).code).toBe(2);
  });

  it('a corrupt second header is 2, like a corrupt first one', () => {
    const second = batch();
    second.writeInt8(-1, MAGIC);
    expect(check(Buffer.concat([batch(), second])).code).toBe(2);
  });

  it('zstd needs v7', () => {
    const zstd = encodeBatch({ attributes: Compression.zstd, lastOffsetDelta: 0, recordsCount: 1, records: encodeRecords([{ value: null }]) });
    expect(check(zstd, 6).code).toBe(76);
    expect(check(zstd, 7).code).toBe(0);
  });

  it('versions 0-2 are not checked (Kafka leaves message sets of magic 0/1 to the log)', () => {
    const two = Buffer.concat([batch('a'), batch('b')]);
    expect(firstBatch(two, 2).batch).toBe(two);
  });

  it('partial bytes after the batch are dropped, not a second batch', () => {
    const one = batch();
    for (const tail of [Buffer.alloc(5), batch().subarray(0, 20), batch().subarray(0, one.length - 1)]) {
      expect(check(Buffer.concat([one, tail]))).toEqual({ code: 0, length: one.length });
    }
  });
});
