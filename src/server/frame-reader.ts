/**
 * Cuts a TCP byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
 *
 * Incoming chunks are kept in a list and only joined when a frame spans chunks; a frame that lies
 * inside one chunk is returned as a view of it (no copy), which is the common case for small requests.
 */
export class FrameTooLargeError extends Error {
  readonly code = 'TAFKA_ERR_FRAME_TOO_LARGE';
}

const EMPTY = Buffer.alloc(0);

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** May be lowered and raised between frames (a connection that has not authenticated yet gets less). */
  constructor(public maxFrameBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole frame (without its size prefix), or undefined until more bytes arrive. */
  next(): Buffer | undefined {
    if (this.buffered < 4) return undefined;
    const size = this.peekSize();
    if (size < 0 || size > this.maxFrameBytes) {
      throw new FrameTooLargeError(`frame of ${size} bytes exceeds socket.request.max.bytes (${this.maxFrameBytes})`);
    }
    if (this.buffered < 4 + size) return undefined;
    this.consume(4);
    return this.consume(size);
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.alloc(4);
    let copied = 0;
    for (const c of this.chunks) {
      copied += c.copy(head, copied, 0, Math.min(c.length, 4 - copied));
      if (copied === 4) break;
    }
    return head.readInt32BE(0);
  }

  private consume(n: number): Buffer {
    if (n === 0) return EMPTY;
    this.buffered -= n;
    const first = this.chunks[0];
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    while (copied < n) {
      const c = this.chunks[0];
      const take = Math.min(c.length, n - copied);
      c.copy(out, copied, 0, take);
      copied += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    return out;
  }
}
