import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { ListenerSecurity } from '../../src/security/listener-security.js';
import { ManualClock } from '../support/manual-clock.js';

/** Builds the first listener's security as start-up does; a problem rejects with the message a person sees. */
async function security(settings: [string, string][]) {
  const config = new BrokerConfig(settings);
  return ListenerSecurity.create(config.listenerSettings.client[0], { config, clock: new ManualClock(), scram: { credential: () => undefined }, logger: pino({ level: 'silent' }) });
}

describe('a listener that cannot be served as configured stops start-up', () => {
  it('SASL with Kafka\'s default mechanism (GSSAPI, Kerberos) is refused, naming the setting', async () => {
    await expect(security([['listeners', 'SASL_PLAINTEXT://:9093']])).rejects.toThrow(/GSSAPI/);
  });

  it('PLAIN without users in the listener\'s JAAS config is refused', async () => {
    await expect(security([['listeners', 'SASL_PLAINTEXT://:9093'], ['sasl.enabled.mechanisms', 'PLAIN']])).rejects.toThrow(/jaas/i);
  });

  it('TLS without a key store, or with a JKS one, is refused', async () => {
    await expect(security([['listeners', 'SSL://:9093']])).rejects.toThrow(/keystore|key store/i);
    await expect(security([['listeners', 'SSL://:9093'], ['ssl.keystore.location', '/nonexistent.jks']])).rejects.toThrow(/JKS|keystore/i);
  });

  it('PLAINTEXT and SCRAM-only listeners need nothing more', async () => {
    (await security([['listeners', 'PLAINTEXT://:9092']])).close();
    (await security([['listeners', 'SASL_PLAINTEXT://:9093'], ['sasl.enabled.mechanisms', 'SCRAM-SHA-256,SCRAM-SHA-512']])).close();
  });
});
