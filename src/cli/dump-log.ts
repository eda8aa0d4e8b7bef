/**
 * `tafka dump-log FILE...`: prints segment files the way Kafka's kafka-dump-log.sh does, so the two
 * can be compared line by line. Works on Tafka's and Apache Kafka's files alike: `.log` segments
 * (with --print-data-log their records; transaction markers as `endTxnMarker: COMMIT`), `.index`,
 * `.timeindex` and `.txnindex` files, and with --transaction-log-decoder (automatic for files in a
 * `__transaction_state-N` directory) the transaction coordinator's records.
 */
import { basename, dirname } from 'node:path';
import type { CommandModule } from 'yargs';
import {
  checkBatchIntegrity,
  COMPRESSION_NAMES,
  compressionOf,
  CONTROL_BIT,
  decodeRecords,
  readBatchHeader,
  RECORDS,
  TRANSACTIONAL_BIT,
  type BatchHeader,
  type DecodedRecord,
} from '../codec/record-batch.js';
import { readMarker } from '../codec/control-record.js';
import { scanBatches } from '../log/batch-scan.js';
import { FileStorage } from '../log/file-storage.js';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX } from '../log/segment.js';
import { OffsetIndex, TimeIndex } from '../log/sparse-index.js';
import { decompress } from '../codec/compression.js';
import { decodeAbortedTxns, TXN_INDEX_SUFFIX } from '../log/txn-index.js';
import { TRANSACTION_STATE_TOPIC } from '../topics/internal.js';
import { decodeTransactionLogRecord, partitionList } from '../txn/records.js';
import { stateOfId } from '../txn/state.js';

export interface DumpLogOptions {
  /** Decode and print each record's key, value and headers. */
  printDataLog?: boolean;
  /** Decode records as `__transaction_state` records (implied for files of that topic). */
  transactionLogDecoder?: boolean;
}

const DELETE_HORIZON_BIT = 0x40;
const CHUNK = 8 * 1024 * 1024;

/** The segment's base offset, from its 20-digit file name (0 when the name is not one). */
function baseOffsetOf(file: string): bigint {
  const m = /^(\d{20})\./.exec(basename(file));
  return m ? BigInt(m[1]!) : 0n;
}

export async function dumpLog(files: string[], opts: DumpLogOptions, write: (line: string) => void): Promise<void> {
  for (const file of files) {
    write(`Dumping ${file}`);
    if (file.endsWith(LOG_SUFFIX)) await dumpSegment(file, opts, write);
    else if (file.endsWith(INDEX_SUFFIX)) await dumpIndex(file, write, 'offset');
    else if (file.endsWith(TIME_INDEX_SUFFIX)) await dumpIndex(file, write, 'time');
    else if (file.endsWith(TXN_INDEX_SUFFIX)) await dumpTxnIndex(file, write);
    else write(`Ignoring unknown file ${file}`);
  }
}

async function openFile(file: string) {
  return new FileStorage(dirname(file)).open('', basename(file), false);
}

async function dumpIndex(file: string, write: (line: string) => void, kind: 'offset' | 'time'): Promise<void> {
  const f = await openFile(file);
  try {
    const bytes = await f.read(0, f.size);
    const base = baseOffsetOf(file);
    if (kind === 'offset') {
      const index = new OffsetIndex(bytes.length + 8, bytes);
      for (let i = 0; i < index.entries; i++) {
        const e = index.entry(i);
        write(`offset: ${base + BigInt(e.relativeOffset)} position: ${e.position}`);
      }
    } else {
      const index = new TimeIndex(bytes.length + 12, bytes);
      for (let i = 0; i < index.entries; i++) {
        const e = index.entry(i);
        write(`timestamp: ${e.timestamp} offset: ${base + BigInt(e.relativeOffset)}`);
      }
    }
  } finally {
    await f.close();
  }
}

/** Kafka's format for `.txnindex` entries. */
async function dumpTxnIndex(file: string, write: (line: string) => void): Promise<void> {
  const f = await openFile(file);
  try {
    for (const t of decodeAbortedTxns(await f.read(0, f.size))) {
      write(`version: 0 producerId: ${t.producerId} firstOffset: ${t.firstOffset} lastOffset: ${t.lastOffset} lastStableOffset: ${t.lastStableOffset}`);
    }
  } finally {
    await f.close();
  }
}

async function dumpSegment(file: string, opts: DumpLogOptions, write: (line: string) => void): Promise<void> {
  const f = await openFile(file);
  const txnLog = opts.transactionLogDecoder || basename(dirname(file)).startsWith(`${TRANSACTION_STATE_TOPIC}-`);
  try {
    let next = baseOffsetOf(file);
    write(`Log starting offset: ${next}`);
    const scan = await scanBatches(f, 0, f.size, { chunkSize: CHUNK, wholeBatches: true }, (buf, at, position, size) => {
      const batch = buf.subarray(at, at + size);
      const header = readBatchHeader(batch)!;
      const valid = checkBatchIntegrity(batch) === 0;
      // Not in Kafka's tool: where offsets are missing, compaction removed them (a cleaned segment has gaps).
      if (header.baseOffset > next) write(`Gap: offsets ${next} to ${header.baseOffset - 1n} are not in the log (removed by compaction)`);
      next = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
      write(describeBatch(header, position, valid));
      if (opts.printDataLog) for (const line of describeRecords(header, batch, txnLog)) write(line);
      return true;
    });
    if (scan.position < f.size) write(`Found ${f.size - scan.position} invalid bytes at the end of ${basename(file)}`);
  } finally {
    await f.close();
  }
}

function lastSequence(h: BatchHeader): number {
  if (h.baseSequence < 0) return -1;
  return (h.baseSequence + h.lastOffsetDelta) % 0x80000000; // sequences wrap at int32 max
}

function timestampLabel(h: BatchHeader): string {
  return h.attributes & 0x08 ? 'LogAppendTime' : 'CreateTime';
}

export function describeBatch(h: BatchHeader, position: number, valid: boolean): string {
  const horizon = h.attributes & DELETE_HORIZON_BIT ? `OptionalLong[${h.baseTimestamp}]` : 'OptionalLong.empty';
  return (
    `baseOffset: ${h.baseOffset} lastOffset: ${h.baseOffset + BigInt(h.lastOffsetDelta)} count: ${h.recordsCount} ` +
    `baseSequence: ${h.baseSequence} lastSequence: ${lastSequence(h)} producerId: ${h.producerId} ` +
    `producerEpoch: ${h.producerEpoch} partitionLeaderEpoch: ${h.partitionLeaderEpoch} ` +
    `isTransactional: ${(h.attributes & TRANSACTIONAL_BIT) !== 0} isControl: ${(h.attributes & CONTROL_BIT) !== 0} ` +
    `deleteHorizonMs: ${horizon} position: ${position} ${timestampLabel(h)}: ${h.maxTimestamp} size: ${h.size} ` +
    `magic: ${h.magic} compresscodec: ${COMPRESSION_NAMES[compressionOf(h.attributes)] ?? 'unknown'} ` +
    `crc: ${h.crc} isvalid: ${valid}`
  );
}

function describeRecords(h: BatchHeader, batch: Buffer, txnLog: boolean): string[] {
  let records: DecodedRecord[];
  try {
    records = decodeRecords(decompress(compressionOf(h.attributes), batch.subarray(RECORDS)), h.recordsCount);
  } catch (err) {
    return [`| cannot decode records: ${(err as Error).message}`];
  }
  const logAppendTime = (h.attributes & 0x08) !== 0;
  return records.map((r) => {
    const timestamp = logAppendTime ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta;
    const sequence = h.baseSequence < 0 ? -1 : (h.baseSequence + r.offsetDelta) % 0x80000000;
    const text = (b: Buffer | null) => (b === null ? 'null' : b.toString('utf8'));
    const prefix =
      `| offset: ${h.baseOffset + BigInt(r.offsetDelta)} ${timestampLabel(h)}: ${timestamp} ` +
      `keySize: ${r.key?.length ?? -1} valueSize: ${r.value?.length ?? -1} sequence: ${sequence} ` +
      `headerKeys: [${r.headers.map((x) => x.key).join(',')}]`;
    if (h.attributes & CONTROL_BIT) {
      const marker = readMarker(batch, 0);
      return marker ? `${prefix} endTxnMarker: ${marker.commit ? 'COMMIT' : 'ABORT'} coordinatorEpoch: ${marker.coordinatorEpoch}` : `${prefix} controlType: unknown`;
    }
    if (txnLog) return `${prefix} ${describeTransactionLogRecord(r)}`;
    let line = `${prefix} key: ${text(r.key)} payload: ${text(r.value)}`;
    // Kafka prints header keys only; the values are often what one is looking for.
    if (r.headers.length > 0) line += ` headers: [${r.headers.map((x) => `${x.key}=${text(x.value)}`).join(',')}]`;
    return line;
  });
}

/** Kafka's TransactionLog.formatRecordKeyAndValue: `key: transaction_metadata::transactionalId=... payload: ...`. */
function describeTransactionLogRecord(r: DecodedRecord): string {
  if (r.key === null) return 'key: null payload: null';
  try {
    const { transactionalId, value } = decodeTransactionLogRecord({ key: r.key, value: r.value });
    const key = `key: transaction_metadata::transactionalId=${transactionalId}`;
    if (value === null) return `${key} payload: <DELETE>`;
    const partitions = partitionList(new Map((value.transactionPartitions ?? []).map((t) => [t.topic, new Set(t.partitionIds)])))
      .flatMap((t) => t.partitionIds.map((p) => `${t.topic}-${p}`));
    return `${key} payload: producerId:${value.producerId},producerEpoch:${value.producerEpoch},state=${stateOfId(value.transactionStatus)},` +
      `partitions=[${partitions.join(',')}],txnLastUpdateTimestamp=${value.transactionLastUpdateTimestampMs},txnTimeoutMs=${value.transactionTimeoutMs}`;
  } catch (err) {
    return `key: unknown payload: cannot decode: ${(err as Error).message}`;
  }
}

interface DumpLogArgs {
  files: string[];
  'print-data-log': boolean;
  'transaction-log-decoder': boolean;
}

export const dumpLogCommand: CommandModule<object, DumpLogArgs> = {
  command: 'dump-log <files..>',
  describe: 'Print the batches of .log segments and the entries of .index/.timeindex/.txnindex files, like kafka-dump-log.sh',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'segment or index files' })
      .option('print-data-log', { type: 'boolean', default: false, describe: 'decode records: keys, values, headers' })
      .option('transaction-log-decoder', {
        type: 'boolean', default: false, describe: 'decode records as __transaction_state records (automatic in its directories); implies --print-data-log',
      }),
  handler: async (args) => {
    const opts = { printDataLog: args['print-data-log'] || args['transaction-log-decoder'], transactionLogDecoder: args['transaction-log-decoder'] };
    await dumpLog(args.files, opts, (line) => process.stdout.write(line + '\n'));
  },
};
