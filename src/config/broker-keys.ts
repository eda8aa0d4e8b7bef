/**
 * Every broker key Tafka knows, one row each: Kafka 4.x's type, default and validator
 * (KafkaConfig and the *Configs classes it gathers), whether Kafka can change it at runtime
 * (DynamicBrokerConfig — AlterConfigs on a BROKER resource may then change it, src/config/dynamic.ts),
 * and whether Tafka acts on it.
 *
 * Three kinds of rows:
 * - keys Tafka acts on (`num.partitions`, `log.retention.hours`, ...);
 * - `inert` keys, accepted so that a Kafka server.properties starts Tafka unchanged, but without
 *   effect on a single node (thread pools, controller quorum, internal-topic replication);
 * - `synonymOnly` keys, which Tafka refuses at start-up but which a topic key falls back to
 *   (`compression.type`, `log.preallocate`, ...): DescribeConfigs lists their defaults among a topic
 *   config's synonyms, as Kafka does.
 *
 * Start-up checks each value's type and valid strings (src/config/parse.ts). The ranges are
 * recorded for topic-key comparison (test/config/table.test.ts) and for dynamic broker configs;
 * start-up does not enforce them.
 */
import { LONG_MAX, type BrokerKeyDefinition } from './definition.js';
import { parseScopedKey } from './listener-keys.js';

const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'];
const CLEANUP_POLICIES = ['compact', 'delete'];
const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];

export const BROKER_CONFIGS = {
  // ------------------------------------------------------------------ identity and listeners
  // Kafka's default is -1 (must be set); Tafka's is 1, so a bare `tafka start` works.
  'node.id': { type: 'INT', default: '1', doc: 'This node\'s id, shown in Metadata and stored in meta.properties.' },
  // Kafka: -1. Tafka leaves it unset, so that node.id decides.
  'broker.id': { type: 'INT', default: null, doc: 'The older name of node.id; used for node.id when node.id is not set.' },
  'listeners': { type: 'STRING', default: 'PLAINTEXT://:9092', dynamic: 'per-broker', doc: 'Where to accept connections: NAME://host:port, comma separated (empty host: all interfaces).' },
  'advertised.listeners': { type: 'STRING', default: null, dynamic: 'per-broker', doc: 'The NAME://host:port clients are told to connect to, per listener, when it differs from listeners.' },
  'broker.rack': { type: 'STRING', default: null, doc: 'The rack reported for this broker in Metadata and DescribeCluster.' },

  // ------------------------------------------------------------------ protocol
  // Tafka's own key: Kafka 4.0 dropped the request versions KIP-896 names; Tafka serves them by default.
  'api.versions.floor': { type: 'STRING', default: '3.9', oneOf: ['3.9', '4.0'], doc: 'Oldest request versions served: Kafka 3.9\'s (old clients work), or 4.0\'s (KIP-896: refused as Kafka 4 does).' },

  // ------------------------------------------------------------------ storage and topics
  'log.dirs': { type: 'STRING', default: null, doc: 'Data directories, comma separated; Tafka uses the first. Wins over log.dir.' },
  'log.dir': { type: 'STRING', default: '/tmp/kafka-logs', doc: 'The data directory when log.dirs is not set.' },
  'num.partitions': { type: 'INT', default: '1', min: 1, doc: 'Partitions of a topic created without a count (auto-creation, CreateTopics with -1).' },
  'default.replication.factor': { type: 'INT', default: '1', doc: 'Replication factor for CreateTopics with -1; one node can only hold 1.' },
  'auto.create.topics.enable': { type: 'BOOLEAN', default: 'true', doc: 'Create an unknown topic when Metadata or Produce names it.' },
  'delete.topic.enable': { type: 'BOOLEAN', default: 'true', doc: 'Whether DeleteTopics may delete topics.' },
  // KIP-578's name: a proposal; Apache Kafka itself has no such limit.
  'max.broker.partitions': { type: 'INT', default: '20000', min: 1, dynamic: 'cluster-wide', doc: 'Most partitions this broker holds, internal topics included; creating more answers 44 POLICY_VIOLATION (KIP-578\'s name, not an Apache Kafka key).' },
  // Tafka's own: Kafka keeps every segment file open (and mmaps its indexes) and needs ulimit -n raised instead.
  'tafka.log.max.open.files': {
    type: 'INT', default: '-1', min: 8, alsoAllowed: -1,
    doc: 'Most log files (segments, indexes) held open at once; the least recently used idle ones are closed. -1: half the process\'s open-file limit (ulimit -n), at least 64 (Tafka\'s own key).',
  },
  'socket.request.max.bytes': { type: 'INT', default: '104857600', min: 1, doc: 'Largest request frame accepted; a bigger one closes the connection.' },
  'message.max.bytes': { type: 'INT', default: '1048588', min: 0, dynamic: 'cluster-wide', doc: 'Largest record batch a partition accepts (topic key: max.message.bytes).' },

  // ------------------------------------------------------------------ the log (topic keys fall back to these)
  'log.segment.bytes': { type: 'INT', default: '1073741824', min: 1048576, dynamic: 'cluster-wide', doc: 'Roll to a new segment when the active one would grow past this size.' },
  'log.roll.ms': { type: 'LONG', default: null, dynamic: 'cluster-wide', doc: 'Roll when the active segment is older than this; wins over log.roll.hours.' },
  'log.roll.hours': { type: 'INT', default: '168', min: 1, doc: 'log.roll.ms in hours.' },
  'log.retention.ms': { type: 'LONG', default: null, dynamic: 'cluster-wide', doc: 'Delete segments older than this (-1: keep forever); wins over .minutes and .hours.' },
  'log.retention.minutes': { type: 'INT', default: null, doc: 'log.retention.ms in minutes; wins over log.retention.hours.' },
  'log.retention.hours': { type: 'INT', default: '168', doc: 'log.retention.ms in hours.' },
  'log.retention.bytes': { type: 'LONG', default: '-1', dynamic: 'cluster-wide', doc: 'Delete the oldest segments while a partition is bigger than this (-1: no limit).' },
  'log.retention.check.interval.ms': { type: 'LONG', default: '300000', min: 1, doc: 'How often the retention pass runs over every log.' },
  'log.index.interval.bytes': { type: 'INT', default: '4096', min: 0, dynamic: 'cluster-wide', doc: 'Log bytes between two entries of the sparse offset and time indexes.' },
  'log.index.size.max.bytes': { type: 'INT', default: '10485760', min: 4, dynamic: 'cluster-wide', doc: 'Largest size of a segment\'s index; a full index rolls the segment.' },
  'log.flush.interval.messages': { type: 'LONG', default: LONG_MAX, min: 1, dynamic: 'cluster-wide', doc: 'fsync after this many appended records (default: leave it to the OS).' },
  'log.flush.interval.ms': { type: 'LONG', default: null, dynamic: 'cluster-wide', doc: 'fsync when unflushed data is older than this.' },
  'log.message.timestamp.type': { type: 'STRING', default: 'CreateTime', oneOf: TIMESTAMP_TYPES, dynamic: 'cluster-wide', doc: 'Keep the producer\'s timestamps (CreateTime) or stamp batches on append (LogAppendTime).' },
  'log.message.timestamp.after.max.ms': { type: 'LONG', default: '3600000', min: 0, dynamic: 'cluster-wide', doc: 'How far in the future a CreateTime timestamp may be.' },
  'log.message.timestamp.before.max.ms': { type: 'LONG', default: LONG_MAX, min: 0, dynamic: 'cluster-wide', doc: 'How far in the past a CreateTime timestamp may be.' },
  'log.cleanup.policy': { type: 'LIST', default: 'delete', oneOf: CLEANUP_POLICIES, dynamic: 'cluster-wide', doc: 'delete (retention) and/or compact (the log cleaner); DeleteRecords needs delete.' },
  'log.cleaner.delete.retention.ms': { type: 'LONG', default: '86400000', min: 0, dynamic: 'cluster-wide', doc: 'How long compaction keeps tombstones after the pass that first cleaned them.' },
  'log.cleaner.max.compaction.lag.ms': { type: 'LONG', default: LONG_MAX, min: 1, dynamic: 'cluster-wide', doc: 'Longest a record may wait before it is eligible for compaction.' },
  'log.cleaner.min.cleanable.ratio': { type: 'DOUBLE', default: '0.5', min: 0, max: 1, dynamic: 'cluster-wide', doc: 'Dirty share of a log that triggers compaction.' },
  'log.cleaner.min.compaction.lag.ms': { type: 'LONG', default: '0', min: 0, dynamic: 'cluster-wide', doc: 'Shortest time a record stays uncompacted.' },

  // ------------------------------------------------------------------ consumer groups
  'group.initial.rebalance.delay.ms': { type: 'INT', default: '3000', doc: 'How long a new group waits for more members before its first rebalance.' },
  'group.min.session.timeout.ms': { type: 'INT', default: '6000', doc: 'Smallest session timeout a member may ask for.' },
  'group.max.session.timeout.ms': { type: 'INT', default: '1800000', doc: 'Largest session timeout a member may ask for.' },
  'group.max.size': { type: 'INT', default: '2147483647', min: 1, doc: 'Most members a classic group may have.' },
  // KIP-848 consumer groups (ConsumerGroupHeartbeat), Kafka 4.x's GroupCoordinatorConfig.
  'group.coordinator.rebalance.protocols': { type: 'LIST', default: 'classic,consumer', oneOf: ['classic', 'consumer', 'streams', 'share'], doc: 'Which group protocols are on; without consumer, ConsumerGroupHeartbeat is refused.' },
  'group.consumer.session.timeout.ms': { type: 'INT', default: '45000', min: 1, doc: 'A consumer-protocol member silent for this long is removed.' },
  'group.consumer.min.session.timeout.ms': { type: 'INT', default: '45000', min: 1, doc: 'Smallest group.consumer.session.timeout.ms a group config may set.' },
  'group.consumer.max.session.timeout.ms': { type: 'INT', default: '60000', min: 1, doc: 'Largest group.consumer.session.timeout.ms a group config may set.' },
  'group.consumer.heartbeat.interval.ms': { type: 'INT', default: '5000', min: 1, doc: 'How often consumer-protocol members are told to heartbeat.' },
  'group.consumer.min.heartbeat.interval.ms': { type: 'INT', default: '5000', min: 1, doc: 'Smallest group.consumer.heartbeat.interval.ms a group config may set.' },
  'group.consumer.max.heartbeat.interval.ms': { type: 'INT', default: '15000', min: 1, doc: 'Largest group.consumer.heartbeat.interval.ms a group config may set.' },
  'group.consumer.max.size': { type: 'INT', default: '2147483647', min: 1, doc: 'Most members a consumer-protocol group may have.' },
  'group.consumer.assignors': { type: 'LIST', default: 'org.apache.kafka.coordinator.group.assignor.UniformAssignor,org.apache.kafka.coordinator.group.assignor.RangeAssignor', doc: 'Server-side assignors (class names or the short names uniform, range); the first is the default.' },
  'group.consumer.migration.policy': { type: 'STRING', default: 'bidirectional', oneOf: ['disabled', 'downgrade', 'upgrade', 'bidirectional'], doc: 'Whether a live classic group converts to a consumer group when a KIP-848 member joins (upgrade), and back when the last one leaves (downgrade).' },
  'max.incremental.fetch.session.cache.slots': { type: 'INT', default: '1000', min: 0, doc: 'How many incremental fetch sessions (KIP-227) the broker keeps.' },
  'offsets.retention.minutes': { type: 'INT', default: '10080', min: 1, doc: 'Committed offsets of an empty group are dropped after this long.' },
  'offsets.retention.check.interval.ms': { type: 'LONG', default: '600000', min: 1, doc: 'How often expired committed offsets are looked for.' },
  'offset.metadata.max.bytes': { type: 'INT', default: '4096', doc: 'Longest metadata string an offset commit may carry.' },
  'offsets.topic.num.partitions': { type: 'INT', default: '50', min: 1, doc: 'Partitions __consumer_offsets is created with (groups are hashed onto them); fixed once it exists.' },
  'offsets.topic.segment.bytes': { type: 'INT', default: '104857600', min: 1, doc: 'segment.bytes of __consumer_offsets when it is created.' },
  'offsets.topic.replication.factor': { type: 'SHORT', default: '3', min: 1, inert: true, doc: 'Replication of __consumer_offsets in Kafka.' },

  // ------------------------------------------------------------------ producers and transactions
  'transaction.state.log.replication.factor': { type: 'SHORT', default: '3', min: 1, inert: true, doc: 'Replication of __transaction_state in Kafka.' },
  'transaction.state.log.min.isr': { type: 'INT', default: '2', min: 1, inert: true, doc: 'min.insync.replicas of __transaction_state in Kafka.' },
  'transactional.id.expiration.ms': { type: 'INT', default: '604800000', min: 1, doc: 'How long a transactional id with no transaction open is kept after its last use.' },
  'transaction.state.log.num.partitions': { type: 'INT', default: '50', min: 1, doc: 'Partitions of __transaction_state, created on first use; a transactional id lives in one by hash.' },
  'transaction.state.log.segment.bytes': { type: 'INT', default: '104857600', min: 1, doc: 'segment.bytes of __transaction_state.' },
  'transaction.state.log.load.buffer.size': { type: 'INT', default: '5242880', min: 1, doc: 'Bytes read at a time while loading __transaction_state.' },
  'transaction.max.timeout.ms': { type: 'INT', default: '900000', min: 1, doc: 'Largest transaction.timeout.ms a producer may ask for (else 50 INVALID_TRANSACTION_TIMEOUT).' },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': { type: 'INT', default: '10000', min: 1, doc: 'How often transactions open longer than their timeout are looked for and aborted.' },
  'transaction.remove.expired.transaction.cleanup.interval.ms': { type: 'INT', default: '3600000', min: 1, doc: 'How often expired transactional ids are looked for.' },
  'transaction.partition.verification.enable': { type: 'BOOLEAN', default: 'true', dynamic: 'cluster-wide', doc: 'Refuse transactional batches for partitions not added to the transaction (KIP-890).' },
  'producer.id.expiration.ms': { type: 'INT', default: '86400000', min: 1, dynamic: 'cluster-wide', doc: 'Idempotent-producer state idle this long is dropped.' },
  'producer.id.expiration.check.interval.ms': { type: 'INT', default: '600000', min: 1, doc: 'How often expired producer state is looked for.' },
  'min.insync.replicas': { type: 'INT', default: '1', min: 1, dynamic: 'cluster-wide', doc: 'In-sync replicas acks=all needs; above 1 such produces fail on one node.' },

  // ------------------------------------------------------------------ security: listeners (src/security/listeners.ts)
  'listener.security.protocol.map': { type: 'STRING', default: 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT', dynamic: 'per-broker', doc: 'The security protocol of each listener name: NAME:PROTOCOL pairs.' },
  'controller.listener.names': { type: 'STRING', default: null, doc: 'Listeners of the KRaft controller role; Tafka has none, so it binds none of them for clients.' },
  'inter.broker.listener.name': { type: 'STRING', default: null, doc: 'The listener brokers use to talk to each other; must be one of the listeners.' },
  'security.inter.broker.protocol': { type: 'STRING', default: 'PLAINTEXT', oneOf: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], inert: true, doc: 'The protocol brokers talk to each other with (or inter.broker.listener.name).' },
  'connections.max.idle.ms': { type: 'LONG', default: '600000', doc: 'Close a connection that has read and written nothing for this long (-1: never); also how long a connection may take to authenticate.' },

  // ------------------------------------------------------------------ security: TLS (src/security/tls.ts); each may be given per listener
  'ssl.protocol': { type: 'STRING', default: 'TLSv1.3', scope: 'listener', doc: 'The TLS protocol of the SSL context; ssl.enabled.protocols decides what is accepted.' },
  'ssl.enabled.protocols': { type: 'LIST', default: 'TLSv1.2,TLSv1.3', scope: 'listener', doc: 'TLS versions accepted: TLSv1.2 and/or TLSv1.3.' },
  'ssl.cipher.suites': { type: 'LIST', default: null, scope: 'listener', doc: 'Cipher suites allowed (IANA names, as Java writes them); unset: OpenSSL\'s defaults.' },
  'ssl.keystore.type': { type: 'STRING', default: 'JKS', scope: 'listener', doc: 'PEM or PKCS12 (Tafka cannot read Java\'s JKS).' },
  'ssl.keystore.location': { type: 'STRING', default: null, scope: 'listener', doc: 'The key store file: PKCS12, or PEM with the private key and the certificate chain.' },
  'ssl.keystore.password': { type: 'PASSWORD', default: null, scope: 'listener', doc: 'Password of a PKCS12 key store.' },
  'ssl.key.password': { type: 'PASSWORD', default: null, scope: 'listener', doc: 'Password of an encrypted private key (PEM).' },
  'ssl.keystore.key': { type: 'PASSWORD', default: null, scope: 'listener', doc: 'The private key itself, PEM text (with ssl.keystore.type=PEM).' },
  'ssl.keystore.certificate.chain': { type: 'PASSWORD', default: null, scope: 'listener', doc: 'The certificate chain itself, PEM text (with ssl.keystore.type=PEM).' },
  'ssl.truststore.type': { type: 'STRING', default: 'JKS', scope: 'listener', doc: 'PEM (Tafka cannot read a JKS or PKCS12 trust store).' },
  'ssl.truststore.location': { type: 'STRING', default: null, scope: 'listener', doc: 'The CA certificates client certificates must chain to, a PEM file.' },
  'ssl.truststore.password': { type: 'PASSWORD', default: null, scope: 'listener', doc: 'Password of the trust store (not needed for PEM).' },
  'ssl.truststore.certificates': { type: 'PASSWORD', default: null, scope: 'listener', doc: 'The trusted CA certificates themselves, PEM text.' },
  'ssl.client.auth': { type: 'STRING', default: 'none', oneOf: ['required', 'requested', 'none'], scope: 'listener', doc: 'Ask clients for a certificate: required (mTLS), requested, or none. On SASL_SSL only when given per listener.' },
  'ssl.principal.mapping.rules': { type: 'STRING', default: 'DEFAULT', scope: 'listener', doc: 'RULE:pattern/replacement/[LU] rules turning a certificate\'s DN into a principal name.' },
  'ssl.endpoint.identification.algorithm': { type: 'STRING', default: 'https', scope: 'listener', inert: true, doc: 'Host name check of the server\'s certificate, done by clients.' },
  'ssl.keymanager.algorithm': { type: 'STRING', default: 'SunX509', scope: 'listener', inert: true, doc: 'Java\'s key manager factory.' },
  'ssl.trustmanager.algorithm': { type: 'STRING', default: 'PKIX', scope: 'listener', inert: true, doc: 'Java\'s trust manager factory.' },
  'ssl.secure.random.implementation': { type: 'STRING', default: null, scope: 'listener', inert: true, doc: 'Java\'s SecureRandom for TLS.' },
  'ssl.provider': { type: 'STRING', default: null, scope: 'listener', inert: true, doc: 'Java\'s security provider for TLS.' },

  // ------------------------------------------------------------------ security: SASL (src/security/sasl/)
  'sasl.enabled.mechanisms': { type: 'LIST', default: 'GSSAPI', scope: 'listener', doc: 'SASL mechanisms a SASL listener offers: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (not GSSAPI).' },
  'sasl.jaas.config': { type: 'PASSWORD', default: null, scope: 'mechanism', doc: 'JAAS login module options; a broker reads it per listener and mechanism only.' },
  'sasl.server.callback.handler.class': { type: 'STRING', default: null, scope: 'mechanism', doc: 'Server callback handler; for OAUTHBEARER, Kafka\'s OAuthBearerValidatorCallbackHandler selects JWKS validation.' },
  'sasl.server.max.receive.size': { type: 'INT', default: '524288', min: 1, doc: 'Largest request accepted before a connection has authenticated.' },
  'sasl.mechanism.inter.broker.protocol': { type: 'STRING', default: 'GSSAPI', inert: true, doc: 'SASL mechanism brokers use with each other.' },
  'sasl.mechanism.controller.protocol': { type: 'STRING', default: 'GSSAPI', inert: true, doc: 'SASL mechanism used with the controller.' },
  'connections.max.reauth.ms': { type: 'LONG', default: '0', scope: 'mechanism', doc: 'Longest SASL session before the client must re-authenticate (KIP-368); 0: no limit.' },
  'connection.failed.authentication.delay.ms': { type: 'INT', default: '100', min: 0, doc: 'How long the answer to a failed authentication, and the close, are held back.' },
  'principal.builder.class': { type: 'STRING', default: 'org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder', oneOf: ['org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder'], scope: 'listener', doc: 'How a principal is built from the authentication; only Kafka\'s default.' },
  'sasl.oauthbearer.jwks.endpoint.url': { type: 'STRING', default: null, scope: 'listener', doc: 'Where the OAUTHBEARER validator finds the signing keys: https://..., or file:// for a local JWKS file.' },
  'sasl.oauthbearer.jwks.endpoint.refresh.ms': { type: 'LONG', default: '3600000', scope: 'listener', doc: 'How often an https JWKS is fetched again.' },
  'sasl.oauthbearer.expected.audience': { type: 'LIST', default: null, scope: 'listener', doc: 'Audiences a token\'s aud claim must name one of.' },
  'sasl.oauthbearer.expected.issuer': { type: 'STRING', default: null, scope: 'listener', doc: 'The iss claim a token must carry.' },
  'sasl.oauthbearer.sub.claim.name': { type: 'STRING', default: 'sub', scope: 'listener', doc: 'The claim that names the principal.' },
  'sasl.oauthbearer.scope.claim.name': { type: 'STRING', default: 'scope', scope: 'listener', doc: 'The claim that holds the token\'s scopes.' },
  'sasl.oauthbearer.clock.skew.seconds': { type: 'INT', default: '30', scope: 'listener', doc: 'Clock difference tolerated on exp, iat and nbf.' },

  // ------------------------------------------------------------------ security: authorization (src/security/acl/)
  'authorizer.class.name': { type: 'STRING', default: '', oneOf: ['', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'], doc: 'Empty: everything is allowed and ACL requests answer 54. StandardAuthorizer: ACLs decide.' },
  'super.users': { type: 'STRING', default: null, doc: 'Principals allowed everything, semicolon separated: User:admin;User:broker.' },
  'allow.everyone.if.no.acl.found': { type: 'BOOLEAN', default: 'false', doc: 'With StandardAuthorizer: allow an operation on a resource that has no ACL at all.' },
  // ------------------------------------------------------------------ connections, backpressure and client quotas
  'socket.listen.backlog.size': { type: 'INT', default: '50', min: 1, doc: 'Connections waiting to be accepted: the listen backlog, and the accepted connections held while max.connections is reached.' },
  'max.connections': { type: 'INT', default: '2147483647', min: 0, dynamic: 'cluster-wide', doc: 'Most open client connections; past it a new connection waits (unread) until another closes.' },
  'max.connections.per.ip': { type: 'INT', default: '2147483647', min: 0, dynamic: 'cluster-wide', doc: 'Most connections from one IP address; a new connection past it is closed at once.' },
  'max.connections.per.ip.overrides': { type: 'STRING', default: '', dynamic: 'cluster-wide', doc: 'Per-address exceptions to max.connections.per.ip: "host:count,127.0.0.1:200".' },
  'queued.max.requests': { type: 'INT', default: '500', min: 1, doc: 'Requests read but not yet answered, broker-wide, before no more are read from any connection.' },
  'queued.max.request.bytes': { type: 'LONG', default: '-1', doc: 'Bytes of requests read but not yet answered, broker-wide, before no more are read (-1: no limit).' },
  'quota.window.num': { type: 'INT', default: '11', min: 1, doc: 'Samples a client quota\'s rate is measured over.' },
  'quota.window.size.seconds': { type: 'INT', default: '1', min: 1, doc: 'Length of one client-quota sample.' },

  // ------------------------------------------------------------------ KRaft, networking, threads: inert here
  // Kafka types the next three as LIST (with their own validators) and defaults them to an empty
  // list; Tafka, which has no controller role, takes any text and leaves them unset.
  'process.roles': { type: 'LIST', default: null, inert: true, doc: 'broker and/or controller: the roles of a KRaft node.' },
  'controller.quorum.voters': { type: 'LIST', default: null, inert: true, doc: 'The static controller quorum, id@host:port each.' },
  'controller.quorum.bootstrap.servers': { type: 'LIST', default: null, inert: true, doc: 'Where to find the controller quorum (dynamic quorums).' },
  'num.network.threads': { type: 'INT', default: '3', min: 1, inert: true, dynamic: 'cluster-wide', doc: 'Kafka\'s socket threads; Node has one event loop.' },
  'num.io.threads': { type: 'INT', default: '8', min: 1, inert: true, dynamic: 'cluster-wide', doc: 'Kafka\'s request handler threads.' },
  'num.recovery.threads.per.data.dir': { type: 'INT', default: '1', min: 1, inert: true, dynamic: 'cluster-wide', doc: 'Kafka\'s threads for loading logs at start-up.' },
  'socket.send.buffer.bytes': { type: 'INT', default: '102400', inert: true, doc: 'SO_SNDBUF of client sockets.' },
  'socket.receive.buffer.bytes': { type: 'INT', default: '102400', inert: true, doc: 'SO_RCVBUF of client sockets.' },
  'share.coordinator.state.topic.replication.factor': { type: 'SHORT', default: '3', min: 1, inert: true, doc: 'Replication of __share_group_state in Kafka.' },
  // The log cleaner (src/log/cleaner/): Kafka's CleanerConfig, dynamic as in Kafka.
  'log.cleaner.enable': { type: 'BOOLEAN', default: 'true', doc: 'Run the log cleaner, which compacts topics with cleanup.policy=compact.' },
  'log.cleaner.threads': { type: 'INT', default: '1', min: 0, dynamic: 'cluster-wide', doc: 'Logs cleaned at once, each by its own worker thread (read at start-up in Tafka).' },
  'log.cleaner.io.max.bytes.per.second': { type: 'DOUBLE', default: '1.7976931348623157E308', dynamic: 'cluster-wide', doc: 'The cleaners\' combined read and write rate limit.' },
  'log.cleaner.dedupe.buffer.size': { type: 'LONG', default: '134217728', dynamic: 'cluster-wide', doc: 'Memory for the cleaners\' key maps (24 bytes per key), shared by the threads.' },
  'log.cleaner.io.buffer.size': { type: 'INT', default: '524288', min: 0, dynamic: 'cluster-wide', doc: 'Memory for the cleaners\' read and write buffers, shared by the threads.' },
  'log.cleaner.io.buffer.load.factor': { type: 'DOUBLE', default: '0.9', dynamic: 'cluster-wide', doc: 'How full a cleaner\'s key map may become before a pass stops early.' },
  'log.cleaner.backoff.ms': { type: 'LONG', default: '15000', min: 0, dynamic: 'cluster-wide', doc: 'How long a cleaner sleeps when no log is dirty enough.' },
  'share.coordinator.state.topic.min.isr': { type: 'SHORT', default: '2', min: 1, inert: true, doc: 'min.insync.replicas of __share_group_state in Kafka.' },

  // ------------------------------------------------------------------ Tafka's own keys (no Kafka counterpart)
  // A separate HTTP port on loopback, as Redpanda's admin API (9644): the Kafka listener is untouched.
  'tafka.admin.listener': { type: 'STRING', default: '127.0.0.1:9644', doc: 'The admin HTTP server (/metrics, /health, /ready, the inspector): host:port; empty turns it off.' },
  'tafka.inspector.traffic.enable': { type: 'BOOLEAN', default: 'false', doc: 'Capture decoded requests and responses for the inspector\'s traffic page (costs CPU per request).' },

  // ------------------------------------------------------------------ Kafka keys Tafka knows only as topic-key synonyms
  'compression.type': { type: 'STRING', default: 'producer', oneOf: COMPRESSION_TYPES, dynamic: 'cluster-wide', synonymOnly: true, doc: 'Codec batches are stored with (producer: as sent).' },
  'compression.gzip.level': { type: 'INT', default: '-1', min: 1, max: 9, alsoAllowed: -1, dynamic: 'cluster-wide', synonymOnly: true, doc: 'gzip level when the broker recompresses.' },
  'compression.lz4.level': { type: 'INT', default: '9', min: 1, max: 17, dynamic: 'cluster-wide', synonymOnly: true, doc: 'lz4 level when the broker recompresses.' },
  'compression.zstd.level': { type: 'INT', default: '3', min: -131072, max: 22, dynamic: 'cluster-wide', synonymOnly: true, doc: 'zstd level when the broker recompresses.' },
  'log.flush.scheduler.interval.ms': { type: 'LONG', default: LONG_MAX, synonymOnly: true, doc: 'How often Kafka checks whether a log needs flushing by time.' },
  'log.local.retention.bytes': { type: 'LONG', default: '-2', min: -2, dynamic: 'cluster-wide', synonymOnly: true, doc: 'Local size limit under tiered storage (-2: retention.bytes).' },
  'log.local.retention.ms': { type: 'LONG', default: '-2', min: -2, dynamic: 'cluster-wide', synonymOnly: true, doc: 'Local age limit under tiered storage (-2: retention.ms).' },
  'log.preallocate': { type: 'BOOLEAN', default: 'false', dynamic: 'cluster-wide', synonymOnly: true, doc: 'Preallocate segment files on creation.' },
  'log.roll.jitter.ms': { type: 'LONG', default: null, dynamic: 'cluster-wide', synonymOnly: true, doc: 'Random slack taken off the time-based roll, to spread rolls out.' },
  'log.roll.jitter.hours': { type: 'INT', default: '0', min: 0, synonymOnly: true, doc: 'log.roll.jitter.ms in hours.' },
  'log.segment.delete.delay.ms': { type: 'LONG', default: '60000', min: 0, dynamic: 'cluster-wide', synonymOnly: true, doc: 'How long a deleted segment\'s files linger for in-flight reads.' },
  'unclean.leader.election.enable': { type: 'BOOLEAN', default: 'false', dynamic: 'cluster-wide', synonymOnly: true, doc: 'Let an out-of-sync replica become leader.' },
} as const satisfies Record<string, BrokerKeyDefinition>;

export type BrokerKey = keyof typeof BROKER_CONFIGS;

/** A row by name, or undefined for a name Tafka does not know. */
export function brokerKey(name: string): BrokerKeyDefinition | undefined {
  return plainKey(name) ?? parseScopedKey(name, plainKey)?.def;
}

function plainKey(name: string): BrokerKeyDefinition | undefined {
  return Object.hasOwn(BROKER_CONFIGS, name) ? (BROKER_CONFIGS as Record<string, BrokerKeyDefinition>)[name] : undefined;
}

/** The broker keys a server.properties may set (and DescribeConfigs lists), in table order. */
export const ACCEPTED_BROKER_KEYS: readonly BrokerKey[] = (Object.keys(BROKER_CONFIGS) as BrokerKey[]).filter(
  (name) => !(BROKER_CONFIGS[name] as BrokerKeyDefinition).synonymOnly,
);
