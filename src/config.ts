/**
 * Broker configuration under Kafka's own names and defaults.
 *
 * Values come, lowest precedence first, from Kafka's defaults, a `server.properties` file, and
 * `--override key=value` flags (plus the `--host/--port/--data-dir` shortcuts). An unknown key or a
 * value of the wrong kind stops start-up with a message naming it, as Kafka's KafkaConfig does.
 */
export class ConfigError extends Error {
  readonly code = 'TAFKA_ERR_CONFIG';
}

type Kind = 'int' | 'long' | 'bool' | 'string' | 'list' | 'enum';

interface Definition {
  readonly kind: Kind;
  readonly default: number | boolean | string | null;
  readonly values?: readonly string[];
  /** Accepted for compatibility with Kafka's server.properties, without effect on a single node. */
  readonly inert?: boolean;
}

const int = <D extends number | null>(d: D) => ({ kind: 'int' as const, default: d });
const long = <D extends number | null>(d: D) => ({ kind: 'long' as const, default: d });
const bool = (d: boolean) => ({ kind: 'bool' as const, default: d });
const str = <D extends string | null>(d: D) => ({ kind: 'string' as const, default: d });
const oneOf = (d: string, values: readonly string[]) => ({ kind: 'enum' as const, default: d, values });
const inert = <D extends Definition>(d: D): D => ({ ...d, inert: true });

const LONG_MAX = Number.MAX_SAFE_INTEGER; // Kafka's Long.MAX_VALUE, as far as a JS number goes

export const DEFINITIONS = {
  'node.id': int(1),
  'broker.id': int(null),
  'listeners': str('PLAINTEXT://:9092'),
  'advertised.listeners': str(null),
  'broker.rack': str(null),
  'log.dirs': str(null),
  'log.dir': str('/tmp/kafka-logs'),
  'num.partitions': int(1),
  'default.replication.factor': int(1),
  'auto.create.topics.enable': bool(true),
  'delete.topic.enable': bool(true),
  'socket.request.max.bytes': int(104857600),
  'message.max.bytes': int(1048588),
  'log.segment.bytes': int(1073741824),
  'log.roll.ms': long(null),
  'log.roll.hours': int(168),
  'log.retention.ms': long(null),
  'log.retention.minutes': int(null),
  'log.retention.hours': int(168),
  'log.retention.bytes': long(-1),
  'log.retention.check.interval.ms': long(300000),
  'log.index.interval.bytes': int(4096),
  'log.index.size.max.bytes': int(10485760),
  'log.flush.interval.messages': long(LONG_MAX),
  'log.flush.interval.ms': long(null),
  'log.message.timestamp.type': oneOf('CreateTime', ['CreateTime', 'LogAppendTime']),
  'log.cleanup.policy': oneOf('delete', ['delete', 'compact', 'compact,delete', 'delete,compact']),
  'group.initial.rebalance.delay.ms': int(3000),
  'group.min.session.timeout.ms': int(6000),
  'group.max.session.timeout.ms': int(1800000),
  'group.max.size': int(2147483647),
  'offsets.retention.minutes': int(10080),
  'offsets.retention.check.interval.ms': long(600000),
  'offset.metadata.max.bytes': int(4096),
  'offsets.topic.num.partitions': inert(int(50)),
  'offsets.topic.replication.factor': inert(int(3)),
  'transaction.state.log.replication.factor': inert(int(3)),
  'transaction.state.log.min.isr': inert(int(2)),
  'transactional.id.expiration.ms': int(604800000),
  'producer.id.expiration.ms': int(86400000),
  'producer.id.expiration.check.interval.ms': int(600000),
  'min.insync.replicas': int(1),
  'process.roles': inert(str(null)),
  'controller.quorum.voters': inert(str(null)),
  'controller.quorum.bootstrap.servers': inert(str(null)),
  'controller.listener.names': inert(str(null)),
  'inter.broker.listener.name': inert(str(null)),
  'listener.security.protocol.map': inert(str(null)),
  'num.network.threads': inert(int(3)),
  'num.io.threads': inert(int(8)),
  'num.recovery.threads.per.data.dir': inert(int(1)),
  'socket.send.buffer.bytes': inert(int(102400)),
  'socket.receive.buffer.bytes': inert(int(102400)),
  'share.coordinator.state.topic.replication.factor': inert(int(3)),
  'share.coordinator.state.topic.min.isr': inert(int(2)),
} satisfies Record<string, Definition>;

export type ConfigKey = keyof typeof DEFINITIONS;
type ValueOf<D extends Definition> = D['kind'] extends 'int' | 'long'
  ? number
  : D['kind'] extends 'bool'
    ? boolean
    : string;
export type ConfigValue<K extends ConfigKey> =
  | ValueOf<(typeof DEFINITIONS)[K]>
  | ((typeof DEFINITIONS)[K]['default'] extends null ? null : never);

function parseValue(key: string, def: Definition, text: string): number | boolean | string {
  const value = text.trim();
  switch (def.kind) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(value)) throw new ConfigError(`Invalid value "${text}" for configuration ${key}: not a number`);
      const n = Number(value);
      if (def.kind === 'int' && (n > 2147483647 || n < -2147483648)) {
        throw new ConfigError(`Invalid value "${text}" for configuration ${key}: out of int range`);
      }
      return n;
    }
    case 'bool':
      if (value !== 'true' && value !== 'false') {
        throw new ConfigError(`Invalid value "${text}" for configuration ${key}: expected true or false`);
      }
      return value === 'true';
    case 'enum':
      if (!def.values!.includes(value)) {
        throw new ConfigError(`Invalid value "${text}" for configuration ${key}: must be one of ${def.values!.join(', ')}`);
      }
      return value;
    default:
      return value;
  }
}

/** Parses Java-properties text: `key=value` or `key: value` lines, `#`/`!` comments. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) throw new ConfigError(`Malformed line in properties: "${line}"`);
    out.set(m[1], m[2]);
  }
  return out;
}

export class BrokerConfig {
  private readonly values = new Map<string, number | boolean | string | null>();
  /** Keys set explicitly (file or overrides), for DescribeConfigs' "source". */
  readonly explicit: ReadonlySet<string>;

  constructor(settings: Iterable<[string, string]> = []) {
    const explicit = new Set<string>();
    for (const [key, def] of Object.entries(DEFINITIONS)) this.values.set(key, def.default);
    for (const [key, text] of settings) {
      const def = (DEFINITIONS as Record<string, Definition>)[key];
      if (!def) throw new ConfigError(`Unknown configuration "${key}"`);
      this.values.set(key, parseValue(key, def, text));
      explicit.add(key);
    }
    this.explicit = explicit;
    if (this.values.get('broker.id') !== null && !explicit.has('node.id')) {
      this.values.set('node.id', this.values.get('broker.id')!);
    }
  }

  get<K extends ConfigKey>(key: K): ConfigValue<K> {
    return this.values.get(key) as ConfigValue<K>;
  }

  isInert(key: string): boolean {
    return (DEFINITIONS as Record<string, Definition>)[key]?.inert === true;
  }

  entries(): [string, number | boolean | string | null][] {
    return [...this.values.entries()];
  }

  /** `log.dirs` wins over `log.dir`, as in Kafka; Tafka uses the first directory. */
  get dataDir(): string {
    const dirs = this.get('log.dirs') ?? this.get('log.dir');
    return dirs.split(',')[0].trim();
  }

  /** Kafka's precedence: log.retention.ms, then .minutes, then .hours. */
  get retentionMs(): number {
    const ms = this.get('log.retention.ms');
    if (ms !== null) return ms;
    const minutes = this.get('log.retention.minutes');
    if (minutes !== null) return minutes * 60_000;
    return this.get('log.retention.hours') * 3_600_000;
  }

  get rollMs(): number {
    return this.get('log.roll.ms') ?? this.get('log.roll.hours') * 3_600_000;
  }

  /** The listener to bind: host ("" = all interfaces) and port. */
  get listener(): { host: string; port: number } {
    return parseListener('listeners', this.get('listeners'));
  }

  /** What clients are told to connect to: advertised.listeners, else the listener (localhost for ""). */
  get advertised(): { host: string; port: number } {
    const adv = this.get('advertised.listeners');
    const l = adv ? parseListener('advertised.listeners', adv) : this.listener;
    return { host: l.host === '' || l.host === '0.0.0.0' ? 'localhost' : l.host, port: l.port };
  }
}

/** `PLAINTEXT://host:port` (first of a comma-separated list). */
export function parseListener(key: string, value: string): { host: string; port: number } {
  const first = value.split(',')[0].trim();
  const m = /^(?:[A-Za-z_]+:\/\/)?(\[[^\]]*\]|[^:]*):(\d+)$/.exec(first);
  if (!m) throw new ConfigError(`Invalid value "${value}" for configuration ${key}: expected PLAINTEXT://host:port`);
  const host = m[1].replace(/^\[|\]$/g, '');
  return { host, port: Number(m[2]) };
}
