/**
 * Dynamic broker configs (KIP-226, Kafka's DynamicBrokerConfig): broker keys changed while the
 * broker runs, through AlterConfigs / IncrementalAlterConfigs on a BROKER resource — "" for the
 * cluster-wide default, "<node.id>" for one broker, which wins over the default. Both win over
 * server.properties.
 *
 * Which keys: those Kafka can change at runtime, recorded as `dynamic` in broker-keys.ts (the log
 * defaults such as log.retention.ms, log.segment.bytes, message.max.bytes; thread pools; listeners;
 * ...). A key Kafka cannot change — num.partitions, log.dirs, log.retention.hours, ... — is refused
 * with Kafka's message. A name Kafka does not know is accepted and kept as text, as Kafka does (its
 * broker ConfigDef allows custom properties); it is described as sensitive, with no value.
 *
 * A change is validated, written to disk (dynamic-store.ts), then put in force in the BrokerConfig,
 * and whoever listens (the partition logs) is told, so topics without an override of their own run
 * under the new default at once.
 */
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerConfig, DynamicScope } from './broker-config.js';
import { brokerKey } from './broker-keys.js';
import { DynamicConfigStore, type ConfigRecord } from './dynamic-store.js';
import { checkEndpointSyntax } from './listeners.js';
import { ConfigError } from './parse.js';
import { normalizeConfigValue } from './topic-values.js';

const BROKER_RESOURCE = 4;

/** Kafka's messages print a set of names as Scala prints it. */
const scalaSet = (names: readonly string[]) => `Set(${names.join(', ')})`;

/**
 * Keys Kafka can change at runtime but Tafka cannot: it binds its one listener at start-up. Refused
 * with an honest message rather than accepted and ignored.
 */
const NOT_LIVE_IN_TAFKA: ReadonlySet<string> = new Set(['listeners', 'listener.security.protocol.map']);

/** Listener values are parsed when they are used, so a bad one is refused here, not on the next Metadata. */
const LISTENER_KEYS: ReadonlySet<string> = new Set(['listeners', 'advertised.listeners']);

/**
 * Checks a resource's complete new set of dynamic configs as Kafka's DynamicBrokerConfig.validate
 * does, in its order, and returns it with each value in Kafka's printed form. Everything it refuses
 * is 42 INVALID_REQUEST (Kafka turns its ConfigException into that, KAFKA-13609).
 */
export function validateDynamicConfigs(scope: DynamicScope, props: Readonly<Record<string, string>>): Record<string, string> {
  const names = Object.keys(props);
  const refuse = (message: string) => new KafkaError(ErrorCode.INVALID_REQUEST, message);
  const readOnly = names.filter((n) => brokerKey(n) !== undefined && brokerKey(n)!.dynamic === undefined);
  if (readOnly.length > 0) throw refuse(`Cannot update these configs dynamically: ${scalaSet(readOnly)}`);
  const notLive = names.filter((n) => NOT_LIVE_IN_TAFKA.has(n));
  if (notLive.length > 0) throw refuse(`Tafka cannot change these configs while running, set them in server.properties and restart: ${scalaSet(notLive)}`);
  const out: Record<string, string> = {};
  for (const name of names) {
    const def = brokerKey(name);
    out[name] = def ? normalizeConfigValue(name, def, props[name]!, ErrorCode.INVALID_REQUEST) : props[name]!;
    if (LISTENER_KEYS.has(name)) {
      try {
        checkEndpointSyntax(name, out[name]);
      } catch (err) {
        if (err instanceof ConfigError) throw refuse(err.message);
        throw err;
      }
    }
  }
  const perBroker = names.filter((n) => brokerKey(n)?.dynamic === 'per-broker');
  if (scope === 'cluster-default' && perBroker.length > 0) {
    throw refuse(`Cannot update these configs at default cluster level, broker id must be specified: ${scalaSet(perBroker)}`);
  }
  return out;
}

export interface DynamicBrokerConfigsOptions {
  readonly config: BrokerConfig;
  readonly store: DynamicConfigStore;
  readonly nodeId: number;
  readonly logger: Logger;
}

export class DynamicBrokerConfigs {
  private readonly listeners: (() => void)[] = [];
  /** Changes one at a time, so each one's file write includes every earlier change. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly opts: DynamicBrokerConfigsOptions) {}

  /**
   * Reads the stored configs and puts them in force. Like Kafka reading its metadata, it ignores
   * (with a warning) what is no longer valid — another broker's configs, a key that stopped being
   * dynamic, a bad value — rather than refusing to start.
   */
  static async open(opts: DynamicBrokerConfigsOptions): Promise<DynamicBrokerConfigs> {
    const dynamic = new DynamicBrokerConfigs(opts);
    const layers: Record<DynamicScope, Record<string, string>> = { 'cluster-default': {}, 'this-broker': {} };
    for (const r of await opts.store.load()) {
      const scope = r.resourceName === '' ? 'cluster-default' : r.resourceName === String(opts.nodeId) ? 'this-broker' : undefined;
      if (r.resourceType !== BROKER_RESOURCE || scope === undefined) continue;
      try {
        Object.assign(layers[scope], validateDynamicConfigs(scope, { [r.name]: r.value }));
      } catch (err) {
        opts.logger.warn({ err, config: r.name, resource: r.resourceName }, 'ignoring a stored dynamic broker config');
      }
    }
    for (const scope of ['cluster-default', 'this-broker'] as const) opts.config.setDynamic(scope, layers[scope]);
    return dynamic;
  }

  /** Called after every change in force (to re-apply log settings). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** One layer's configs as stored. */
  current(scope: DynamicScope): Record<string, string> {
    return Object.fromEntries(this.opts.config.dynamic(scope));
  }

  /**
   * Replaces one layer with `next` (the whole set: what AlterConfigs sends, or the result of
   * IncrementalAlterConfigs' operations): validated, then — unless `validateOnly` — stored and put
   * in force. Throws the KafkaError to answer.
   */
  alter(scope: DynamicScope, next: Readonly<Record<string, string>>, validateOnly: boolean): Promise<void> {
    const valid = validateDynamicConfigs(scope, next);
    if (validateOnly) return Promise.resolve();
    const run = this.queue.catch(() => {}).then(async () => {
      const layers = { 'cluster-default': this.current('cluster-default'), 'this-broker': this.current('this-broker'), [scope]: valid };
      await this.opts.store.save(this.records(layers));
      this.opts.config.setDynamic(scope, valid);
      for (const l of this.listeners) l();
      this.opts.logger.info({ resource: this.resourceName(scope), configs: valid }, 'altered dynamic broker configs');
    });
    this.queue = run;
    return run;
  }

  private resourceName(scope: DynamicScope): string {
    return scope === 'cluster-default' ? '' : String(this.opts.nodeId);
  }

  private records(layers: Record<DynamicScope, Record<string, string>>): ConfigRecord[] {
    return (['cluster-default', 'this-broker'] as const).flatMap((scope) =>
      Object.entries(layers[scope]).map(([name, value]) => ({ resourceType: BROKER_RESOURCE, resourceName: this.resourceName(scope), name, value })));
  }
}
