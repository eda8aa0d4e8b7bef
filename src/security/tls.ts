/**
 * A listener's TLS settings (SSL and SASL_SSL), from Kafka's ssl.* keys, each of which may be given
 * for one listener (`listener.name.<l>.ssl.keystore.location`), into Node's TLS server options.
 *
 * Key store: `ssl.keystore.type`
 * - PEM: the key and chain as text (`ssl.keystore.key`, `ssl.keystore.certificate.chain`, Kafka
 *   2.7+), or one file with both (`ssl.keystore.location`); an encrypted key takes `ssl.key.password`.
 * - PKCS12: `ssl.keystore.location` and `ssl.keystore.password`.
 * - JKS (Kafka's default type) cannot be read here: start-up stops and says how to convert it.
 * Trust store (the CAs client certificates must chain to, needed for ssl.client.auth): PEM, as
 * text (`ssl.truststore.certificates`) or a file (`ssl.truststore.location`).
 *
 * `ssl.client.auth`: none, requested (a certificate is asked for; one that does not verify fails the
 * connection, none at all leaves it anonymous) or required (mTLS). On a SASL_SSL listener only the
 * listener-scoped setting counts, as in Kafka (the client is authenticated by SASL there).
 * `ssl.enabled.protocols` picks TLSv1.2 and/or TLSv1.3; `ssl.cipher.suites` takes the suites' IANA
 * names (as Java writes them), translated to OpenSSL's for TLS 1.2.
 */
import { readFileSync } from 'node:fs';
import type { SecureVersion, TlsOptions } from 'node:tls';
import type { BrokerConfig } from '../config/broker-config.js';
import { ConfigError } from '../config/parse.js';
import type { SecurityProtocol } from '../config/listeners.js';

export type ClientAuth = 'none' | 'requested' | 'required';

export interface ListenerTls {
  readonly options: TlsOptions;
  readonly clientAuth: ClientAuth;
}

const PROTOCOLS: Record<string, SecureVersion> = { 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };

/** IANA names of common TLS 1.2 suites, and OpenSSL's names for them. TLS 1.3 suites have one name. */
const TLS12_SUITES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: 'DHE-RSA-AES128-GCM-SHA256',
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: 'DHE-RSA-AES256-GCM-SHA384',
};
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256'];

const PEM_KEY = /-----BEGIN ((?:ENCRYPTED |RSA |EC )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export function tlsFor(config: BrokerConfig, listener: string, protocol: SecurityProtocol): ListenerTls {
  const get = <K extends Parameters<BrokerConfig['scoped']>[0]>(key: K) => config.scoped(key, listener);
  const fail = (why: string) => new ConfigError(`Listener ${listener} (${protocol}): ${why}`);
  const readFile = (key: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw fail(`cannot read ${key}=${path}: ${(err as Error).message}`);
    }
  };

  const options: TlsOptions = {};
  const keystoreType = String(get('ssl.keystore.type')).toUpperCase();
  const location = get('ssl.keystore.location');
  const keyText = get('ssl.keystore.key');
  const chainText = get('ssl.keystore.certificate.chain');
  if (keyText !== null || chainText !== null) {
    if (keystoreType !== 'PEM') throw fail('ssl.keystore.key and ssl.keystore.certificate.chain need ssl.keystore.type=PEM');
    if (keyText === null || chainText === null) throw fail('ssl.keystore.type=PEM needs both ssl.keystore.key and ssl.keystore.certificate.chain');
    if (location !== null) throw fail('ssl.keystore.location cannot be set together with ssl.keystore.key');
    options.key = keyText;
    options.cert = chainText;
  } else if (location !== null) {
    const bytes = readFile('ssl.keystore.location', location);
    if (keystoreType === 'PKCS12') {
      options.pfx = bytes;
      options.passphrase = get('ssl.keystore.password') ?? undefined;
    } else if (keystoreType === 'PEM') {
      const text = bytes.toString('utf8');
      const key = PEM_KEY.exec(text)?.[0];
      const certs = text.match(PEM_CERT);
      if (!key || !certs) throw fail(`${location} must hold a PEM private key and its certificate chain`);
      options.key = key;
      options.cert = certs.join('\n');
    } else {
      throw fail(`ssl.keystore.type=${keystoreType} cannot be read by Tafka; convert the key store to PKCS12 (keytool -importkeystore -deststoretype PKCS12) or PEM`);
    }
  } else {
    throw fail('a TLS listener needs a key store: ssl.keystore.location, or ssl.keystore.key and ssl.keystore.certificate.chain with ssl.keystore.type=PEM');
  }
  if (options.key !== undefined) options.passphrase = get('ssl.key.password') ?? undefined;

  // Kafka applies ssl.client.auth to a SASL_SSL listener only when it is given for that listener.
  const clientAuth = (protocol === 'SASL_SSL' && !config.hasScoped('ssl.client.auth', listener) ? 'none' : get('ssl.client.auth')) as ClientAuth;
  const trusted = get('ssl.truststore.certificates');
  const trustLocation = get('ssl.truststore.location');
  if (trusted !== null) {
    options.ca = trusted;
  } else if (trustLocation !== null) {
    const trustType = String(get('ssl.truststore.type')).toUpperCase();
    if (trustType !== 'PEM') throw fail(`ssl.truststore.type=${trustType} cannot be read by Tafka; give the CA certificates as PEM (ssl.truststore.type=PEM)`);
    options.ca = readFile('ssl.truststore.location', trustLocation);
  } else if (clientAuth !== 'none') {
    throw fail(`ssl.client.auth=${clientAuth} needs a trust store (ssl.truststore.location or ssl.truststore.certificates) to check client certificates against`);
  }
  options.requestCert = clientAuth !== 'none';
  options.rejectUnauthorized = clientAuth === 'required';

  const versions = String(get('ssl.enabled.protocols')).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = versions.filter((v) => !PROTOCOLS[v]);
  if (unknown.length > 0 || versions.length === 0) throw fail(`ssl.enabled.protocols may list TLSv1.2 and TLSv1.3, got ${versions.join(',') || 'nothing'}`);
  const ordered = (['TLSv1.2', 'TLSv1.3'] as const).filter((v) => versions.includes(v));
  options.minVersion = ordered[0];
  options.maxVersion = ordered[ordered.length - 1];

  const suites = get('ssl.cipher.suites');
  if (suites) {
    const names = suites.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = names.filter((n) => !TLS12_SUITES[n] && !TLS13_SUITES.includes(n));
    if (bad.length > 0) throw fail(`ssl.cipher.suites: Tafka does not know the cipher suite(s) ${bad.join(', ')}`);
    const tls12 = names.filter((n) => TLS12_SUITES[n]).map((n) => TLS12_SUITES[n]);
    const tls13 = names.filter((n) => TLS13_SUITES.includes(n));
    // OpenSSL takes TLS 1.2 suites in `ciphers` and TLS 1.3 suites in `ciphersuites`; Node's option
    // accepts both lists in one string.
    options.ciphers = [...tls13, ...(tls12.length > 0 ? tls12 : ['!ALL'])].join(':');
  }
  return { options, clientAuth };
}
