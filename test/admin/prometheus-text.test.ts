/** The strict exposition-format parser the metrics tests rely on: it must accept good pages and reject bad ones. */
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

const GOOD = `# HELP requests_total Requests.
# TYPE requests_total counter
requests_total{request="Produce",version="9"} 3
requests_total{request="Fetch",version="12"} 1

# HELP latency Latency.
# TYPE latency histogram
latency_bucket{request="Produce",le="1"} 1
latency_bucket{request="Produce",le="5"} 3
latency_bucket{request="Produce",le="+Inf"} 3
latency_sum{request="Produce"} 4.5
latency_count{request="Produce"} 3
# a comment
up{path="a\\\\b \\"q\\" \\n"} 1
`;

describe('parsePrometheusText', () => {
  it('accepts a well-formed page and reads its samples', () => {
    const page = parsePrometheusText(GOOD);
    expect(page.get('requests_total')!.type).toBe('counter');
    expect(sampleValue(page, 'requests_total', { request: 'Produce' })).toBe(3);
    expect(sampleValue(page, 'latency_count', { request: 'Produce' })).toBe(3);
    expect(page.get('up')!.samples[0]!.labels.path).toBe('a\\b "q" \n');
  });

  it('reads special values as Prometheus does, in any case', () => {
    const page = parsePrometheusText('# TYPE g gauge\ng{a="1"} Nan\ng{a="2"} +Inf\ng{a="3"} -inf\n');
    expect(page.get('g')!.samples.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity]);
  });

  it.each([
    ['no final line feed', GOOD.trimEnd()],
    ['a sample line without a value', GOOD.replace('requests_total{request="Fetch",version="12"} 1', 'requests_total{request="Fetch",version="12"}')],
    ['a bad value', GOOD.replace('} 3\nrequests_total{request="Fetch"', '} three\nrequests_total{request="Fetch"')],
    ['an unquoted label value', GOOD.replace('version="9"', 'version=9')],
    ['a bad label name', GOOD.replace('version="9"', '9version="9"')],
    ['a label twice', GOOD.replace('version="9"', 'version="9",version="8"')],
    ['a duplicate series', GOOD.replace('request="Fetch",version="12"', 'request="Produce",version="9"')],
    ['a family split by another', `${GOOD}requests_total{request="Metadata",version="1"} 1\n`],
    ['a TYPE after samples', GOOD.replace('# TYPE requests_total counter\n', '') + '# TYPE requests_total counter\n'],
    ['an unknown TYPE', GOOD.replace('TYPE latency histogram', 'TYPE latency timer')],
    ['a negative counter', GOOD.replace('version="12"} 1', 'version="12"} -1')],
    ['a histogram without +Inf', GOOD.replace('latency_bucket{request="Produce",le="+Inf"} 3\n', '')],
    ['decreasing buckets', GOOD.replace('le="5"} 3', 'le="5"} 0')],
    ['+Inf differing from _count', GOOD.replace('latency_count{request="Produce"} 3', 'latency_count{request="Produce"} 4')],
    ['a histogram without _sum', GOOD.replace('latency_sum{request="Produce"} 4.5\n', '')],
    ['a bad escape', GOOD.replace('\\"q\\"', '\\q')],
  ])('rejects %s', (_, page) => {
    expect(() => parsePrometheusText(page)).toThrow();
  });
});
