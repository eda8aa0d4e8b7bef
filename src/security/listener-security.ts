/**
 * One listener's security, built at start-up from its security protocol: the transport (TLS for SSL
 * and SASL_SSL, through Node's TLS) and, for each accepted connection, its Authenticator.
 *
 * `accept` takes a freshly accepted TCP socket and calls back once Kafka frames can flow: at once for
 * PLAINTEXT and SASL_PLAINTEXT, after the TLS handshake for SSL and SASL_SSL. A handshake that fails
 * (no or a bad client certificate under ssl.client.auth=required, a truncated or garbled hello) or
 * does not finish within connections.max.idle.ms closes the socket; no frame is ever read from it.
 */
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Clock, ScheduledTask } from '../clock.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { ListenerEndpoint } from '../config/listeners.js';
import { Authenticator, type ConnectionAuth } from './authenticator.js';
import { ANONYMOUS, type KafkaPrincipal } from './principal.js';
import { user } from './principal-names.js';
import { listenerMechanisms, type ListenerMechanisms } from './sasl/listener-mechanisms.js';
import type { ScramCredentialSource } from './sasl/scram.js';
import { distinguishedName, SslPrincipalMapper } from './ssl-principal.js';
import { tlsFor, type ClientAuth } from './tls.js';

export interface ListenerSecurityDeps {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly scram: ScramCredentialSource;
  readonly logger: Logger;
}

/** Called once a connection can carry Kafka frames. */
export type OnReady = (transport: Socket, auth: ConnectionAuth) => void;

/** The IP address a socket reports, with an IPv4-mapped IPv6 address written as IPv4 ("::ffff:127.0.0.1"). */
export function clientAddress(socket: Socket): string {
  const addr = socket.remoteAddress ?? '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

interface Pending {
  readonly onReady: OnReady;
  readonly timer: ScheduledTask | undefined;
}

export class ListenerSecurity {
  private readonly tlsServer: TlsServer | undefined;
  /** TLS handshakes in progress, by remote address and port (the raw and the TLS socket report the same). */
  private readonly pending = new Map<string, Pending>();

  private constructor(
    readonly endpoint: ListenerEndpoint,
    private readonly deps: ListenerSecurityDeps,
    private readonly mechanisms: ListenerMechanisms | undefined,
    tls: { options: object; clientAuth: ClientAuth } | undefined,
    private readonly mapper: SslPrincipalMapper,
  ) {
    if (tls) {
      // handshakeTimeout 0: the deadline runs on the injected clock instead (accept()).
      this.tlsServer = createTlsServer({ ...tls.options, handshakeTimeout: 0 });
      this.tlsServer.on('secureConnection', (socket: TLSSocket) => this.onSecure(socket, tls.clientAuth));
      this.tlsServer.on('tlsClientError', (err, socket) => {
        this.deps.logger.info({ listener: endpoint.name, client: clientAddress(socket), err: err.message }, 'TLS handshake failed; closing connection');
        this.settle(socket);
        socket.destroy();
      });
    }
  }

  /** Checks the listener's settings and loads what it needs (key stores, JWKS); a problem stops start-up. */
  static async create(endpoint: ListenerEndpoint, deps: ListenerSecurityDeps): Promise<ListenerSecurity> {
    const { protocol, name } = endpoint;
    const tls = protocol === 'SSL' || protocol === 'SASL_SSL' ? tlsFor(deps.config, name, protocol) : undefined;
    const mapper = SslPrincipalMapper.fromRules(deps.config.scoped('ssl.principal.mapping.rules', name));
    const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'
      ? await listenerMechanisms(deps.config, name, { scram: deps.scram, clock: deps.clock })
      : undefined;
    return new ListenerSecurity(endpoint, deps, sasl, tls, mapper);
  }

  accept(socket: Socket, onReady: OnReady): void {
    if (!this.tlsServer) {
      onReady(socket, this.authenticator(socket, ANONYMOUS));
      return;
    }
    const ms = this.deps.config.get('connections.max.idle.ms');
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    const timer = ms >= 0
      ? this.deps.clock.schedule(ms, () => {
          this.deps.logger.info({ listener: this.endpoint.name, client: clientAddress(socket) }, 'TLS handshake not finished within connections.max.idle.ms; closing connection');
          socket.destroy();
        })
      : undefined;
    this.pending.set(key, { onReady, timer });
    socket.once('close', () => this.settle(socket));
    this.tlsServer.emit('connection', socket);
  }

  /** Stops background work (JWKS refreshes). */
  close(): void {
    this.mechanisms?.close();
  }

  private settle(socket: Socket): Pending | undefined {
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    const p = this.pending.get(key);
    this.pending.delete(key);
    p?.timer?.cancel();
    return p;
  }

  private onSecure(socket: TLSSocket, clientAuth: ClientAuth): void {
    const p = this.settle(socket);
    if (!p) {
      socket.destroy();
      return;
    }
    const cert = socket.getPeerX509Certificate();
    // ssl.client.auth=requested: no certificate is fine (anonymous); one that does not verify is
    // not, as a Java broker fails such a handshake. (required: Node already refused it.)
    if (clientAuth === 'requested' && cert && !socket.authorized) {
      this.deps.logger.info({ listener: this.endpoint.name, client: clientAddress(socket), err: String(socket.authorizationError) }, 'client certificate not trusted; closing connection');
      socket.destroy();
      return;
    }
    let principal: KafkaPrincipal = ANONYMOUS;
    if (cert && socket.authorized && this.endpoint.protocol === 'SSL') {
      const dn = distinguishedName(cert);
      const name = this.mapper.nameOf(dn);
      if (name === undefined) {
        this.deps.logger.info({ listener: this.endpoint.name, client: clientAddress(socket), dn }, 'no ssl.principal.mapping.rules rule applies to the client certificate; closing connection');
        socket.destroy();
        return;
      }
      principal = user(name);
    }
    p.onReady(socket, this.authenticator(socket, principal));
  }

  private authenticator(socket: Socket, principal: KafkaPrincipal): ConnectionAuth {
    const { config, clock, logger } = this.deps;
    const listener = this.endpoint.name;
    return new Authenticator({
      listenerName: listener,
      securityProtocol: this.endpoint.protocol,
      mechanisms: this.mechanisms?.factories,
      principal,
      clock,
      authenticationTimeoutMs: config.get('connections.max.idle.ms'),
      maxReceiveBytes: config.get('sasl.server.max.receive.size'),
      failedAuthenticationDelayMs: config.get('connection.failed.authentication.delay.ms'),
      maxReauthMs: (mechanism) => config.scoped('connections.max.reauth.ms', listener, mechanism),
      close: (reason) => {
        logger.info({ listener, client: clientAddress(socket), reason }, 'closing unauthenticated connection');
        socket.destroy();
      },
      // Kafka logs the reason the client is told; the underlying error (which may say more) at debug.
      onFailure: (message, cause) => {
        logger.info({ listener, client: clientAddress(socket), reason: message }, 'Failed authentication');
        if (cause instanceof Error && cause.message !== message) logger.debug({ listener, client: clientAddress(socket), err: cause.message }, 'authentication failure cause');
      },
    });
  }
}
