/**
 * The admin HTTP server of a broker process, as an operator uses it: kcat (librdkafka) produces and
 * consumes, then /metrics (fetched as curl would) shows the request counts and the messages in for
 * the topic, and the whole page passes a strict exposition-format parser. /health and /ready too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, kcat, resolveTarget, startTafka, type BrokerHandle } from './harness.js';
import { parsePrometheusText, sampleValue } from '../test/support/prometheus-text.js';

const target = await resolveTarget();

describe.skipIf(target.kind !== 'tafka')('admin HTTP server of a Tafka process', () => {
  let broker: BrokerHandle;
  let admin: string;
  beforeAll(async () => {
    const port = await freePort();
    admin = `http://127.0.0.1:${port}`;
    broker = await startTafka({ overrides: { 'tafka.admin.listener': `127.0.0.1:${port}` } });
  });
  afterAll(async () => broker?.stop());

  it('answers /health and /ready', async () => {
    expect((await fetch(`${admin}/health`)).status).toBe(200);
    expect(await (await fetch(`${admin}/ready`)).json()).toMatchObject({ status: 'ready' });
  });

  it('shows the request counts and messages in of a kcat produce and consume, on a page a parser accepts whole', async () => {
    const produced = kcat(broker, ['-t', 'metrics-topic', '-P'], 'one\ntwo\nthree\nfour\n');
    expect(produced.status).toBe(0);
    const consumed = kcat(broker, ['-t', 'metrics-topic', '-C', '-o', 'beginning', '-e', '-q']);
    expect(consumed.stdout.trim().split('\n')).toEqual(['one', 'two', 'three', 'four']);

    const text = await (await fetch(`${admin}/metrics`)).text();
    const page = parsePrometheusText(text);
    const requests = (api: string) => page.get('kafka_network_requestmetrics_requests_total')!.samples
      .filter((s) => s.labels.request === api).reduce((n, s) => n + s.value, 0);
    expect(requests('Produce')).toBeGreaterThanOrEqual(1);
    expect(requests('Fetch')).toBeGreaterThanOrEqual(1);
    expect(requests('ApiVersions')).toBeGreaterThanOrEqual(2);
    expect(sampleValue(page, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metrics-topic' })).toBe(4);
    expect(sampleValue(page, 'kafka_server_brokertopicmetrics_bytesout_total', { topic: 'metrics-topic' })).toBeGreaterThan(0);
    expect(sampleValue(page, 'kafka_log_log_logendoffset', { topic: 'metrics-topic', partition: '0' })).toBe(4);
    expect(sampleValue(page, 'kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' })).toBe(requests('Produce'));
  });
});
