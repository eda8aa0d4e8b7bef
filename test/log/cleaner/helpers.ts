/**
 * Helpers for the cleaner's tests: keyed batches, a compacted log under a manual clock, reading a
 * whole log back record by record, and the model compaction must match.
 */
import { ManualClock } from '../../support/manual-clock.js';
import { decompress } from '../../../src/codec/compression.js';
import { batchSizeAt, compressionOf, decodeRecords, encodeBatch, encodeRecords, readBatchHeader, RECORDS } from '../../../src/codec/record-batch.js';
import type { LogConfig } from '../../../src/config/log-config.js';
import { LogManager } from '../../../src/log/log-manager.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import type { Storage } from '../../../src/log/storage.js';
import { defaultLogCleanerConfig, type LogCleanerConfig } from '../../../src/log/cleaner/log-cleaner.js';
import { testConfig } from '../helpers.js';

export const TOPIC = 'changelog';
export const DIR = `${TOPIC}-0`;

/** An update: a key and its value (null: a tombstone). */
export interface Update {
  key: string;
  value: string | null;
}

/** One uncompressed client batch of keyed records, timestamps `timestamp` (+ index). */
export function keyedBatch(updates: readonly Update[], timestamp: number, opts: { attributes?: number; compress?: (b: Buffer) => Buffer } = {}): Buffer {
  const records = encodeRecords(updates.map((u, i) => ({ key: Buffer.from(u.key), value: u.value === null ? null : Buffer.from(u.value), timestampDelta: i })));
  return encodeBatch({
    attributes: opts.attributes ?? 0,
    lastOffsetDelta: updates.length - 1,
    recordsCount: updates.length,
    baseTimestamp: timestamp,
    maxTimestamp: timestamp + updates.length - 1,
    records: opts.compress ? opts.compress(records) : records,
  });
}

/** The log settings of a compacted topic with small segments, cleaned whenever anything is dirty. */
export const compactedConfig = (overrides: Partial<LogConfig> = {}): LogConfig =>
  testConfig({ compact: true, retentionMs: -1, retentionBytes: -1, segmentBytes: 16 * 1024, minCleanableRatio: 0, ...overrides });

export const cleanerSettings = (overrides: Partial<LogCleanerConfig> = {}): LogCleanerConfig => ({ ...defaultLogCleanerConfig, ...overrides });

/** A log manager with a cleaner whose passes the test runs itself (`manager.cleaner!.cleanFilthiestLog()`). */
export function openCleaningManager(storage: Storage, config: LogConfig, clock: ManualClock, cleaner = cleanerSettings()): Promise<LogManager> {
  return LogManager.open({
    storage, config, clock,
    retentionCheckIntervalMs: 1e9, checkpointIntervalMs: 1e9, producerIdExpirationCheckIntervalMs: 1e9,
    cleaner: { config: () => cleaner, executors: 'inline', start: false },
  });
}

export interface StoredRecord {
  offset: bigint;
  key: string | null;
  value: string | null;
  timestamp: number;
}

/** Every record the log serves from its start, in offset order, through `read` (what Fetch sends). */
export async function readRecords(log: PartitionLog): Promise<{ records: StoredRecord[]; batches: number; emptyBatches: number }> {
  const records: StoredRecord[] = [];
  let batches = 0;
  let emptyBatches = 0;
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const { records: bytes } = await log.read(offset, 64 * 1024);
    if (bytes.length === 0) break;
    for (let pos = 0; pos < bytes.length; pos += batchSizeAt(bytes, pos)) {
      const h = readBatchHeader(bytes, pos)!;
      batches++;
      if (h.recordsCount === 0) emptyBatches++;
      const section = decompress(compressionOf(h.attributes), bytes.subarray(pos + RECORDS, pos + h.size));
      for (const r of decodeRecords(section, h.recordsCount)) {
        const at = h.baseOffset + BigInt(r.offsetDelta);
        if (at < offset) continue;
        records.push({ offset: at, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: h.baseTimestamp + r.timestampDelta });
      }
      offset = h.baseOffset + BigInt(h.lastOffsetDelta) + 1n;
    }
  }
  return { records, batches, emptyBatches };
}

/** The last record of each key among `records` (tombstones included). */
export function latestByKey(records: readonly StoredRecord[]): Map<string, StoredRecord> {
  const out = new Map<string, StoredRecord>();
  for (const r of records) if (r.key !== null) out.set(r.key, r);
  return out;
}

export { ManualClock };
