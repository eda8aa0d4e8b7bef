/**
 * DescribeLogDirs (key 35): the broker's log directory and the size on disk of each partition in it.
 *
 * Versions: 0-5, as Kafka 3.9 served v0 (Kafka 4.0 removed it; v5 is in Kafka 4.3's schema).
 *
 * Behavior:
 * - One log directory: the first of log.dirs (Tafka uses one). An in-memory broker reports its
 *   logs under the directory it would have used.
 * - partition_size is the bytes of the partition's segment files (what Kafka's log.size counts:
 *   record data, not indexes); offset_lag is 0 (no future replica is ever moving); is_future_key false.
 * - A null topic list means every partition; unknown topics or partitions are left out, as Kafka does.
 * - v4+: total and usable bytes of the file system holding the directory (statfs).
 * - ACLs: DESCRIBE on the cluster, else 31 CLUSTER_AUTHORIZATION_FAILED (v3+'s top-level error) and no directories.
 *
 * Version notes:
 * - v1: like v0.  v2: flexible.  v3: top-level error code.  v4: total/usable bytes.  v5: is_cordoned.
 */
import { statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DescribeLogDirs } from '../../protocol/messages/35-describe-log-dirs.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, authorizeCluster } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

type TopicResult = Response<typeof DescribeLogDirs>['results'][number]['topics'][number];

async function capacity(dir: string | undefined): Promise<{ totalBytes: bigint; usableBytes: bigint }> {
  if (!dir) return { totalBytes: -1n, usableBytes: -1n };
  const fs = await statfs(dir, { bigint: true });
  return { totalBytes: fs.blocks * fs.bsize, usableBytes: fs.bavail * fs.bsize };
}

export default defineHandler({
  api: DescribeLogDirs,
  minVersion: 1,
  legacyMinVersion: 0,
  maxVersion: 5,
  async handle(req, ctx): Promise<Response<typeof DescribeLogDirs>> {
    const { config, topics, logs, authorizer } = ctx.services;
    if (!authorizeCluster(authorizer, ctx, AclOperation.DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const described: TopicResult[] = [];
    for (const topic of topics.list()) {
      if (wanted && !wanted.has(topic.name)) continue;
      const partitions: TopicResult['partitions'] = [];
      for (let p = 0; p < topic.partitions; p++) {
        if (wanted && !wanted.get(topic.name)!.has(p)) continue;
        const log = topics.partitionLog(topic.name, p);
        if (log) partitions.push({ partitionIndex: p, partitionSize: BigInt(log.sizeInBytes()), offsetLag: 0n, isFutureKey: false });
      }
      if (partitions.length > 0) described.push({ name: topic.name, partitions });
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [
        {
          errorCode: ErrorCode.NONE,
          logDir: resolve(config.dataDir),
          topics: described,
          ...(await capacity(logs.dataDir)),
          isCordoned: false,
        },
      ],
    };
  },
});
