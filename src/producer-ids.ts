/**
 * Producer id allocation for InitProducerId. Ids must never repeat, not even across restarts: a
 * reused id would let a new producer's batches be taken for an old producer's retries. Kafka's
 * controller hands brokers blocks of 1000 ids (AllocateProducerIds, KIP-730) and persists the next
 * block start; Tafka does the same with a file in the data directory, `tafka-producer-ids`, written
 * atomically *before* any id of a new block is given out. A crash therefore skips the rest of the
 * block (as in Kafka) but never repeats an id. Without a data directory ids just count from 0.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProperties } from './config/parse.js';
import { writeFileAtomic } from './util/atomic-write.js';

export const PRODUCER_ID_BLOCK_SIZE = 1000n;
export const PRODUCER_IDS_FILE = 'tafka-producer-ids';

export class ProducerIdManager {
  /** Next id to hand out, and the end (exclusive) of the block reserved on disk. */
  private next: bigint;
  private blockEnd: bigint;
  /** Allocations run one at a time, so two requests never reserve the same block. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string | undefined,
    nextBlockStart: bigint,
  ) {
    this.next = this.blockEnd = nextBlockStart;
  }

  static async open(dataDir: string | undefined): Promise<ProducerIdManager> {
    if (!dataDir) return new ProducerIdManager(undefined, 0n);
    const file = join(dataDir, PRODUCER_IDS_FILE);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const start = text === undefined ? 0n : BigInt(parseProperties(text).get('next.block.start') ?? '0');
    return new ProducerIdManager(file, start);
  }

  /** A producer id never handed out before by this data directory. */
  generate(): Promise<bigint> {
    const result = this.chain.then(() => this.take());
    this.chain = result.catch(() => {});
    return result;
  }

  private async take(): Promise<bigint> {
    if (this.next === this.blockEnd) {
      const end = this.blockEnd + PRODUCER_ID_BLOCK_SIZE;
      if (this.file) await writeFileAtomic(this.file, `version=0\nnext.block.start=${end}\n`);
      this.blockEnd = end;
    }
    return this.next++;
  }
}
