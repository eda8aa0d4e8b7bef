/**
 * Where a cleaner thread's CPU work (core.ts) runs: in a worker thread (`worker_threads`) for the
 * broker, so decompressing, hashing and re-encoding never hold up produce and fetch on the event
 * loop; or inline, for unit tests, where determinism matters more than latency. Same interface,
 * same code (CleanerCore) behind it.
 *
 * Chunks travel to the worker and output back as transferred ArrayBuffers, not copies: the sender
 * gives each buffer up. A buffer sharing its memory with others (Node's small-buffer pool, a
 * subarray) is copied once into one of its own first.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CleanerCore, type FilterChunkResult, type FilterJob, type MapChunkResult, type MapJob, type MapSummary } from './core.js';

export interface CleanerExecutor {
  beginMap(job: MapJob): Promise<void>;
  /** Gives `chunk` up (it may be transferred to another thread). */
  mapChunk(chunk: Buffer): Promise<MapChunkResult>;
  mapSegmentDone(nextSegmentStartOffset: number): Promise<void>;
  mapSummary(): Promise<MapSummary>;
  beginFilter(job: FilterJob): Promise<void>;
  /** Gives `chunk` up (it may be transferred to another thread). */
  filterChunk(chunk: Buffer): Promise<FilterChunkResult>;
  close(): Promise<void>;
}

/** The core on the calling thread. */
export class InlineExecutor implements CleanerExecutor {
  private readonly core = new CleanerCore();
  beginMap = async (job: MapJob) => this.core.beginMap(job);
  mapChunk = async (chunk: Buffer) => this.core.mapChunk(chunk);
  mapSegmentDone = async (next: number) => this.core.mapSegmentDone(next);
  mapSummary = async () => this.core.mapSummary();
  beginFilter = async (job: FilterJob) => this.core.beginFilter(job);
  filterChunk = async (chunk: Buffer) => this.core.filterChunk(chunk);
  close = async () => {};
}

/** A request to the worker: a CleanerCore method and its argument. */
export interface WorkerRequest {
  id: number;
  method: 'beginMap' | 'mapChunk' | 'mapSegmentDone' | 'mapSummary' | 'beginFilter' | 'filterChunk';
  arg?: unknown;
}

export type WorkerReply = { id: number; result: unknown } | { id: number; error: string };

/** `buf` backed by an ArrayBuffer of its own (copied when it shares one), ready to transfer. */
export function ownBuffer(buf: Buffer): Buffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && !(buf.buffer instanceof SharedArrayBuffer)) return buf;
  const copy = Buffer.allocUnsafeSlow(buf.length);
  buf.copy(copy);
  return copy;
}

/** A Uint8Array that crossed threads, seen as a Buffer again (structured clone drops the subclass). */
export const asBuffer = (u8: Uint8Array): Buffer => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

/** The worker script, next to this module once built (dist); undefined when running from TypeScript sources. */
export function workerScript(): URL | undefined {
  const url = new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** The core in a worker thread, one request at a time. */
export class WorkerExecutor implements CleanerExecutor {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failed: Error | undefined;

  constructor(script: URL) {
    this.worker = new Worker(script);
    // Idle between passes, it must not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(reply.error));
      else p.resolve(reply.result);
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`cleaner worker exited with code ${code}`)));
  }

  private call<T>(method: WorkerRequest['method'], arg?: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, arg } satisfies WorkerRequest, transfer);
    });
  }

  private sendChunk<T>(method: 'mapChunk' | 'filterChunk', chunk: Buffer): Promise<T> {
    const own = ownBuffer(chunk);
    return this.call<T>(method, own, [own.buffer as ArrayBuffer]);
  }

  beginMap = (job: MapJob) => this.call<void>('beginMap', job);
  mapChunk = (chunk: Buffer) => this.sendChunk<MapChunkResult>('mapChunk', chunk);
  mapSegmentDone = (next: number) => this.call<void>('mapSegmentDone', next);
  mapSummary = () => this.call<MapSummary>('mapSummary');
  beginFilter = (job: FilterJob) => this.call<void>('beginFilter', job);

  async filterChunk(chunk: Buffer): Promise<FilterChunkResult> {
    const result = await this.sendChunk<FilterChunkResult>('filterChunk', chunk);
    return { ...result, output: asBuffer(result.output) };
  }

  async close(): Promise<void> {
    this.failed ??= new Error('cleaner worker closed');
    await this.worker.terminate();
  }
}
