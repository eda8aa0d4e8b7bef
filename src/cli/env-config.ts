/**
 * Broker configs from environment variables, the way the apache/kafka image reads them
 * (KafkaDockerWrapper.getServerConfigsFromEnv): `KAFKA_` + the config name with `.` written `_`,
 * `_` written `__` and `-` written `___`, so
 *
 *   KAFKA_LOG_RETENTION_MS=60000        -> log.retention.ms=60000
 *   KAFKA_ADVERTISED_LISTENERS=...      -> advertised.listeners=...
 *   KAFKA_LISTENER_SECURITY_PROTOCOL_MAP -> listener.security.protocol.map
 *   KAFKA_ABC__DEF / KAFKA_ABC___DEF    -> abc_def / abc-def
 *
 * Read only with `tafka start --config-from-env` (the container image passes it), so a KAFKA_*
 * variable in a developer's shell never changes a broker by surprise.
 */

/** The image's own variables that are not broker configs (the JVM's, log4j's), as Kafka's list. */
const NOT_CONFIGS = new Set([
  'KAFKA_VERSION',
  'KAFKA_HEAP_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_LOG4J_ROOT_LOGLEVEL',
  'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
  'KAFKA_JMX_HOSTNAME',
]);

/** `KAFKA_LOG_RETENTION_MS` -> `log.retention.ms`; undefined for a variable that is not a config. */
export function configNameOf(variable: string): string | undefined {
  if (!variable.startsWith('KAFKA_') || NOT_CONFIGS.has(variable) || variable.length === 'KAFKA_'.length) return undefined;
  // Kafka's order: every `_` becomes `.`, then `...` (was `___`) becomes `-` and `..` (was `__`) `_`.
  return variable.slice('KAFKA_'.length).toLowerCase().replaceAll('_', '.').replaceAll('...', '-').replaceAll('..', '_');
}

/** The config settings in `env`, sorted by name so the order never depends on the environment's. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): [string, string][] {
  const out: [string, string][] = [];
  for (const [variable, value] of Object.entries(env)) {
    const name = configNameOf(variable);
    if (name !== undefined && value !== undefined) out.push([name, value]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
