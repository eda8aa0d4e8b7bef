/**
 * The CPU half of a cleaning pass, after Kafka's Cleaner (buildOffsetMap, cleanInto) and the
 * RecordFilter it hands to MemoryRecords.filterTo: everything that decompresses, parses records,
 * hashes keys, re-encodes and checksums batches. Sans-io — it sees chunks of segment bytes and
 * returns bytes — so it runs the same on the event loop (tests) or in a worker thread
 * (worker.ts), where it keeps the offset map between calls.
 *
 * A pass has two phases:
 * 1. `beginMap` / `mapChunk`: the dirty section's records, key → last offset, until the map is as
 *    full as log.cleaner.io.buffer.load.factor allows (then the pass cleans only up to there).
 * 2. `beginFilter` / `filterChunk`: every batch from the start of the log to the end of the mapped
 *    section, decided batch by batch and record by record (`filterBatch`); the output is what the
 *    cleaned segments hold. Offsets never change: a removed record leaves a gap.
 */
import { compress, decompress } from '../../codec/compression.js';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_TIMESTAMP,
  BATCH_LENGTH,
  batchSizeAt,
  Compression,
  COMPRESSION_MASK,
  compressionOf,
  computeCrc,
  CRC,
  CURRENT_MAGIC,
  HEADER_SIZE,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  RECORDS,
  RECORDS_COUNT,
  TIMESTAMP_TYPE_BIT,
  varlongSize,
  writeVarlong,
} from '../../codec/record-batch.js';
import { SkimpyOffsetMap } from './offset-map.js';
import { controlTypeOf, DELETE_HORIZON_BIT, forEachRecord, readBatchView, recordsSectionOf, type BatchView, type RecordView } from './records.js';
import { CleanedTransactionMetadata, type AbortedTxn } from './transactions.js';

export interface MapJob {
  /** This cleaner's share of log.cleaner.dedupe.buffer.size. */
  memoryBytes: number;
  /** log.cleaner.io.buffer.load.factor: how full the map may become. */
  loadFactor: number;
  /** The first dirty offset: records before it are not mapped. */
  startOffset: number;
  /** Aborted transactions overlapping the dirty section: their records are not mapped. */
  aborted: AbortedTxn[];
}

export interface ChunkProgress {
  /** Bytes of the chunk handled (whole batches). */
  consumed: number;
  /** When no whole batch fitted: the size of the one at the chunk's start, to read whole next time. */
  needBytes: number;
}

export interface MapChunkResult extends ChunkProgress {
  /** The map is full: the pass cleans up to its latest offset only. */
  full: boolean;
}

export interface MapSummary {
  /** The last offset the map covers; the pass cleans [0, latestOffset + 1). */
  latestOffset: number;
  keys: number;
  /** Share of the map's capacity in use. */
  utilization: number;
}

/** An idempotent or transactional producer still tracked by the log (Kafka's lastRecordsOfActiveProducers). */
export interface ActiveProducer {
  producerId: bigint;
  /** The last offset of its last data batch, when it has one. */
  lastDataOffset: number | undefined;
  epoch: number;
}

export interface FilterJob {
  /** The time the pass started: delete horizons are compared with it. */
  now: number;
  /** delete.retention.ms: how long a tombstone or marker is kept after the pass that first saw it. */
  deleteRetentionMs: number;
  /** The end of the mapped section: the batch ending there is kept even if empty. */
  upperBoundOffset: number;
  activeProducers: ActiveProducer[];
  /** Aborted transactions overlapping the cleaned range. */
  aborted: AbortedTxn[];
}

export interface FilterStats {
  messagesRead: number;
  bytesRead: number;
  messagesRetained: number;
  bytesRetained: number;
  /** Records without a key: a compacted log cannot hold them (Kafka counts and drops them too). */
  invalidMessages: number;
}

export interface FilterChunkResult extends ChunkProgress {
  /** The kept batches, whole, ready to append to the cleaned segment. */
  output: Buffer;
  stats: FilterStats;
  /** Aborted transactions whose ABORT marker was kept in `output` (entries for the cleaned `.txnindex`). */
  retainedAborted: AbortedTxn[];
}

/** Kafka's BatchRetention: drop without looking at the records, keep even when empty, or drop when empty. */
const enum Retention {
  Delete,
  RetainEmpty,
  DeleteEmpty,
}

/**
 * Walks the whole batches at the start of `chunk`: calls `visit` for each, returns how far it got
 * and, when not even one batch fitted, that batch's size.
 */
function forEachWholeBatch(chunk: Buffer, visit: (batch: BatchView) => boolean): ChunkProgress {
  let pos = 0;
  while (pos + LOG_OVERHEAD <= chunk.length) {
    const size = batchSizeAt(chunk, pos);
    if (size < HEADER_SIZE) throw new RangeError(`batch at byte ${pos} of the chunk claims ${size} bytes`);
    if (pos + size > chunk.length) return { consumed: pos, needBytes: pos === 0 ? size : 0 };
    if (!visit(readBatchView(chunk, pos))) return { consumed: pos, needBytes: 0 };
    pos += size;
  }
  return { consumed: pos, needBytes: pos === 0 && chunk.length > 0 ? LOG_OVERHEAD : 0 };
}

/** The uncompressed records section of a batch. */
const recordsOf = (chunk: Buffer, batch: BatchView): Buffer => decompress(compressionOf(batch.attributes), recordsSectionOf(chunk, batch));

export class CleanerCore {
  private map: SkimpyOffsetMap | undefined;
  private mapJob: MapJob | undefined;
  private mapTxns = new CleanedTransactionMetadata();
  private filterJob: FilterJob | undefined;
  private filterTxns = new CleanedTransactionMetadata();
  private activeProducers = new Map<bigint, ActiveProducer>();

  // ------------------------------------------------------------------------------------------ map

  beginMap(job: MapJob): void {
    if (!this.map || this.map.slots !== Math.max(1, Math.floor(job.memoryBytes / 24))) this.map = new SkimpyOffsetMap(job.memoryBytes);
    else this.map.clear();
    this.mapJob = job;
    this.mapTxns = new CleanedTransactionMetadata();
    this.mapTxns.addAbortedTransactions(job.aborted);
  }

  /** Kafka's buildOffsetMapForSegment, one chunk at a time: stops when the map is full. */
  mapChunk(chunk: Buffer): MapChunkResult {
    const map = this.map!;
    const { startOffset, loadFactor } = this.mapJob!;
    const maxKeys = Math.floor(map.slots * loadFactor);
    let full = false;
    const progress = forEachWholeBatch(chunk, (batch) => {
      if (batch.isControl) {
        this.mapTxns.onControlBatch(batch.producerId, batch.lastOffset, controlTypeOf(recordsOf(chunk, batch), batch.recordsCount));
      } else if (!this.mapTxns.onBatch(batch.producerId, batch.lastOffset, batch.isTransactional)) {
        // Records of an aborted transaction are never the latest value of anything: not mapped.
        const section = recordsOf(chunk, batch);
        forEachRecord(section, batch.recordsCount, (r) => {
          const offset = batch.baseOffset + r.offsetDelta;
          if (full || r.keyStart < 0 || offset < startOffset) return;
          if (map.size < maxKeys) map.put(section, r.keyStart, r.keyEnd, offset);
          else full = true;
        });
        // A full map ends the section here: the rest of this batch is not mapped.
        if (full) return false;
      }
      if (batch.lastOffset >= startOffset) map.updateLatestOffset(batch.lastOffset);
      return true;
    });
    return { ...progress, full };
  }

  /** A segment was mapped to its end: the map covers everything before the next one (gaps included). */
  mapSegmentDone(nextSegmentStartOffset: number): void {
    this.map!.updateLatestOffset(nextSegmentStartOffset - 1);
  }

  mapSummary(): MapSummary {
    const map = this.map!;
    return { latestOffset: map.latestOffset, keys: map.size, utilization: map.utilization };
  }

  // ------------------------------------------------------------------------------------------ filter

  beginFilter(job: FilterJob): void {
    this.filterJob = job;
    this.filterTxns = new CleanedTransactionMetadata();
    this.filterTxns.addAbortedTransactions(job.aborted);
    this.activeProducers = new Map(job.activeProducers.map((p) => [p.producerId, p]));
  }

  /** Kafka's cleanInto for one chunk: the kept batches of the whole batches at its start. */
  filterChunk(chunk: Buffer): FilterChunkResult {
    const stats: FilterStats = { messagesRead: 0, bytesRead: 0, messagesRetained: 0, bytesRetained: 0, invalidMessages: 0 };
    const parts: Buffer[] = [];
    const progress = forEachWholeBatch(chunk, (batch) => {
      stats.bytesRead += batch.size;
      const kept = this.filterBatch(chunk, batch, stats);
      if (kept) {
        parts.push(kept);
        stats.bytesRetained += kept.length;
      }
      return true;
    });
    return { ...progress, output: concatUnpooled(parts), stats, retainedAborted: this.filterTxns.takeRetainedAborted() };
  }

  /** Kafka's RecordFilter.checkBatchRetention: what may happen to a batch before its records are looked at. */
  private batchRetention(batch: BatchView, section: Buffer | undefined): { retention: Retention; discardRecords: boolean; markerForEmptyTxn: boolean } {
    const { now, upperBoundOffset } = this.filterJob!;
    const canDiscard = batch.isControl
      ? this.filterTxns.onControlBatch(batch.producerId, batch.lastOffset, controlTypeOf(section!, batch.recordsCount))
      : this.filterTxns.onBatch(batch.producerId, batch.lastOffset, batch.isTransactional);
    // A marker that may go still waits for its delete horizon, set by the pass that first found it so.
    const discardRecords = batch.isControl ? canDiscard && batch.deleteHorizonMs !== undefined && batch.deleteHorizonMs <= now : canDiscard;
    const retention =
      batch.producerId >= 0n && this.isLastBatchOfActiveProducer(batch)
        ? Retention.RetainEmpty // it holds the producer's last sequence (or epoch): idempotence needs it
        : batch.lastOffset + 1 === upperBoundOffset
          ? Retention.RetainEmpty // the last offset of the cleaned section must survive the pass
          : discardRecords
            ? Retention.Delete
            : Retention.DeleteEmpty;
    return { retention, discardRecords, markerForEmptyTxn: canDiscard && batch.isControl };
  }

  private isLastBatchOfActiveProducer(batch: BatchView): boolean {
    const last = this.activeProducers.get(batch.producerId);
    if (!last) return false;
    return last.lastDataOffset !== undefined ? batch.lastOffset === last.lastDataOffset : batch.isControl && batch.producerEpoch === last.epoch;
  }

  /** Kafka's Cleaner.shouldRetainRecord: the latest value of its key, or a tombstone not yet past its horizon. */
  private retainRecord(batch: BatchView, section: Buffer, r: RecordView, stats: FilterStats): boolean {
    const map = this.map!;
    const offset = batch.baseOffset + r.offsetDelta;
    if (offset > map.latestOffset) return true; // not mapped: beyond what this pass may judge
    if (r.keyStart < 0) {
      stats.invalidMessages++;
      return false;
    }
    const latest = offset >= map.get(section, r.keyStart, r.keyEnd);
    const keepTombstone = batch.deleteHorizonMs === undefined || this.filterJob!.now < batch.deleteHorizonMs;
    return latest && (r.hasValue || keepTombstone);
  }

  /** One batch through the filter (Kafka's MemoryRecords.filterTo): its bytes to keep, or undefined. */
  private filterBatch(chunk: Buffer, batch: BatchView, stats: FilterStats): Buffer | undefined {
    const section = recordsOf(chunk, batch);
    const { retention, discardRecords, markerForEmptyTxn } = this.batchRetention(batch, batch.isControl ? section : undefined);
    if (retention === Retention.Delete) return undefined;
    const kept: RecordView[] = [];
    let tombstones = false;
    forEachRecord(section, batch.recordsCount, (r) => {
      stats.messagesRead++;
      const keep = discardRecords ? false : batch.isControl ? true : this.retainRecord(batch, section, r, stats);
      if (!keep) return;
      kept.push({ ...r });
      if (!r.hasValue) tombstones = true;
    });
    stats.messagesRetained += kept.length;
    if (kept.length > 0) {
      // A batch with tombstones (or a marker that may go) gets its delete horizon the first time it
      // is cleaned: now + delete.retention.ms, in baseTimestamp, flagged in the attributes.
      const setHorizon = (tombstones || markerForEmptyTxn) && batch.deleteHorizonMs === undefined;
      if (kept.length === batch.recordsCount && !setHorizon) return chunk.subarray(batch.position, batch.position + batch.size);
      return rebuildBatch(chunk, batch, section, kept, setHorizon ? this.filterJob!.now + this.filterJob!.deleteRetentionMs : undefined);
    }
    if (retention === Retention.RetainEmpty) return emptyBatch(chunk, batch);
    return undefined;
  }
}

/** Concatenates into a buffer of its own (not Node's shared pool), so it can be transferred to another thread. */
export function concatUnpooled(parts: readonly Buffer[]): Buffer {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = Buffer.allocUnsafeSlow(total);
  let pos = 0;
  for (const p of parts) pos += p.copy(out, pos);
  return out;
}

/** Writes a v2 header over out[0, 61) for a batch of `out.length` bytes, then its CRC. */
function writeHeader(
  out: Buffer,
  src: Buffer,
  batch: BatchView,
  fields: { attributes: number; baseTimestamp: number; maxTimestamp: number; recordsCount: number },
): Buffer {
  // Base offset, leader epoch, last offset delta, producer id, epoch and base sequence stay as they were.
  src.copy(out, 0, batch.position + BASE_OFFSET, batch.position + HEADER_SIZE);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH);
  out.writeInt8(CURRENT_MAGIC, MAGIC);
  out.writeInt16BE(fields.attributes, ATTRIBUTES);
  out.writeBigInt64BE(BigInt(fields.baseTimestamp), BASE_TIMESTAMP);
  out.writeBigInt64BE(BigInt(fields.maxTimestamp), MAX_TIMESTAMP);
  out.writeInt32BE(fields.recordsCount, RECORDS_COUNT);
  out.writeUInt32BE(computeCrc(out, 0, out.length), CRC);
  return out;
}

/**
 * The batch with only the `kept` records, as Kafka's buildRetainedRecordsInto: same base offset and
 * last offset delta (so the producer's last sequence survives), producer fields, leader epoch and
 * codec; maxTimestamp recomputed from the kept records (CreateTime). With a new delete horizon the
 * records are re-encoded against it as baseTimestamp; otherwise their bytes are copied unchanged.
 * Tafka has no zstd compressor, so a zstd batch that must be rewritten is stored uncompressed.
 */
function rebuildBatch(src: Buffer, batch: BatchView, section: Buffer, kept: readonly RecordView[], newHorizon: number | undefined): Buffer {
  const baseTimestamp = newHorizon ?? batch.baseTimestamp;
  const parts: Buffer[] = [];
  let maxTimestamp = -1;
  for (const r of kept) {
    const timestamp = batch.baseTimestamp + r.timestampDelta;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    if (newHorizon === undefined) {
      parts.push(section.subarray(r.start, r.end));
      continue;
    }
    // Same record, timestamp delta now against the horizon: length, attributes, new delta, the rest.
    const delta = timestamp - newHorizon;
    const rest = section.subarray(r.restStart, r.end);
    const bodyLength = 1 + varlongSize(delta) + rest.length;
    const out = Buffer.allocUnsafe(varlongSize(bodyLength) + bodyLength);
    let pos = writeVarlong(out, 0, bodyLength);
    out[pos++] = section[r.attributesPos]!;
    pos = writeVarlong(out, pos, delta);
    rest.copy(out, pos);
    parts.push(out);
  }
  let codec = compressionOf(batch.attributes);
  const records = concatUnpooled(parts);
  let body: Buffer;
  if (codec === Compression.zstd) {
    codec = Compression.none;
    body = records;
  } else {
    body = compress(codec, records, CURRENT_MAGIC);
  }
  const logAppendTime = (batch.attributes & TIMESTAMP_TYPE_BIT) !== 0;
  let attributes = (batch.attributes & ~COMPRESSION_MASK) | codec;
  if (newHorizon !== undefined) attributes |= DELETE_HORIZON_BIT;
  const out = Buffer.allocUnsafeSlow(HEADER_SIZE + body.length);
  body.copy(out, RECORDS);
  return writeHeader(out, src, batch, {
    attributes,
    baseTimestamp,
    maxTimestamp: logAppendTime ? batch.maxTimestamp : maxTimestamp,
    recordsCount: kept.length,
  });
}

/**
 * A header without records (Kafka's writeEmptyHeader): it keeps the batch's offsets and producer
 * fields when its records are gone — the last batch of an active producer, or of the cleaned section.
 */
function emptyBatch(src: Buffer, batch: BatchView): Buffer {
  const out = Buffer.allocUnsafeSlow(HEADER_SIZE);
  // Only the timestamp type, transactional and control bits survive; no codec, no horizon.
  const attributes = batch.attributes & ~COMPRESSION_MASK & ~DELETE_HORIZON_BIT;
  return writeHeader(out, src, batch, { attributes, baseTimestamp: -1, maxTimestamp: batch.maxTimestamp, recordsCount: 0 });
}
