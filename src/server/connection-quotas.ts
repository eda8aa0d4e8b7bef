/**
 * How many connections the broker holds: Kafka's ConnectionQuotas (kafka.network.SocketServer).
 *
 * - `max.connections` (default: no limit): when the broker holds that many, Kafka's acceptor stops
 *   accepting until one closes; new connections wait in the kernel's listen backlog
 *   (`socket.listen.backlog.size`), connected but unread. Node cannot pause accepting, so the server
 *   accepts them and holds them paused in a queue of the same size (see server.ts); past the queue
 *   they are closed, as the kernel drops connections past a full backlog.
 * - `max.connections.per.ip` (default: no limit) and `max.connections.per.ip.overrides`
 *   ("host:count,..."): a new connection from an address that already has its limit is closed at
 *   once (Kafka's TooManyConnectionsException). 0 is allowed only with overrides, so that only the
 *   listed addresses may connect.
 *
 * Both limits are read from the configuration on every new connection, so a changed value applies
 * to the next connection, as Kafka's reconfiguration does; existing connections are never closed.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConfigError } from '../config/parse.js';

export interface ConnectionLimits {
  maxConnections(): number;
  maxConnectionsPerIp(): number;
  /** `max.connections.per.ip.overrides` as written. */
  perIpOverrides(): string;
}

/** The answer to a new connection. */
export type Admission = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OPEN: Admission = { ok: true };

/** `::ffff:127.0.0.1` (an IPv4 client of a dual-stack listener) is 127.0.0.1. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** Parses "host:count,host:count" (the count after the last colon, as Kafka's parseCsvMap). */
export function parseOverrides(text: string): Map<string, number> {
  const out = new Map<string, number>();
  if (text.trim() === '') return out;
  for (const item of text.split(',')) {
    const at = item.lastIndexOf(':');
    const host = item.slice(0, at).trim().replace(/^\[|\]$/g, '');
    const count = item.slice(at + 1).trim();
    if (at <= 0 || !/^\d+$/.test(count) || !/^[A-Za-z0-9.:_%-]+$/.test(host)) {
      throw new ConfigError(`Invalid value "${text}" for configuration max.connections.per.ip.overrides: expected host:count pairs`);
    }
    out.set(isIP(host) ? normalizeAddress(host) : host.toLowerCase(), Number(count));
  }
  return out;
}

export class ConnectionQuotas {
  private readonly perIp = new Map<string, number>();
  private total = 0;
  /** The overrides in force, by address; host names are resolved to addresses in the background. */
  private overrides = new Map<string, number>();
  private overridesText: string | undefined;

  constructor(private readonly limits: ConnectionLimits) {
    ConnectionQuotas.validate(limits);
    this.refreshOverrides();
  }

  /** Kafka's start-up checks: overrides are host:count pairs; a per-IP limit of 0 needs overrides. */
  static validate(limits: ConnectionLimits): void {
    const overrides = parseOverrides(limits.perIpOverrides());
    if (limits.maxConnectionsPerIp() === 0 && overrides.size === 0) {
      throw new ConfigError('max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.');
    }
  }

  /** Whether the broker is below `max.connections` (a waiting connection may be admitted). */
  slotAvailable(): boolean {
    return this.total < this.limits.maxConnections();
  }

  /** Counts a new connection from `address`, or refuses it when the address is at its limit. */
  inc(address: string): Admission {
    this.refreshOverrides();
    const count = this.perIp.get(address) ?? 0;
    const max = this.overrides.get(address) ?? this.limits.maxConnectionsPerIp();
    if (count >= max) return { ok: false, reason: `${address} already has the configured maximum of ${max} connections` };
    this.perIp.set(address, count + 1);
    this.total++;
    return OPEN;
  }

  /** A counted connection closed. */
  dec(address: string): void {
    const count = this.perIp.get(address) ?? 0;
    if (count <= 1) this.perIp.delete(address);
    else this.perIp.set(address, count - 1);
    this.total--;
  }

  get count(): number {
    return this.total;
  }

  countFor(address: string): number {
    return this.perIp.get(address) ?? 0;
  }

  /**
   * Re-reads the overrides when their text changed. Addresses apply at once; host names (Kafka
   * resolves them with InetAddress.getByName) apply once resolved, a moment later.
   */
  private refreshOverrides(): void {
    const text = this.limits.perIpOverrides();
    if (text === this.overridesText) return;
    this.overridesText = text;
    const parsed = parseOverrides(text);
    const byAddress = new Map<string, number>();
    const hosts: [string, number][] = [];
    for (const [host, count] of parsed) {
      if (isIP(host)) byAddress.set(host, count);
      else hosts.push([host, count]);
    }
    this.overrides = byAddress;
    for (const [host, count] of hosts) {
      lookup(host, { all: true }).then(
        (addresses) => {
          if (this.overridesText !== text) return;
          for (const a of addresses) if (!byAddress.has(a.address)) byAddress.set(normalizeAddress(a.address), count);
        },
        () => {}, // An unresolvable name limits nobody, as an address nobody connects from.
      );
    }
  }
}
