/**
 * The SASL mechanisms one listener offers (`sasl.enabled.mechanisms`, per listener), each with the
 * configuration Kafka reads for it (ChannelBuilders, JaasContext.loadServerContext):
 *
 * - PLAIN: the users of `listener.name.<l>.plain.sasl.jaas.config` (PlainLoginModule with
 *   `user_<name>="<password>"` options). Required: without it nobody could log in.
 * - SCRAM-SHA-256, SCRAM-SHA-512: the broker's SCRAM credentials (AlterUserScramCredentials, or
 *   `tafka format --add-scram`). A JAAS entry (ScramLoginModule) is accepted and not needed.
 * - OAUTHBEARER: Kafka's unsecured JWS validator, options from the JAAS entry; or, when
 *   `listener.name.<l>.oauthbearer.sasl.server.callback.handler.class` names Kafka's
 *   OAuthBearerValidatorCallbackHandler, signed tokens checked against
 *   `sasl.oauthbearer.jwks.endpoint.url` (https, refreshed every
 *   `sasl.oauthbearer.jwks.endpoint.refresh.ms`, or file:// read at start-up).
 * - GSSAPI (Kerberos, Kafka's default for sasl.enabled.mechanisms) is not supported: a listener
 *   that enables it stops start-up, naming the setting.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Clock, ScheduledTask } from '../../clock.js';
import type { BrokerConfig } from '../../config/broker-config.js';
import { ConfigError } from '../../config/parse.js';
import { parseJaasConfig, type JaasEntry } from '../jaas.js';
import { jwksValidator, parseJwks, unsecuredOptions, unsecuredValidator, type TokenValidator, type VerificationKey } from './jwt.js';
import type { SaslServerFactory } from './mechanism.js';
import { oauthBearerFactory } from './oauthbearer.js';
import { plainFactory, plainUsers } from './plain.js';
import { scramFactory, type ScramCredentialSource } from './scram.js';
import { scramMechanism } from './scram-formatter.js';

const LOGIN_MODULES: Record<string, string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  OAUTHBEARER: 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule',
};

/** Kafka's JWKS-validating callback handler, under its current and its older (3.1-3.x) name. */
const JWKS_HANDLERS = [
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
  'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler',
];

export interface ListenerMechanisms {
  /** By mechanism name, in the order sasl.enabled.mechanisms lists them. */
  readonly factories: ReadonlyMap<string, SaslServerFactory>;
  /** Stops background work (JWKS refreshes). */
  close(): void;
}

export interface MechanismDeps {
  readonly scram: ScramCredentialSource;
  readonly clock: Clock;
}

export async function listenerMechanisms(config: BrokerConfig, listener: string, deps: MechanismDeps): Promise<ListenerMechanisms> {
  const fail = (why: string) => new ConfigError(`Listener ${listener}: ${why}`);
  const enabled = [...new Set(String(config.scoped('sasl.enabled.mechanisms', listener)).split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (enabled.length === 0) throw fail('sasl.enabled.mechanisms is empty: a SASL listener needs at least one mechanism');
  const factories = new Map<string, SaslServerFactory>();
  const tasks: ScheduledTask[] = [];

  const jaas = (mechanism: string): JaasEntry | undefined => {
    const text = config.scopedOnly('sasl.jaas.config', listener, mechanism);
    if (text === null) return undefined;
    const key = `listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
    const entry = parseJaasConfig(key, text);
    if (entry.loginModule !== LOGIN_MODULES[mechanism]) throw fail(`${key} names ${entry.loginModule}; ${mechanism} takes ${LOGIN_MODULES[mechanism]}`);
    return entry;
  };

  for (const mechanism of enabled) {
    if (mechanism === 'GSSAPI') {
      throw fail('SASL mechanism GSSAPI (Kerberos) is not supported by Tafka; sasl.enabled.mechanisms (Kafka\'s default: GSSAPI) must list PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER');
    }
    const handlerClass = config.scopedOnly('sasl.server.callback.handler.class', listener, mechanism);
    if (mechanism === 'PLAIN') {
      if (handlerClass !== null) throw fail(`a custom sasl.server.callback.handler.class for PLAIN is not supported (${handlerClass})`);
      const entry = jaas('PLAIN');
      if (!entry) throw fail(`SASL/PLAIN needs its users: set listener.name.${listener.toLowerCase()}.plain.sasl.jaas.config to a PlainLoginModule with user_<name>="<password>" options`);
      factories.set(mechanism, plainFactory(plainUsers(entry.options)));
    } else if (scramMechanism(mechanism)) {
      if (handlerClass !== null) throw fail(`a custom sasl.server.callback.handler.class for ${mechanism} is not supported (${handlerClass})`);
      jaas(mechanism);
      factories.set(mechanism, scramFactory(scramMechanism(mechanism)!, deps.scram));
    } else if (mechanism === 'OAUTHBEARER') {
      const entry = jaas('OAUTHBEARER');
      let validator: TokenValidator;
      if (handlerClass === null) {
        try {
          validator = unsecuredValidator(unsecuredOptions(entry?.options ?? new Map()));
        } catch (err) {
          throw fail((err as Error).message);
        }
      } else if (JWKS_HANDLERS.includes(handlerClass)) {
        validator = await jwks(config, listener, deps.clock, fail, tasks);
      } else {
        throw fail(`sasl.server.callback.handler.class ${handlerClass} is not supported; Tafka knows ${JWKS_HANDLERS[0]}`);
      }
      factories.set(mechanism, oauthBearerFactory(validator, deps.clock));
    } else {
      throw fail(`unknown SASL mechanism ${mechanism} in sasl.enabled.mechanisms`);
    }
  }
  return { factories, close: () => tasks.forEach((t) => t.cancel()) };
}

/** The JWKS validator: keys loaded now (start-up waits for them) and, for https, refreshed. */
async function jwks(config: BrokerConfig, listener: string, clock: Clock, fail: (why: string) => Error, tasks: ScheduledTask[]): Promise<TokenValidator> {
  const url = config.scoped('sasl.oauthbearer.jwks.endpoint.url', listener);
  if (url === null) throw fail('OAuthBearerValidatorCallbackHandler needs sasl.oauthbearer.jwks.endpoint.url');
  const load = async () => {
    if (url.startsWith('file:')) return parseJwks(await readFile(fileURLToPath(url), 'utf8'));
    if (!url.startsWith('https:') && !url.startsWith('http:')) throw new Error(`unsupported URL scheme: ${url}`);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    return parseJwks(await response.text());
  };
  let keys: VerificationKey[];
  try {
    keys = await load();
  } catch (err) {
    throw fail(`cannot load the JWKS from ${url}: ${(err as Error).message}`);
  }
  if (!url.startsWith('file:')) {
    // A failed refresh keeps the keys in force (Kafka's RefreshingHttpsJwks retries likewise).
    tasks.push(clock.scheduleEvery(config.scoped('sasl.oauthbearer.jwks.endpoint.refresh.ms', listener), () => {
      load().then((k) => (keys = k), () => {});
    }));
  }
  const audience = config.scoped('sasl.oauthbearer.expected.audience', listener);
  return jwksValidator({
    subClaimName: config.scoped('sasl.oauthbearer.sub.claim.name', listener),
    scopeClaimName: config.scoped('sasl.oauthbearer.scope.claim.name', listener),
    expectedAudience: audience ? audience.split(',').map((s) => s.trim()) : [],
    expectedIssuer: config.scoped('sasl.oauthbearer.expected.issuer', listener),
    clockSkewMs: config.scoped('sasl.oauthbearer.clock.skew.seconds', listener) * 1000,
  }, () => keys);
}
