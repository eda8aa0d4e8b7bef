import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { ApiVersions } from '../../protocol/messages/18-api-versions.js';
import apiVersions from '../../src/handlers/18-api-versions.js';
import { ConnectionQuotas, normalizeAddress, parseOverrides } from '../../src/server/connection-quotas.js';
import { RawClient } from '../../integration/raw-client.js';
import { eventually, startTestServer, type TestServer } from '../support/test-server.js';

const limits = (maxConnections: number, perIp: number, overrides = '') => ({
  maxConnections: () => maxConnections,
  maxConnectionsPerIp: () => perIp,
  perIpOverrides: () => overrides,
});

describe('ConnectionQuotas', () => {
  it('refuses a connection past max.connections.per.ip, and counts it free again on close', () => {
    const q = new ConnectionQuotas(limits(100, 2));
    expect(q.inc('10.0.0.1').ok).toBe(true);
    expect(q.inc('10.0.0.1').ok).toBe(true);
    const third = q.inc('10.0.0.1');
    expect(third).toEqual({ ok: false, reason: '10.0.0.1 already has the configured maximum of 2 connections' });
    expect(q.inc('10.0.0.2').ok).toBe(true);
    expect([q.count, q.countFor('10.0.0.1')]).toEqual([3, 2]);
    q.dec('10.0.0.1');
    expect(q.inc('10.0.0.1').ok).toBe(true);
  });

  it('applies overrides per address; 0 per IP with overrides admits only the listed addresses', () => {
    const q = new ConnectionQuotas(limits(100, 0, '10.0.0.9:1, [::1]:2'));
    expect(q.inc('10.0.0.1').ok).toBe(false);
    expect(q.inc('10.0.0.9').ok).toBe(true);
    expect(q.inc('10.0.0.9').ok).toBe(false);
    expect([q.inc('::1').ok, q.inc('::1').ok, q.inc('::1').ok]).toEqual([true, true, false]);
  });

  it('reports a free slot while under max.connections', () => {
    const q = new ConnectionQuotas(limits(1, 10));
    expect(q.slotAvailable()).toBe(true);
    q.inc('10.0.0.1');
    expect(q.slotAvailable()).toBe(false);
  });

  it('checks its configuration as Kafka does', () => {
    expect(() => new ConnectionQuotas(limits(10, 0))).toThrow('max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.');
    expect(() => parseOverrides('host')).toThrow(/max.connections.per.ip.overrides/);
    expect(() => parseOverrides('host:many')).toThrow(/max.connections.per.ip.overrides/);
    expect([...parseOverrides('Broker-1:5,127.0.0.1:200')]).toEqual([['broker-1', 5], ['127.0.0.1', 200]]);
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
  });
});

describe('the listener applies the limits', () => {
  let server: TestServer | undefined;
  const open: (RawClient | Socket)[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) {
      if (c instanceof RawClient) c.end();
      else c.destroy();
    }
    await server?.close();
    server = undefined;
  });
  const client = async () => {
    const c = await RawClient.connect(server!.port);
    open.push(c);
    return c;
  };
  const ask = (c: RawClient, id: number) => c.send(ApiVersions.request, 3, id, { clientSoftwareName: 't', clientSoftwareVersion: '1' });

  it('closes a new connection from an address at max.connections.per.ip at once', async () => {
    server = await startTestServer([apiVersions], { config: { 'max.connections.per.ip': '2' } });
    const a = await client();
    const b = await client();
    const c = await client();
    expect(await c.waitClosed()).toBe(true);
    ask(a, 1);
    ask(b, 2);
    expect((await a.readFrame())!.readInt32BE(0)).toBe(1);
    expect((await b.readFrame())!.readInt32BE(0)).toBe(2);
    expect(server.logs.some((l) => l.msg === 'Rejected connection from 127.0.0.1, 127.0.0.1 already has the configured maximum of 2 connections')).toBe(true);
    a.end();
    await eventually(() => server!.server.connectionCount === 1);
    const d = await client();
    ask(d, 3);
    expect((await d.readFrame())!.readInt32BE(0)).toBe(3);
  });

  it('at max.connections, holds new connections unread until one closes; past the backlog closes them', async () => {
    server = await startTestServer([apiVersions], { config: { 'max.connections': '1', 'socket.listen.backlog.size': '1' } });
    const first = await client();
    await eventually(() => server!.server.connectionCount === 1);
    const waiting = await client();
    ask(waiting, 7);
    const overflow = await client();
    expect(await overflow.waitClosed()).toBe(true);
    // The waiting connection is open but not served...
    await expect(waiting.readFrame(300)).rejects.toThrow(/timed out/);
    expect(waiting.closed).toBe(false);
    // ...until a slot frees; then its request, sent while it waited, is answered.
    first.end();
    expect((await waiting.readFrame())!.readInt32BE(0)).toBe(7);
  });

  it('a waiting connection that gives up leaves no trace', async () => {
    server = await startTestServer([apiVersions], { config: { 'max.connections': '1' } });
    const first = await client();
    await eventually(() => server!.server.connectionCount === 1);
    const quitter = connect(server.port, '127.0.0.1');
    open.push(quitter);
    await new Promise((r) => quitter.once('connect', r));
    quitter.destroy();
    await new Promise((r) => setTimeout(r, 50));
    first.end();
    await eventually(() => server!.server.connectionCount === 0);
    const next = await client();
    ask(next, 1);
    expect((await next.readFrame())!.readInt32BE(0)).toBe(1);
  });
});
