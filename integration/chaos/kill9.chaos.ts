/**
 * `make chaos`, part 1: CHAOS_CYCLES (default 20) kill -9 cycles of a broker under load —
 * idempotent acks=all producers on a topic fsynced per message (flush.messages=1) and on one left to
 * the page cache (Kafka's default), and a consumer group committing what it reads. After the last
 * cycle: zero acknowledged records lost, zero duplicates, no committed offset behind an acknowledged
 * commit, and every restart succeeded. Prints the figures docs/02-log-storage.md quotes.
 */
import { cpus, totalmem } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkajs, startTafka, type BrokerHandle } from '../harness.js';
import { CommitLoad, counts, NO_PROBLEMS, ProduceLoad, problems, verifyCommits, verifyProduced } from './workload.js';

const CYCLES = Number(process.env.CHAOS_CYCLES ?? 20);
const PARTITIONS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chaos: kill -9 under load', () => {
  let broker: BrokerHandle | undefined;
  afterAll(() => broker?.stop());

  it(`${CYCLES} kill -9 cycles lose no acknowledged record, duplicate none, and every restart succeeds`, async () => {
    broker = await startTafka({ overrides: { 'group.initial.rebalance.delay.ms': '0' }, startTimeoutMs: 60_000 });
    const kafka = kafkajs(broker, { retry: { retries: 50, initialRetryTime: 100, maxRetryTime: 2000 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'chaos-fsync', numPartitions: PARTITIONS, configEntries: [{ name: 'flush.messages', value: '1' }] },
        { topic: 'chaos-pagecache', numPartitions: PARTITIONS },
      ],
    });
    await admin.disconnect();

    const producers = [new ProduceLoad(kafka, 'chaos-fsync', PARTITIONS, 'f'), new ProduceLoad(kafka, 'chaos-pagecache', PARTITIONS, 'p')];
    const committer = new CommitLoad(kafka, 'chaos-group', 'chaos-pagecache');
    for (const p of producers) p.start();
    await committer.start();

    const restartMs: number[] = [];
    let failedRestarts = 0;
    const started = Date.now();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await sleep(200 + Math.random() * 800); // let the load run, then pull the plug at a random moment
      const t = Date.now();
      try {
        await broker!.crashAndRestart();
        restartMs.push(Date.now() - t);
      } catch (err) {
        failedRestarts++;
        console.error(`cycle ${cycle}: restart failed: ${(err as Error).message}`);
        break;
      }
    }
    await sleep(2000); // the last sends and commits land
    for (const p of producers) await p.stop();
    await committer.stop();

    const verdicts = producers.map((p) => verifyProduced(broker!, p));
    const check = kafka.admin();
    await check.connect();
    const commitProblems = await verifyCommits(check, committer);
    await check.disconnect();

    const sorted = [...restartMs].sort((a, b) => a - b);
    const summary = {
      date: new Date().toISOString().slice(0, 10),
      machine: `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      cycles: restartMs.length,
      minutes: ((Date.now() - started) / 60_000).toFixed(1),
      failedRestarts,
      restartMsMedian: sorted[sorted.length >> 1],
      restartMsMax: sorted[sorted.length - 1],
      topics: verdicts.map(counts),
      failedSends: producers.map((p) => p.failedSends),
      acknowledgedCommits: [...committer.ackedCommits.values()].reduce((a, b) => a + b, 0n).toString(),
      failedCommits: committer.failedCommits,
      commitProblems,
    };
    console.log(`CHAOS kill-9 summary ${JSON.stringify(summary, null, 2)}`);

    expect(failedRestarts).toBe(0);
    expect(restartMs).toHaveLength(CYCLES);
    for (const v of verdicts) {
      expect(v.acked).toBeGreaterThan(0);
      expect(problems(v), v.topic).toEqual(NO_PROBLEMS);
    }
    expect(commitProblems).toEqual([]);
    expect(committer.ackedCommits.size).toBeGreaterThan(0);
  });
});
