/**
 * Produce's per-partition rules that Kafka applies before and during the append: exactly one batch
 * per partition (ProduceRequest.validateRecords), and timestamps (LogValidator), with record_errors.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Produce } from '../../protocol/messages/00-produce.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import type { Broker } from '../../src/broker.js';
import { buildBatch } from '../../src/codec/record-batch.js';
import produce from '../../src/handlers/00-produce.js';
import type { Request } from '../../src/server/handler.js';
import { ManualClock } from '../support/manual-clock.js';
import { timedBatch } from '../log/helpers.js';
import { call, inMemoryBroker } from './support.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

describe('Produce', () => {
  let broker: Broker;
  beforeEach(async () => {
    broker = await inMemoryBroker(new ManualClock(NOW));
    await broker.services.topics.create('t', 2);
  });
  afterEach(async () => broker.close());

  const send = async (version: number, partitions: Buffer[]) => {
    const req: Partial<Request<typeof Produce>> = {
      transactionalId: null, acks: -1, timeoutMs: 1000,
      topicData: [{ name: 't', topicId: ZERO_UUID, partitionData: partitions.map((records, index) => ({ index, records })) }],
    };
    return (await call(broker, produce, version, req)).responses[0]!.partitionResponses;
  };
  const record = (value: string) => buildBatch([{ value: Buffer.from(value) }], { baseTimestamp: NOW });
  const endOffset = (partition: number) => broker.services.topics.partitionLog('t', partition)!.logEndOffset;

  it('two batches for one partition: 87 for it, nothing written; the other partition is written', async () => {
    const [twice, once] = await send(9, [Buffer.concat([record('a'), record('b')]), record('c')]);
    expect(twice).toMatchObject({
      errorCode: 87, baseOffset: -1n,
      errorMessage: 'Produce requests with version 9 are only allowed to contain exactly one record batch per partition',
    });
    expect(once).toMatchObject({ errorCode: 0, baseOffset: 0n });
    expect([endOffset(0), endOffset(1)]).toEqual([0n, 1n]);
  });

  it('bytes trailing the one batch that cannot be a whole batch are dropped, as Kafka trims them', async () => {
    const [answer] = await send(9, [Buffer.concat([record('a'), record('b').subarray(0, 30)])]);
    expect(answer!.errorCode).toBe(0);
    expect(endOffset(0)).toBe(1n);
    expect(broker.services.topics.partitionLog('t', 0)!.sizeInBytes()).toBe(record('a').length);
  });

  it('a record too far in the future: 32 with record_errors and the log start offset (v8+), nothing written', async () => {
    const [answer] = await send(9, [timedBatch([NOW, NOW + 2 * HOUR, NOW + 3 * HOUR])]);
    expect(answer).toMatchObject({
      errorCode: 32,
      errorMessage: 'One or more records have been rejected due to invalid timestamp',
      logStartOffset: 0n,
      recordErrors: [
        { batchIndex: 1, batchIndexErrorMessage: expect.stringMatching(/^Timestamp \d+ of message with offset 1 is out of range/) },
        { batchIndex: 2, batchIndexErrorMessage: expect.stringContaining('offset 2') },
      ],
    });
    expect(endOffset(0)).toBe(0n);
  });

  it('message.timestamp.before.max.ms set on the topic applies to the next produce', async () => {
    const old = () => timedBatch([NOW - 2 * HOUR]);
    expect((await send(9, [old()]))[0]!.errorCode).toBe(0);
    await broker.services.topics.setConfigs('t', { 'message.timestamp.before.max.ms': String(HOUR) });
    expect((await send(9, [old()]))[0]!.errorCode).toBe(32);
  });
});
