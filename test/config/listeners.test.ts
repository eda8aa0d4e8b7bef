import { describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../src/config/broker-config.js';

const listeners = (...settings: [string, string][]) => new BrokerConfig(settings).listenerSettings;

describe('listeners, as Kafka parses them', () => {
  it('several listeners, each with its security protocol from the map or its own name', () => {
    const s = listeners(
      ['listeners', 'PLAINTEXT://:9092,SASL_SSL://localhost:9093,CLIENT://127.0.0.1:9094'],
      ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CLIENT:SSL'],
    );
    expect(s.client.map((l) => `${l.name} ${l.protocol} ${l.host}:${l.port}`)).toEqual([
      'PLAINTEXT PLAINTEXT :9092', 'SASL_SSL SASL_SSL localhost:9093', 'CLIENT SSL 127.0.0.1:9094',
    ]);
  });

  it('a CONTROLLER listener listed first is not bound for clients', () => {
    const s = listeners(
      ['listeners', 'CONTROLLER://:9094,PLAINTEXT://:9092'],
      ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
      ['controller.listener.names', 'CONTROLLER'],
    );
    expect(s.client.map((l) => l.name)).toEqual(['PLAINTEXT']);
    expect(s.controller.map((l) => l.name)).toEqual(['CONTROLLER']);
    // Kafka 4's own combined-mode server.properties advertises the controller listener too: accepted, not used.
    const combined = listeners(
      ['listeners', 'PLAINTEXT://:9092,CONTROLLER://:9093'], ['advertised.listeners', 'PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093'],
      ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'], ['controller.listener.names', 'CONTROLLER'],
    );
    expect([...combined.advertised.keys()]).toEqual(['PLAINTEXT']);
    expect(new BrokerConfig([
      ['listeners', 'CONTROLLER://:9094,PLAINTEXT://:9092'], ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
      ['controller.listener.names', 'CONTROLLER'],
    ]).listener).toEqual({ host: '', port: 9092 });
  });

  it('advertised per listener; a listener advertised.listeners leaves out is advertised as bound', () => {
    const s = listeners(['listeners', 'PLAINTEXT://:9092,SSL://:9093'], ['advertised.listeners', 'SSL://kafka.example:19093']);
    expect(s.advertised.get('SSL')).toEqual({ host: 'kafka.example', port: 19093 });
    expect(s.advertised.has('PLAINTEXT')).toBe(false);
  });

  it('refuses, never falls back to plaintext: an unknown listener name, a shared port', () => {
    expect(() => listeners(['listeners', 'SECURE://:9093'])).toThrow(/SECURE/);
    expect(() => listeners(['listeners', 'PLAINTEXT://:9092,SSL://:9092'])).toThrow(/different port/);
  });
});
