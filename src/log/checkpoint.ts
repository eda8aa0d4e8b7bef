/**
 * Kafka's offset checkpoint files (`recovery-point-offset-checkpoint`, `log-start-offset-checkpoint`)
 * in the data directory: a version line (0), an entry count, then "topic partition offset" lines.
 */
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
/** Kafka's clean-shutdown marker; its presence lets the next start skip recovery. */
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

export interface CheckpointEntry {
  topic: string;
  partition: number;
  offset: bigint;
}

export function formatCheckpoint(entries: CheckpointEntry[]): Buffer {
  const lines = ['0', String(entries.length), ...entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`)];
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/** Parses a checkpoint file; throws on anything malformed, so the caller can fall back safely. */
export function parseCheckpoint(data: Buffer): CheckpointEntry[] {
  const lines = data.toString('utf8').split('\n').filter((l) => l.length > 0);
  if (lines[0] !== '0') throw new Error(`unsupported checkpoint version ${JSON.stringify(lines[0])}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count !== lines.length - 2) throw new Error('checkpoint entry count does not match');
  return lines.slice(2).map((line) => {
    const m = /^(\S+) (\d+) (-?\d+)$/.exec(line);
    if (!m) throw new Error(`malformed checkpoint line ${JSON.stringify(line)}`);
    return { topic: m[1]!, partition: Number(m[2]), offset: BigInt(m[3]!) };
  });
}

/** Kafka 3.6+ writes `{"version":"0","broker_epoch":"N"}`; older versions an empty file. */
export function formatCleanShutdown(brokerEpoch = -1n): Buffer {
  return Buffer.from(JSON.stringify({ version: '0', broker_epoch: String(brokerEpoch) }), 'utf8');
}
