/**
 * The records of `__transaction_state`, in Kafka's own format (TransactionLogKey and
 * TransactionLogValue), so `dump-log` and Kafka's tools read Tafka's files and the other way round.
 *
 * One record per state change of a transactional id, keyed by that id; the latest record of a key
 * is its state, and a null value (a tombstone) forgets it. Key and value start with an int16
 * schema version:
 *
 *   key   v0: transactional_id string
 *   value v0: producer_id int64, producer_epoch int16, transaction_timeout_ms int32,
 *             transaction_status int8 (state.ts STATE_IDS),
 *             transaction_partitions [topic string, partition_ids [int32]] (null when Empty),
 *             transaction_last_update_timestamp_ms int64, transaction_start_timestamp_ms int64
 *   value v1: the same, flexible, with tagged fields previous_producer_id (0),
 *             next_producer_id (1) and client_transaction_version (2).
 *
 * Tafka writes v0, as Kafka does until transaction version 1 is enabled, and v1 for a transaction
 * of a client using transaction version 2, whose extra fields must survive a restart.
 */
import { codecFor } from '../codec/interpret.js';
import { Reader } from '../codec/reader.js';
import { message, type MessageOf } from '../../protocol/schema.js';
import { versionPrefixed, type CoordinatorRecord } from '../coordinator/coordinator-log.js';
import { NO_PRODUCER_ID, STATE_IDS, stateOfId, type TransactionMetadataInit, type TxnPartitions, type TxnTransit } from './state.js';

// Field lists written from Kafka's transaction-coordinator message specs (facts only).

export const TransactionLogKey = message({
  name: 'TransactionLogKey', type: 'data', validVersions: '0', flexibleVersions: 'none',
  fields: [{ name: 'transactionalId', type: 'string', versions: '0' }],
});

export const TransactionLogValue = message({
  name: 'TransactionLogValue', type: 'data', validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'previousProducerId', type: 'int64', versions: '1+', taggedVersions: '1+', tag: 0, default: -1n, ignorable: true },
    { name: 'nextProducerId', type: 'int64', versions: '1+', taggedVersions: '1+', tag: 1, default: -1n, ignorable: true },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'transactionStatus', type: 'int8', versions: '0+' },
    { name: 'transactionPartitions', type: '[]', versions: '0+', nullableVersions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitionIds', type: '[]int32', versions: '0+' },
    ] },
    { name: 'transactionLastUpdateTimestampMs', type: 'int64', versions: '0+' },
    { name: 'transactionStartTimestampMs', type: 'int64', versions: '0+' },
    { name: 'clientTransactionVersion', type: 'int16', versions: '1+', taggedVersions: '1+', tag: 2, default: 0, ignorable: true },
  ],
});

export type TransactionLogValueData = MessageOf<typeof TransactionLogValue>;

const versioned = versionPrefixed;

export function transactionLogKey(transactionalId: string): Buffer {
  return versioned(0, codecFor(TransactionLogKey, 0).encode({ transactionalId }));
}

/** Topic → partitions as the record lists them: topics sorted, partitions ascending. */
export function partitionList(p: TxnPartitions): { topic: string; partitionIds: number[] }[] {
  return [...p.keys()].sort().map((topic) => ({ topic, partitionIds: [...p.get(topic)!].sort((a, b) => a - b) }));
}

/** The record a transition writes. */
export function transactionLogRecord(transactionalId: string, t: TxnTransit): CoordinatorRecord {
  const version = t.clientTransactionVersion >= 2 ? 1 : 0;
  const value: TransactionLogValueData = {
    producerId: t.producerId,
    previousProducerId: t.prevProducerId,
    nextProducerId: t.nextProducerId,
    producerEpoch: t.producerEpoch,
    transactionTimeoutMs: t.txnTimeoutMs,
    transactionStatus: STATE_IDS[t.state],
    transactionPartitions: t.state === 'Empty' ? null : partitionList(t.partitions),
    transactionLastUpdateTimestampMs: BigInt(t.txnLastUpdateTimestamp),
    transactionStartTimestampMs: BigInt(t.txnStartTimestamp),
    clientTransactionVersion: t.clientTransactionVersion,
  };
  return { key: transactionLogKey(transactionalId), value: versioned(version, codecFor(TransactionLogValue, version).encode(value)) };
}

export interface DecodedTxnRecord {
  transactionalId: string;
  /** null for a tombstone. */
  value: TransactionLogValueData | null;
}

/** Decodes a record; throws on bytes that are not one (a corrupt log is not silently skipped). */
export function decodeTransactionLogRecord(r: CoordinatorRecord): DecodedTxnRecord {
  const keyVersion = r.key.readInt16BE(0);
  if (keyVersion !== 0) throw new Error(`unknown transaction log key version ${keyVersion}`);
  const { transactionalId } = codecFor(TransactionLogKey, 0).read(new Reader(r.key, 2, r.key.length));
  if (r.value === null) return { transactionalId, value: null };
  const version = r.value.readInt16BE(0);
  if (version !== 0 && version !== 1) throw new Error(`unknown transaction log value version ${version}`);
  return { transactionalId, value: codecFor(TransactionLogValue, version).read(new Reader(r.value, 2, r.value.length)) };
}

/** A loaded value as the fields of a TransactionMetadata. */
export function metadataInitOf(v: TransactionLogValueData): TransactionMetadataInit {
  const state = stateOfId(v.transactionStatus);
  const partitions = new Map<string, Set<number>>();
  if (state !== 'Empty') for (const t of v.transactionPartitions ?? []) partitions.set(t.topic, new Set(t.partitionIds));
  return {
    producerId: v.producerId,
    prevProducerId: v.previousProducerId ?? NO_PRODUCER_ID,
    nextProducerId: v.nextProducerId ?? NO_PRODUCER_ID,
    producerEpoch: v.producerEpoch,
    txnTimeoutMs: v.transactionTimeoutMs,
    state,
    partitions,
    txnStartTimestamp: Number(v.transactionStartTimestampMs),
    txnLastUpdateTimestamp: Number(v.transactionLastUpdateTimestampMs),
    clientTransactionVersion: v.clientTransactionVersion ?? 0,
  };
}
