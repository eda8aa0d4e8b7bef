import { describe, expect, it } from 'vitest';
import { BrokerConfig } from '../src/config/broker-config.js';
import { parseProperties } from '../src/config/parse.js';
import { settingsFromArgs } from '../src/cli/start-args.js';

describe('BrokerConfig', () => {
  it("has Kafka's defaults", () => {
    const c = new BrokerConfig();
    expect(c.get('num.partitions')).toBe(1);
    expect(c.get('auto.create.topics.enable')).toBe(true);
    expect(c.get('socket.request.max.bytes')).toBe(104857600);
    expect(c.get('message.max.bytes')).toBe(1048588);
    expect(c.get('log.segment.bytes')).toBe(1073741824);
    expect(c.retentionMs).toBe(168 * 3_600_000);
    expect(c.listener).toEqual({ host: '', port: 9092 });
    expect(c.advertised).toEqual({ host: 'localhost', port: 9092 });
  });

  it('collects unknown keys as ignored (Kafka warns and goes on), once each, and keeps the defaults', () => {
    const c = new BrokerConfig([['num.partitons', '3'], ['zookeeper.connect', 'zk:2181'], ['num.partitons', '4'], ['num.partitions', '2']]);
    expect(c.ignored).toEqual(['num.partitons', 'zookeeper.connect']);
    expect(c.get('num.partitions')).toBe(2);
    expect(c.explicit.has('num.partitons')).toBe(false);
  });

  it.each([
    ['num.partitions', 'three', /num.partitions: not a number/],
    ['num.partitions', '99999999999', /num.partitions: out of int range/],
    ['auto.create.topics.enable', 'yes', /auto.create.topics.enable: expected true or false/],
    ['log.message.timestamp.type', 'Now', /log.message.timestamp.type: must be one of CreateTime, LogAppendTime/],
  ])('stops on a malformed value for %s', (key, value, message) => {
    expect(() => new BrokerConfig([[key, value]])).toThrow(message);
  });

  it("follows Kafka's precedence for retention and log.dirs", () => {
    expect(new BrokerConfig([['log.retention.hours', '1'], ['log.retention.minutes', '5']]).retentionMs).toBe(300_000);
    expect(new BrokerConfig([['log.retention.minutes', '5'], ['log.retention.ms', '42']]).retentionMs).toBe(42);
    expect(new BrokerConfig([['log.dir', '/a'], ['log.dirs', '/b,/c']]).dataDir).toBe('/b');
    expect(new BrokerConfig([['broker.id', '7']]).get('node.id')).toBe(7);
  });

  it('advertises advertised.listeners, else the listener with localhost for a wildcard host', () => {
    expect(new BrokerConfig([['listeners', 'PLAINTEXT://0.0.0.0:9999']]).advertised).toEqual({ host: 'localhost', port: 9999 });
    expect(new BrokerConfig([['advertised.listeners', 'PLAINTEXT://kafka.example:19092']]).advertised).toEqual({ host: 'kafka.example', port: 19092 });
    expect(new BrokerConfig([['listeners', 'PLAINTEXT://[::1]:9092']]).listener).toEqual({ host: '::1', port: 9092 });
    expect(() => new BrokerConfig([['listeners', 'nonsense']])).toThrow(/Unable to parse nonsense to a broker endpoint/);
  });
});

describe('parseProperties', () => {
  it('reads Java properties: = or :, comments, blank lines', () => {
    const props = parseProperties('# comment\n! also\n\nnum.partitions=3\nlog.dirs: /tmp/x\nnode.id = 2\n');
    expect([...props]).toEqual([
      ['num.partitions', '3'],
      ['log.dirs', '/tmp/x'],
      ['node.id', '2'],
    ]);
  });
});

describe('start arguments', () => {
  it('--override wins over the file and the shortcuts set listeners and log.dirs', () => {
    const settings = settingsFromArgs({ host: '127.0.0.1', port: 19092, 'data-dir': '/data', override: ['num.partitions=4'], 'log-level': 'info' });
    const c = new BrokerConfig(settings);
    expect(c.listener).toEqual({ host: '127.0.0.1', port: 19092 });
    expect(c.dataDir).toBe('/data');
    expect(c.get('num.partitions')).toBe(4);
    expect(() => settingsFromArgs({ override: ['novalue'], 'log-level': 'info' })).toThrow(/Malformed --override "novalue"/);
  });
});
