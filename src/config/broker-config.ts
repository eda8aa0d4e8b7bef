/**
 * The broker's configuration: every broker key's value in force, typed by its row in broker-keys.ts.
 *
 * Values come, lowest precedence first, from Kafka's defaults, a `server.properties` file, and
 * `--override key=value` flags (plus the `--host/--port/--data-dir` shortcuts). A value of the wrong
 * kind for a key Tafka uses stops start-up with a message naming it, as Kafka's KafkaConfig does; a
 * key Tafka does not use (a typo, or a Kafka key with no meaning here) is only collected in `ignored`
 * for start-up to log, as Kafka warns "supplied but isn't a known config" and goes on.
 *
 * On top of those static values come the dynamic broker configs (KIP-226, src/config/dynamic.ts):
 * the cluster-wide defaults (resource name "") and, above them, this broker's own (resource name =
 * node id). `get` always answers the value in force, so whoever reads the config when it acts sees
 * a change at once.
 */
import { ACCEPTED_BROKER_KEYS, BROKER_CONFIGS, brokerKey, type BrokerKey } from './broker-keys.js';
import type { Synonym } from './definition.js';
import { ConfigError, parseBrokerValue, type BrokerValue } from './parse.js';
import { scopedKeyName } from './listener-keys.js';
import { advertisedHost, resolveListeners, type ListenerSettings } from './listeners.js';
import { TOPIC_CONFIGS } from './topic-keys.js';

type Row<K extends BrokerKey> = (typeof BROKER_CONFIGS)[K];
type ValueOfType<T> = T extends 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' ? number : T extends 'BOOLEAN' ? boolean : string;

export type ConfigKey = BrokerKey;

/** The two layers of dynamic broker configs, highest precedence last. */
export type DynamicScope = 'cluster-default' | 'this-broker';
/** The type `get(key)` returns: from the row's type, and nullable when the row has no default. */
export type ConfigValue<K extends ConfigKey> = ValueOfType<Row<K>['type']> | (Row<K>['default'] extends null ? null : never);

/** Every key's default, parsed once. */
const DEFAULTS: ReadonlyMap<string, BrokerValue | null> = new Map(
  Object.entries(BROKER_CONFIGS).map(([key, def]) => [key, def.default === null ? null : parseBrokerValue(key, def, def.default)]),
);

export class BrokerConfig {
  /** Static values: Kafka's defaults under the file and the overrides. */
  private readonly values = new Map(DEFAULTS);
  /** Keys set explicitly (file or overrides), for DescribeConfigs' "source". */
  readonly explicit: ReadonlySet<string>;
  /** The dynamic layers as stored (text; names Tafka does not know included), and their parsed values. */
  private readonly dynamicTexts: Record<DynamicScope, ReadonlyMap<string, string>> = { 'cluster-default': new Map(), 'this-broker': new Map() };
  private readonly dynamicValues: Record<DynamicScope, ReadonlyMap<string, BrokerValue>> = { 'cluster-default': new Map(), 'this-broker': new Map() };
  /** Keys supplied that Tafka does not use, in the order given; start-up logs them as ignored. */
  readonly ignored: readonly string[];

  constructor(settings: Iterable<[string, string]> = []) {
    const explicit = new Set<string>();
    const ignored: string[] = [];
    for (const [key, text] of settings) {
      const def = brokerKey(key);
      if (!def || def.synonymOnly) {
        if (!ignored.includes(key)) ignored.push(key);
        continue;
      }
      this.values.set(key, parseBrokerValue(key, def, text));
      explicit.add(key);
    }
    this.explicit = explicit;
    void this.adminListener; // a malformed host:port stops start-up here, not when the server binds
    this.ignored = ignored;
    if (this.values.get('broker.id') !== null && !explicit.has('node.id')) {
      this.values.set('node.id', this.values.get('broker.id')!);
    }
    void this.listenerSettings; // a listener that cannot be served stops start-up here, naming it
  }

  /** The value in force: this broker's dynamic value, else the cluster-wide dynamic default, else the static one. */
  get<K extends ConfigKey>(key: K): ConfigValue<K> {
    return this.lookup(key) as ConfigValue<K>;
  }

  private lookup(key: string): BrokerValue | null {
    return this.dynamicValues['this-broker'].get(key) ?? this.dynamicValues['cluster-default'].get(key) ?? this.values.get(key) ?? null;
  }

  /** The value from Kafka's default, server.properties or an override, under any dynamic one. */
  staticValue(key: string): BrokerValue | null {
    return this.values.get(key) ?? null;
  }

  /**
   * Replaces one layer of dynamic configs. The values must have been validated (src/config/dynamic.ts);
   * names outside the table are kept as text only, as Kafka keeps names it does not know.
   */
  setDynamic(scope: DynamicScope, configs: Readonly<Record<string, string>>): void {
    const values = new Map<string, BrokerValue>();
    for (const [key, text] of Object.entries(configs)) {
      const def = brokerKey(key);
      if (def) values.set(key, parseBrokerValue(key, def, text));
    }
    this.dynamicTexts[scope] = new Map(Object.entries(configs));
    this.dynamicValues[scope] = values;
  }

  /** One layer of dynamic configs, as stored. */
  dynamic(scope: DynamicScope): ReadonlyMap<string, string> {
    return this.dynamicTexts[scope];
  }

  isInert(key: string): boolean {
    return brokerKey(key)?.inert === true;
  }

  /** The keys a server.properties may set, with their values in force. */
  entries(): [string, BrokerValue | null][] {
    return ACCEPTED_BROKER_KEYS.map((key) => [key, this.lookup(key)]);
  }

  /**
   * The value of the first key of a synonym chain that has one, converted by its factor: Kafka's
   * precedence of `.ms` over `.minutes` over `.hours`. Null when none has a value.
   */
  firstOf(chain: readonly Synonym[]): BrokerValue | null {
    for (const [key, factor] of chain) {
      const value = this.lookup(key);
      if (value !== null) return typeof value === 'number' ? value * factor : value;
    }
    return null;
  }

  /** `log.dirs` wins over `log.dir`, as in Kafka; Tafka uses the first directory. */
  get dataDir(): string {
    const dirs = this.get('log.dirs') ?? this.get('log.dir');
    return dirs.split(',')[0].trim();
  }

  /** Kafka's precedence: log.retention.ms, then .minutes, then .hours. */
  get retentionMs(): number {
    return this.firstOf(TOPIC_CONFIGS['retention.ms']!.synonyms!) as number;
  }

  /** log.roll.ms, else log.roll.hours. */
  get rollMs(): number {
    return this.firstOf(TOPIC_CONFIGS['segment.ms']!.synonyms!) as number;
  }

  /** The listeners as a whole (src/config/listeners.ts); read afresh, as advertised.listeners may change at runtime. */
  get listenerSettings(): ListenerSettings {
    const memoKey = `${this.get('listeners')}|${this.get('advertised.listeners')}|${this.get('listener.security.protocol.map')}`;
    if (this.listenerMemo?.key !== memoKey) this.listenerMemo = { key: memoKey, settings: this.resolveListeners() };
    return this.listenerMemo.settings;
  }

  private listenerMemo: { key: string; settings: ListenerSettings } | undefined;

  private resolveListeners(): ListenerSettings {
    return resolveListeners({
      listeners: this.get('listeners'),
      advertisedListeners: this.get('advertised.listeners'),
      protocolMap: this.get('listener.security.protocol.map'),
      protocolMapExplicit: this.explicit.has('listener.security.protocol.map'),
      controllerListenerNames: this.get('controller.listener.names'),
      interBrokerListenerName: this.get('inter.broker.listener.name'),
      securityInterBrokerProtocolExplicit: this.explicit.has('security.inter.broker.protocol'),
    });
  }

  /** The first listener bound for clients: host ("" = all interfaces) and port. */
  get listener(): { host: string; port: number } {
    const { host, port } = this.listenerSettings.client[0];
    return { host, port };
  }

  /** Where the admin HTTP server listens (`tafka.admin.listener`), or undefined when it is off. */
  get adminListener(): { host: string; port: number } | undefined {
    const value = this.get('tafka.admin.listener').trim();
    return value === '' ? undefined : parseListener('tafka.admin.listener', value, 'host:port');
  }

  /** What clients of the first listener are told to connect to: its advertised listener, else the listener (localhost for ""). */
  get advertised(): { host: string; port: number } {
    const settings = this.listenerSettings;
    const first = settings.client[0];
    return settings.advertised.get(first.name) ?? { host: advertisedHost(first.host), port: first.port };
  }

  /**
   * A key given for one listener, or one mechanism on one listener (src/config/listener-keys.ts):
   * the mechanism-scoped value, else the listener-scoped one, else null — Kafka's order when it
   * builds a listener's channel (ChannelBuilders). The plain key is not consulted.
   */
  scopedOnly<K extends ConfigKey>(key: K, listener: string, mechanism?: string): ConfigValue<K> | null {
    const names = mechanism ? [scopedKeyName(listener, key, mechanism), scopedKeyName(listener, key)] : [scopedKeyName(listener, key)];
    for (const name of names) {
      const v = this.values.get(name);
      if (v !== undefined && v !== null) return v as ConfigValue<K>;
    }
    return null;
  }

  /** A listener's value of `key`: scoped (see scopedOnly), else the plain key's. */
  scoped<K extends ConfigKey>(key: K, listener: string, mechanism?: string): ConfigValue<K> {
    return this.scopedOnly(key, listener, mechanism) ?? this.get(key);
  }

  /** Whether `key` was written for this listener (or this mechanism on it). */
  hasScoped(key: ConfigKey, listener: string, mechanism?: string): boolean {
    return this.scopedOnly(key, listener, mechanism) !== null;
  }
}

/** `PLAINTEXT://host:port` (first of a comma-separated list). */
export function parseListener(key: string, value: string, form = 'PLAINTEXT://host:port'): { host: string; port: number } {
  const first = value.split(',')[0].trim();
  const m = /^(?:[A-Za-z_]+:\/\/)?(\[[^\]]*\]|[^:]*):(\d+)$/.exec(first);
  if (!m) throw new ConfigError(`Invalid value "${value}" for configuration ${key}: expected ${form}`);
  const host = m[1].replace(/^\[|\]$/g, '');
  return { host, port: Number(m[2]) };
}
