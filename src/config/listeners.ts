/**
 * Listeners as Kafka reads them: `listeners`, `advertised.listeners`, `listener.security.protocol.map`,
 * `controller.listener.names` and `inter.broker.listener.name` (KafkaConfig, SocketServerConfigs).
 *
 *   listeners=PLAINTEXT://:9092,SASL_SSL://:9093,CONTROLLER://:9094
 *   listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
 *   controller.listener.names=CONTROLLER
 *
 * Each entry is NAME://host:port; the name (upper-cased, as Kafka's ListenerName.normalised) picks a
 * security protocol from the map, whose default maps the four protocol names to themselves. An
 * empty host means every interface. Tafka has no KRaft controller role, so a controller listener is
 * parsed and checked but never bound: clients only ever reach the other listeners.
 *
 * Everything wrong stops start-up with Kafka's message (a ConfigError): an entry that does not parse,
 * a listener without a protocol, a protocol that does not exist, two listeners with one name or one
 * port, an advertised listener that is not a listener, and so on. Nothing falls back to plaintext.
 */
import { ConfigError } from './parse.js';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export interface ListenerEndpoint {
  /** The listener name, upper case ("PLAINTEXT", "CLIENT_TLS"). */
  readonly name: string;
  readonly protocol: SecurityProtocol;
  /** "" for every interface. */
  readonly host: string;
  readonly port: number;
}

/** What the listener settings say, checked as a whole. */
export interface ListenerSettings {
  /** The listeners to bind for clients, in the order written. */
  readonly client: readonly ListenerEndpoint[];
  /** Listeners named in controller.listener.names: checked, not bound. */
  readonly controller: readonly ListenerEndpoint[];
  /** Where clients are told to connect, by listener name (advertised.listeners; a listener it leaves out is advertised as bound). */
  readonly advertised: ReadonlyMap<string, { host: string; port: number }>;
}

/** The raw settings, as BrokerConfig holds them. */
export interface ListenerKeys {
  readonly listeners: string;
  readonly advertisedListeners: string | null;
  readonly protocolMap: string;
  /** Whether listener.security.protocol.map was written, not defaulted. */
  readonly protocolMapExplicit: boolean;
  readonly controllerListenerNames: string | null;
  readonly interBrokerListenerName: string | null;
  readonly securityInterBrokerProtocolExplicit: boolean;
}

const ENTRY = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

const csv = (value: string | null): string[] => (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

function isProtocol(name: string): name is SecurityProtocol {
  return (SECURITY_PROTOCOLS as readonly string[]).includes(name);
}

/** listener.security.protocol.map, NAME:PROTOCOL pairs (Kafka's getMap). */
export function parseProtocolMap(value: string): Map<string, SecurityProtocol> {
  const out = new Map<string, SecurityProtocol>();
  for (const pair of csv(value)) {
    const colon = pair.lastIndexOf(':');
    const name = pair.slice(0, colon).trim();
    const protocol = pair.slice(colon + 1).trim().toUpperCase();
    if (colon <= 0 || name === '') throw new ConfigError(`Invalid value "${value}" for configuration listener.security.protocol.map: Map entry should be of form <key>:<value>`);
    if (!isProtocol(protocol)) {
      throw new ConfigError(`Invalid value "${value}" for configuration listener.security.protocol.map: unsupported security protocol ${pair.slice(colon + 1).trim()} (Tafka speaks ${SECURITY_PROTOCOLS.join(', ')})`);
    }
    out.set(name.toUpperCase(), protocol);
  }
  return out;
}

/** One comma-separated list of NAME://host:port entries (SocketServerConfigs.listenerListToEndPoints). */
export function parseEndpoints(key: string, value: string, protocols: ReadonlyMap<string, SecurityProtocol>): ListenerEndpoint[] {
  const fail = (why: string) => new ConfigError(`Error creating broker listeners from '${value}' (${key}): ${why}`);
  const endpoints = csv(value).map((entry) => {
    const m = ENTRY.exec(entry);
    if (!m) throw fail(`Unable to parse ${entry} to a broker endpoint`);
    const name = m[1].toUpperCase();
    const protocol = protocols.get(name);
    if (!protocol) throw fail(`No security protocol defined for listener ${name}`);
    const port = Number(m[3]);
    if (port < 0 || port > 65535) throw fail(`port ${port} of listener ${name} is out of range`);
    return { name, protocol, host: m[2], port };
  });
  const names = endpoints.map((e) => e.name);
  if (new Set(names).size !== names.length) throw new ConfigError(`Each listener must have a different name, ${key}: ${value}`);
  return endpoints;
}

/** Kafka requires distinct ports (port 0, "any free port", excepted). */
function checkDistinctPorts(value: string, endpoints: readonly ListenerEndpoint[]): void {
  const ports = endpoints.filter((e) => e.port !== 0).map((e) => e.port);
  const dup = ports.find((p, i) => ports.indexOf(p) !== i);
  if (dup !== undefined) throw new ConfigError(`Each listener must have a different port, listeners: ${value}, port: ${dup}`);
}

/**
 * The protocol map in force: as written, or Kafka's default plus — in KRaft mode with the map not
 * written and no SSL or SASL listener — PLAINTEXT for every controller listener name
 * (KafkaConfig.effectiveListenerSecurityProtocolMap).
 */
function effectiveProtocolMap(keys: ListenerKeys, controllerNames: readonly string[]): Map<string, SecurityProtocol> {
  const map = parseProtocolMap(keys.protocolMap);
  if (keys.protocolMapExplicit) return map;
  const secured = (n: string) => n === 'SSL' || n === 'SASL_SSL' || n === 'SASL_PLAINTEXT';
  const listenerNames = csv(keys.listeners).map((e) => e.split('://')[0].toUpperCase());
  if (controllerNames.some(secured) || listenerNames.some(secured)) return map;
  for (const n of controllerNames) if (!map.has(n)) map.set(n, 'PLAINTEXT');
  return map;
}

export function resolveListeners(keys: ListenerKeys): ListenerSettings {
  const controllerNames = csv(keys.controllerListenerNames).map((n) => n.toUpperCase());
  const protocols = effectiveProtocolMap(keys, controllerNames);
  const all = parseEndpoints('listeners', keys.listeners, protocols);
  checkDistinctPorts(keys.listeners, all);
  const client = all.filter((e) => !controllerNames.includes(e.name));
  const controller = all.filter((e) => controllerNames.includes(e.name));
  if (client.length === 0) throw new ConfigError(`listeners must contain at least one listener that is not a controller listener: ${keys.listeners}`);

  const advertised = new Map<string, { host: string; port: number }>();
  if (keys.advertisedListeners) {
    for (const e of parseEndpoints('advertised.listeners', keys.advertisedListeners, protocols)) {
      // A combined broker+controller (Kafka 4's own server.properties) advertises its controller
      // listener too (KIP-853); Tafka has no controller to advertise, so the entry is skipped.
      if (controllerNames.includes(e.name)) continue;
      if (!client.some((l) => l.name === e.name)) {
        throw new ConfigError(`advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${e.name}. The valid options based on the current configuration are ${client.map((l) => l.name).join(',')}`);
      }
      if (e.host === '0.0.0.0') throw new ConfigError('advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.');
      advertised.set(e.name, { host: e.host, port: e.port });
    }
  }

  if (keys.interBrokerListenerName !== null) {
    const name = keys.interBrokerListenerName.toUpperCase();
    if (keys.securityInterBrokerProtocolExplicit) throw new ConfigError('Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.');
    if (controllerNames.includes(name)) throw new ConfigError('controller.listener.names must not contain a value appearing in the inter.broker.listener.name configuration when running KRaft with just the broker role');
    if (!client.some((l) => l.name === name)) {
      throw new ConfigError(`inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${client.map((l) => l.name).join(',')}`);
    }
  }
  return { client, controller, advertised };
}

/** The host clients are told for a listener bound to `host`: "localhost" for every interface. */
export function advertisedHost(host: string): string {
  return host === '' || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}

/** Checks that every entry of a listener list parses, without resolving protocols (a dynamic advertised.listeners). */
export function checkEndpointSyntax(key: string, value: string): void {
  for (const entry of csv(value)) {
    if (!ENTRY.test(entry)) throw new ConfigError(`Error creating broker listeners from '${value}' (${key}): Unable to parse ${entry} to a broker endpoint`);
  }
}
