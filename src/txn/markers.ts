/**
 * Writing transaction markers: the COMMIT or ABORT control batch that ends a transaction in one
 * partition (Kafka's TransactionMarkerChannelManager and the WriteTxnMarkers handling of a
 * partition leader). In Kafka the coordinator sends WriteTxnMarkers requests to each partition's
 * leader; on one node the coordinator and every leader are the same process, so the marker is
 * appended directly, through the same path the WriteTxnMarkers API (27) uses.
 *
 * A marker for the group coordinator's partition (`__consumer_offsets`) is handed to the group
 * coordinator, which appends it to its log itself, so it applies the marker — the transaction's
 * offset commits become visible, or are dropped — in log order with its other writes (Kafka's
 * ReplicaManager tells its GroupCoordinator once the marker is appended).
 */
import { ErrorCode, isKafkaError } from '../../protocol/errors.js';
import type { Clock } from '../clock.js';
import { encodeMarkerBatch, type TxnMarker } from '../codec/control-record.js';
import type { PartitionLog } from '../log/partition-log.js';
import { CONSUMER_OFFSETS_TOPIC } from '../topics/internal.js';

export type { TxnMarker };

export interface MarkerWriterOptions {
  readonly clock: Clock;
  /** The log of a partition, or undefined when it does not exist (a deleted topic). */
  partitionLog(topic: string, partition: number): PartitionLog | undefined;
  /** Writes a marker into the group coordinator's log (`__consumer_offsets`); resolves with an error code. */
  groupMarker?(partition: number, marker: TxnMarker): Promise<number>;
}

export class MarkerWriter {
  constructor(private readonly opts: MarkerWriterOptions) {}

  /**
   * Appends the marker to one partition and waits for the write. Resolves with a Kafka error code
   * (0 when written): 3 for a partition that does not exist, 47 for an epoch older than the
   * partition's, 52 for an older coordinator epoch, 56 for a storage failure. Never rejects.
   */
  async write(topic: string, partition: number, marker: TxnMarker): Promise<number> {
    if (topic === CONSUMER_OFFSETS_TOPIC && this.opts.groupMarker) return this.opts.groupMarker(partition, marker);
    const log = this.opts.partitionLog(topic, partition);
    if (!log) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const batch = encodeMarkerBatch({ ...marker, timestamp: this.opts.clock.now() });
    try {
      await log.startAppend(batch, { origin: 'coordinator' }).done;
    } catch (err) {
      return isKafkaError(err) ? err.errorCode : ErrorCode.KAFKA_STORAGE_ERROR;
    }
    return ErrorCode.NONE;
  }
}
