/**
 * A bare TCP client for the cases no real client would produce: hand-made frames, garbage,
 * truncation, oversized sizes. It uses Tafka's own codec to build and read well-formed messages.
 */
import { connect, type Socket } from 'node:net';
import type { ApiSpec, MessageSpec, MessageOf } from '../protocol/schema.js';
import { codecFor } from '../src/codec/interpret.js';

export class RawClient {
  /** Received bytes, as chunks: joined only once a whole frame is there (large frames stay linear). */
  private chunks: Buffer[] = [];
  private received = 0;
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.received += d.length;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Frames a request: size, header v1 (or v2 when `flexibleHeader`), body. */
  static frame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer[], flexibleHeader = false): Buffer {
    const clientId = Buffer.from('raw-client');
    const header = Buffer.alloc(10 + clientId.length + (flexibleHeader ? 1 : 0));
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(apiVersion, 2);
    header.writeInt32BE(correlationId, 4);
    header.writeInt16BE(clientId.length, 8);
    clientId.copy(header, 10);
    const payload = Buffer.concat([header, ...body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    return Buffer.concat([size, payload]);
  }

  /** Encodes and sends a request with Tafka's codec. */
  send<M extends MessageSpec>(spec: M, apiVersion: number, correlationId: number, value: MessageOf<M>): void {
    const codec = codecFor(spec, apiVersion);
    this.write(RawClient.frame(spec.apiKey!, apiVersion, correlationId, codec.encode(value), codec.flexible));
  }

  /** The next response frame (without its size), or null if the connection closed first. */
  async readFrame(timeoutMs = 5000): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.received >= 4) {
        if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks)];
        const size = this.chunks[0].readInt32BE(0);
        if (this.received >= 4 + size) {
          const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
          const frame = all.subarray(4, 4 + size);
          const rest = all.subarray(4 + size);
          this.chunks = rest.length ? [rest] : [];
          this.received = rest.length;
          return frame;
        }
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a response');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves true once the broker closed the connection (false on timeout). */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.closed;
  }

  /** Stops reading: responses pile up in the kernel's buffers, as with a client that never reads. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    this.socket.destroy();
  }
}

let correlation = 100;

/** One request/response on a fresh connection, decoded with Tafka's codec. */
export async function callApi<A extends ApiSpec>(port: number, api: A, version: number, body: MessageOf<A['request']>): Promise<MessageOf<A['response']>> {
  const client = await RawClient.connect(port);
  try {
    client.send(api.request, version, ++correlation, body);
    const frame = await client.readFrame(15_000);
    if (!frame) throw new Error('connection closed');
    const codec = codecFor(api.response, version);
    // Response header: correlation id, plus a tag buffer for flexible versions (never for ApiVersions).
    return codec.decode(frame, codec.flexible && api.apiKey !== 18 ? 5 : 4) as MessageOf<A['response']>;
  } finally {
    client.end();
  }
}
