import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { checkBatchIntegrity, Compression, encodeBatch, encodeRecords, maxTimestampAt, TIMESTAMP_TYPE_BIT } from '../../src/codec/record-batch.js';
import { defaultLogConfig, NEVER } from '../../src/config/log-config.js';
import { RecordValidationError, validateRecords, type TimestampPolicy } from '../../src/log/timestamp-validation.js';
import { timedBatch } from './helpers.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const kafka4: TimestampPolicy = defaultLogConfig; // before unbounded, after one hour, CreateTime
const policy = (p: Partial<TimestampPolicy>): TimestampPolicy => ({ ...kafka4, ...p });

function refusal(run: () => void): RecordValidationError {
  try {
    run();
  } catch (err) {
    if (err instanceof RecordValidationError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('timestamp validation (the timestamp half of Kafka\'s LogValidator)', () => {
  it('Kafka 4 defaults: a correct header is judged without reading a record', () => {
    // The records section is garbage, but the header is consistent: nothing reads the records.
    const batch = encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, baseTimestamp: NOW - 10 * HOUR, maxTimestamp: NOW, records: Buffer.from([0xff, 0xff]) });
    expect(() => validateRecords(batch, 0, kafka4, NOW)).not.toThrow();
    expect(maxTimestampAt(batch, 0)).toBe(NOW);
  });

  it.each([
    ['-1', -1],
    ['below baseTimestamp', NOW - 5000],
  ])('recomputes a maxTimestamp of %s from the records and rewrites the header and CRC', (_, sent) => {
    const batch = timedBatch([NOW - 3000, NOW - 1000, NOW - 2000], { maxTimestamp: sent });
    validateRecords(batch, 0, kafka4, NOW);
    expect(maxTimestampAt(batch, 0)).toBe(NOW - 1000);
    expect(checkBatchIntegrity(batch)).toBe(0);
  });

  it('repairs a compressed batch too', () => {
    const batch = timedBatch([NOW - 3000, NOW - 1000], { maxTimestamp: -1, attributes: Compression.gzip, compress: (b) => gzipSync(b) });
    validateRecords(batch, 0, kafka4, NOW);
    expect(maxTimestampAt(batch, 0)).toBe(NOW - 1000);
    expect(checkBatchIntegrity(batch)).toBe(0);
  });

  it('after.max.ms (default one hour): 32 with a record error for each record too far ahead', () => {
    const batch = timedBatch([NOW, NOW + 2 * HOUR, NOW + 10, NOW + 3 * HOUR]);
    const err = refusal(() => validateRecords(batch, 0, kafka4, NOW));
    expect(err.errorCode).toBe(32);
    expect(err.message).toBe('One or more records have been rejected due to invalid timestamp');
    expect(err.recordErrors.map((e) => e.batchIndex)).toEqual([1, 3]);
    expect(err.recordErrors[0]!.batchIndexErrorMessage).toBe(
      `Timestamp ${NOW + 2 * HOUR} of message with offset 1 is out of range. The timestamp should be within [${NOW - NEVER}, ${NOW + HOUR}]`,
    );
    // Exactly at the bound is accepted, as Kafka (now - ts > bound refuses).
    expect(() => validateRecords(timedBatch([NOW + HOUR]), 0, kafka4, NOW)).not.toThrow();
  });

  it('before.max.ms set: records older than the bound are refused, even when the header looks fine', () => {
    const batch = timedBatch([NOW, NOW - 2 * HOUR, NOW - 10]);
    expect(() => validateRecords(batch, 0, kafka4, NOW)).not.toThrow();
    const err = refusal(() => validateRecords(batch, 0, policy({ messageTimestampBeforeMaxMs: HOUR }), NOW));
    expect(err.recordErrors.map((e) => e.batchIndex)).toEqual([1]);
  });

  it('records without a timestamp (-1) are not range-checked', () => {
    const tight = policy({ messageTimestampBeforeMaxMs: 0, messageTimestampAfterMaxMs: 0 });
    expect(() => validateRecords(timedBatch([-1, -1], { maxTimestamp: -1 }), 0, tight, NOW)).not.toThrow();
  });

  it('a header that over-promises is corrected once the records are read', () => {
    // maxTimestamp is beyond the bound, but no record is: accepted, with the true maximum written back.
    const batch = timedBatch([NOW, NOW + 10], { maxTimestamp: NOW + 2 * HOUR });
    validateRecords(batch, 0, kafka4, NOW);
    expect(maxTimestampAt(batch, 0)).toBe(NOW + 10);
  });

  it('a client-set LogAppendTime: refused on a LogAppendTime topic and without a timestamp; otherwise checked and stored as CreateTime', () => {
    const lat = () => timedBatch([NOW - 5, NOW - 1], { attributes: TIMESTAMP_TYPE_BIT, maxTimestamp: NOW - 1 });
    const onLat = refusal(() => validateRecords(lat(), 0, policy({ messageTimestampType: 'LogAppendTime' }), NOW));
    expect(onLat.recordErrors.map((e) => e.batchIndex)).toEqual([0, 1]);
    for (const maxTimestamp of [-1, NOW + 2 * HOUR]) {
      const batch = timedBatch([NOW], { attributes: TIMESTAMP_TYPE_BIT, maxTimestamp });
      expect(refusal(() => validateRecords(batch, 0, kafka4, NOW)).errorCode).toBe(32);
    }
    const batch = lat();
    validateRecords(batch, 0, kafka4, NOW);
    expect(batch.readInt16BE(21) & TIMESTAMP_TYPE_BIT).toBe(0);
    expect(maxTimestampAt(batch, 0)).toBe(NOW - 1);
    expect(checkBatchIntegrity(batch)).toBe(0);
  });

  it('LogAppendTime topics skip the range checks (the broker stamps the time)', () => {
    const lat = policy({ messageTimestampType: 'LogAppendTime', messageTimestampBeforeMaxMs: 0, messageTimestampAfterMaxMs: 0 });
    expect(() => validateRecords(timedBatch([NOW + 5 * HOUR]), 0, lat, NOW)).not.toThrow();
  });

  it('records that do not parse, when they must be read, are 87', () => {
    const batch = encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, baseTimestamp: NOW, maxTimestamp: -1, records: Buffer.from([0xff, 0xff]) });
    expect(() => validateRecords(batch, 0, kafka4, NOW)).toThrow(expect.objectContaining({ errorCode: 87 }));
  });
});

describe('keys on a compacted topic (LogValidator.validateKey)', () => {
  const compacted = { ...kafka4, compact: true };
  const keyed = (keys: (string | null)[], timestamps = keys.map(() => NOW)) =>
    encodeBatch({
      lastOffsetDelta: keys.length - 1, recordsCount: keys.length, baseTimestamp: timestamps[0], maxTimestamp: Math.max(...timestamps),
      records: encodeRecords(keys.map((k, i) => ({ key: k === null ? null : Buffer.from(k), value: Buffer.from('v'), timestampDelta: timestamps[i]! - timestamps[0]! }))),
    });

  it('refuses records without a key with 87 and one record error each, naming the partition as Kafka does', () => {
    const err = refusal(() => validateRecords(keyed(['a', null, 'c', null]), 0, compacted, NOW, 'changelog-3'));
    expect(err.errorCode).toBe(87);
    const message = 'Compacted topic cannot accept message without key in topic partition changelog-3';
    expect(err.recordErrors).toEqual([{ batchIndex: 1, batchIndexErrorMessage: message }, { batchIndex: 3, batchIndexErrorMessage: message }]);
    expect(err.message).toBe(
      `One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${message}'), RecordError(batchIndex=3, message='${message}')]`,
    );
  });

  it('accepts keyed records, compressed ones too, and keyless ones on a topic that is not compacted', () => {
    expect(() => validateRecords(keyed(['a', 'b']), 0, compacted, NOW)).not.toThrow();
    expect(() => validateRecords(timedBatch([NOW, NOW]), 0, kafka4, NOW)).not.toThrow(); // key: null
    const records = encodeRecords([{ key: null, value: Buffer.from('x') }]);
    const gz = encodeBatch({ attributes: Compression.gzip, lastOffsetDelta: 0, recordsCount: 1, baseTimestamp: NOW, records: gzipSync(records) });
    expect(refusal(() => validateRecords(gz, 0, compacted, NOW)).errorCode).toBe(87);
  });

  it('walks the records only when compacted: unreadable records pass a plain topic on a good header, not a compacted one', () => {
    const batch = encodeBatch({ lastOffsetDelta: 0, recordsCount: 1, baseTimestamp: NOW, maxTimestamp: NOW, records: Buffer.from([0xff, 0xff]) });
    expect(() => validateRecords(batch, 0, kafka4, NOW)).not.toThrow();
    expect(() => validateRecords(batch, 0, compacted, NOW)).toThrow(expect.objectContaining({ errorCode: 87, message: expect.stringContaining('invalid record structure') }));
  });

  it('one walk for both checks: a refused timestamp makes it 32, listing the keyless records too (Kafka\'s processRecordErrors)', () => {
    const err = refusal(() => validateRecords(keyed([null, 'b'], [NOW, NOW + 2 * HOUR]), 0, compacted, NOW, 't-0'));
    expect(err.errorCode).toBe(32);
    expect(err.recordErrors.map((e) => e.batchIndex)).toEqual([0, 1]);
    expect(err.recordErrors[0]!.batchIndexErrorMessage).toContain('without key');
    expect(err.recordErrors[1]!.batchIndexErrorMessage).toContain('out of range');
  });

  it('LogAppendTime compacted topics still check keys', () => {
    const lat = { ...compacted, messageTimestampType: 'LogAppendTime' as const };
    expect(refusal(() => validateRecords(keyed([null]), 0, lat, NOW)).errorCode).toBe(87);
    expect(() => validateRecords(keyed(['k']), 0, lat, NOW)).not.toThrow();
  });
});
