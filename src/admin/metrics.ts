/**
 * /metrics: the Prometheus text page, built with prom-client at scrape time from the taps' plain
 * numbers (stats.ts) and from the broker's state (partition logs, groups).
 *
 * Names follow Kafka's JMX metrics in the form Prometheus's JMX exporter gives them
 * (`kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t` becomes
 * `kafka_server_brokertopicmetrics_messagesin_total{topic="t"}`), with Kafka's meaning and unit
 * (…timems histograms are in milliseconds). Figures Kafka has no metric for are named `tafka_…`.
 * The table in docs/operating.md lists them all.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram as PromHistogram, Registry } from 'prom-client';
import { groupSize, type GroupView, type PartitionView } from './sources.js';
import { LATENCY_BUCKETS_MS, type Histogram, type LogStats, type NetworkStats } from './stats.js';

export interface MetricsSources {
  readonly network: NetworkStats;
  readonly log: LogStats;
  /** The partition logs, once loaded. */
  partitions(): Iterable<PartitionView>;
  /** The group coordinator, once loaded. */
  groups(): GroupView | undefined;
  /** Kafka's BrokerState: 1 starting (loading logs and groups), 3 running, 7 shutting down. */
  brokerState(): number;
  /** How long start-up took to load the logs and the group coordinator (ms), once done. */
  readonly startup: { logsMs?: number; groupsMs?: number };
}

type Labels = Record<string, string | number>;

/** A prom-client histogram whose buckets are read from plain Histograms at scrape time. */
class ScrapedHistogram extends PromHistogram<string> {
  constructor(
    registry: Registry,
    private readonly metricName: string,
    private readonly metricHelp: string,
    labelNames: string[],
    private readonly read: () => Iterable<[Labels, Histogram]>,
  ) {
    super({ name: metricName, help: metricHelp, labelNames, buckets: [...LATENCY_BUCKETS_MS], registers: [registry] });
  }

  override async get(): Promise<Awaited<ReturnType<PromHistogram<string>['get']>>> {
    const values: { labels: Labels; value: number; metricName: string }[] = [];
    for (const [labels, h] of this.read()) {
      let cumulative = 0;
      h.bounds.forEach((le, i) => {
        cumulative += h.counts[i]!;
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: `${this.metricName}_bucket` });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: h.count, metricName: `${this.metricName}_bucket` });
      values.push({ labels, value: h.sum, metricName: `${this.metricName}_sum` });
      values.push({ labels, value: h.count, metricName: `${this.metricName}_count` });
    }
    return { name: this.metricName, help: this.metricHelp, type: 'histogram', values, aggregator: 'sum' } as never;
  }

  /** What the registry calls for the text page (prom-client's Histogram has it, its typings do not). */
  getForPromString(): ReturnType<PromHistogram<string>['get']> {
    return this.get();
  }
}

/** Adds the counts of `hs` (same bounds) into one histogram: Kafka's timers are per request, not per version. */
function merged(hs: Histogram[]): Histogram {
  const out = { bounds: hs[0]!.bounds, counts: new Float64Array(hs[0]!.counts.length), sum: 0, count: 0 } as Histogram;
  for (const h of hs) {
    h.counts.forEach((c, i) => (out.counts[i]! += c));
    out.sum += h.sum;
    out.count += h.count;
  }
  return out;
}

export function createRegistry(src: MetricsSources): Registry {
  const registry = new Registry();
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[], read: () => Iterable<[Labels, number]>) =>
    new Counter({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        for (const [labels, v] of read()) this.inc(labels, v);
      },
    });
  const gauge = (name: string, help: string, labelNames: string[], read: () => Iterable<[Labels, number]>) =>
    new Gauge({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        for (const [labels, v] of read()) this.set(labels, v);
      },
    });
  const one = (v: number): [Labels, number][] => [[{}, v]];
  const net = src.network;

  // ------------------------------------------------------------------ requests (kafka.network:type=RequestMetrics)
  function* perVersion<T>(pick: (s: NonNullable<NetworkStats['byApi'][number][number]>) => T): Generator<[Labels, T]> {
    for (const versions of net.byApi) {
      for (const s of versions ?? []) if (s) yield [{ request: s.apiName, version: s.version }, pick(s)];
    }
  }
  function* perApi(pick: (s: NonNullable<NetworkStats['byApi'][number][number]>) => Histogram): Generator<[Labels, Histogram]> {
    for (const versions of net.byApi) {
      const hs = (versions ?? []).filter((s) => s !== undefined);
      if (hs.length > 0) yield [{ request: hs[0]!.apiName }, merged(hs.map(pick))];
    }
  }
  counter('kafka_network_requestmetrics_requests_total', 'Requests answered, by API and version (Kafka: RequestsPerSec).', ['request', 'version'],
    () => perVersion((s) => s.requests));
  counter('tafka_network_request_bytes_total', 'Bytes of request frames, by API and version.', ['request', 'version'], () => perVersion((s) => s.requestBytes));
  counter('tafka_network_response_bytes_total', 'Bytes of response frames, by API and version.', ['request', 'version'], () => perVersion((s) => s.responseBytes));
  const timer = (name: string, help: string, pick: (s: NonNullable<NetworkStats['byApi'][number][number]>) => Histogram) =>
    new ScrapedHistogram(registry, name, help, ['request'], () => perApi(pick));
  timer('kafka_network_requestmetrics_requestqueuetimems', 'Milliseconds from reading a request to starting its handler.', (s) => s.queue);
  timer('kafka_network_requestmetrics_localtimems', 'Milliseconds in the handler, its waits included (long polls, rebalances, log writes).', (s) => s.local);
  timer('kafka_network_requestmetrics_responsesendtimems', 'Milliseconds from the response being ready to its hand-over to the socket (after earlier responses on the connection).', (s) => s.send);
  timer('kafka_network_requestmetrics_totaltimems', 'Milliseconds from reading a request to sending its response.', (s) => s.total);
  timer('kafka_network_requestmetrics_throttletimems', 'throttle_time_ms the responses carried (client quotas).', (s) => s.throttle);

  // ------------------------------------------------------------------ connections (kafka.server:type=socket-server-metrics)
  gauge('kafka_server_socket_server_metrics_connection_count', 'Open client connections.', [], () => one(net.connectionsOpen));
  counter('kafka_server_socket_server_metrics_connection_creation_total', 'Connections accepted.', [], () => one(net.connectionsCreated));
  counter('kafka_server_socket_server_metrics_connection_close_total', 'Connections closed.', [], () => one(net.connectionsClosed));
  counter('tafka_network_connections_rejected_total', 'Connections refused before any request (connection limits).', [], () => one(net.connectionsRejected));
  gauge('tafka_network_requests_in_flight', 'Requests read and not yet answered.', [], () => one(net.inFlightRequests));
  gauge('tafka_network_request_bytes_in_flight', 'Bytes of the requests read and not yet answered.', [], () => one(net.inFlightBytes));
  gauge('tafka_network_response_bytes_queued', 'Bytes of encoded responses waiting for an earlier response on their connection.', [], () => one(net.queuedResponseBytes));

  // ------------------------------------------------------------------ topics (kafka.server:type=BrokerTopicMetrics)
  const perTopic = (pick: (t: { bytes: number; messages: number }) => number) => () =>
    [...src.log.byTopic].map(([topic, t]): [Labels, number] => [{ topic }, pick(t)]);
  counter('kafka_server_brokertopicmetrics_bytesin_total', 'Record batch bytes appended, by topic (Kafka: BytesInPerSec).', ['topic'], perTopic((t) => t.bytes));
  counter('kafka_server_brokertopicmetrics_messagesin_total', 'Records appended, by topic (Kafka: MessagesInPerSec).', ['topic'], perTopic((t) => t.messages));
  counter('kafka_server_brokertopicmetrics_bytesout_total', 'Record batch bytes sent in Fetch responses, by topic (Kafka: BytesOutPerSec).', ['topic'],
    () => [...net.bytesOut].map(([topic, n]): [Labels, number] => [{ topic }, n]));

  // ------------------------------------------------------------------ partition logs (kafka.log:type=Log)
  const perPartition = (pick: (p: PartitionView) => number) => () =>
    [...src.partitions()].map((p): [Labels, number] => [{ topic: p.topic, partition: p.partition }, pick(p)]);
  gauge('kafka_log_log_logendoffset', 'The offset the next record will get.', ['topic', 'partition'], perPartition((p) => Number(p.logEndOffset)));
  gauge('kafka_log_log_logstartoffset', 'The first offset still in the log.', ['topic', 'partition'], perPartition((p) => Number(p.logStartOffset)));
  gauge('kafka_log_log_size', 'Bytes of the partition\'s segments.', ['topic', 'partition'], perPartition((p) => p.sizeInBytes()));
  gauge('kafka_log_log_numlogsegments', 'Segments of the partition.', ['topic', 'partition'], perPartition((p) => p.segmentCount));
  new ScrapedHistogram(registry, 'kafka_log_logflushstats_logflushrateandtimems', 'Milliseconds per fsync of a partition\'s data.', [], () => [[{}, src.log.flush]]);
  counter('tafka_log_segment_rolls_total', 'New segments started, by Kafka\'s roll reason.', ['reason'], () => [...src.log.rolls].map(([reason, n]): [Labels, number] => [{ reason }, n]));
  counter('tafka_log_segments_deleted_total', 'Segments deleted by retention and DeleteRecords.', [], () => one(src.log.deletedSegments));
  gauge('tafka_log_recovery_duration_seconds', 'How long start-up took to open (and, after a crash, recover) the logs.', [],
    () => (src.startup.logsMs === undefined ? [] : one(src.startup.logsMs / 1000)));

  // ------------------------------------------------------------------ groups (kafka.coordinator.group:type=GroupMetadataManager)
  gauge('kafka_coordinator_group_groupmetadatamanager_numgroups', 'Classic groups, by state (Kafka: NumGroups, NumGroupsStable, ...).', ['state'], () => {
    const counts = new Map<string, number>(['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable'].map((s) => [s, 0]));
    for (const g of src.groups()?.listGroups([], ['classic']).groups ?? []) counts.set(g.state, (counts.get(g.state) ?? 0) + 1);
    return [...counts].map(([state, n]): [Labels, number] => [{ state }, n]);
  });
  gauge('tafka_group_members', 'Members of each group.', ['group'], () => {
    const groups = src.groups();
    return (groups?.listGroups([], []).groups ?? []).map((g): [Labels, number] => [{ group: g.groupId }, groupSize(groups!, g.groupId).members]);
  });
  const offsetRows = (pick: (committed: bigint, end: bigint) => number) => () => {
    const groups = src.groups();
    if (!groups) return [];
    const ends = new Map<string, bigint>();
    for (const p of src.partitions()) ends.set(`${p.topic}\u0000${p.partition}`, p.highWatermark);
    const rows: [Labels, number][] = [];
    for (const g of groups.listGroups([], []).groups) {
      for (const o of groups.fetchOffsets(g.groupId, null).offsets) {
        const end = ends.get(`${o.topic}\u0000${o.partition}`);
        if (end !== undefined && o.offset >= 0n) rows.push([{ consumergroup: g.groupId, topic: o.topic, partition: o.partition }, pick(o.offset, end)]);
      }
    }
    return rows;
  };
  const offsetLabels = ['consumergroup', 'topic', 'partition'];
  gauge('kafka_consumergroup_current_offset', 'The committed offset of each group and partition.', offsetLabels, offsetRows((c) => Number(c)));
  gauge('kafka_consumergroup_lag', 'Records between the committed offset and the high watermark.', offsetLabels,
    offsetRows((c, end) => Math.max(0, Number(end - c))));
  gauge('tafka_group_coordinator_load_duration_seconds', 'How long start-up took to replay __consumer_offsets.', [],
    () => (src.startup.groupsMs === undefined ? [] : one(src.startup.groupsMs / 1000)));

  // ------------------------------------------------------------------ the broker and the process
  gauge('kafka_server_kafkaserver_brokerstate', 'Kafka\'s BrokerState: 1 starting (loading logs and groups), 3 running, 7 shutting down.', [], () => one(src.brokerState()));
  collectDefaultMetrics({ register: registry });
  return registry;
}
