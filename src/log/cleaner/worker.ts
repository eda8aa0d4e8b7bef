/**
 * The cleaner's worker thread: one CleanerCore, driven by requests from executor.ts. Chunks arrive
 * transferred; the filter's output goes back transferred.
 */
import { parentPort } from 'node:worker_threads';
import { CleanerCore, type FilterChunkResult } from './core.js';
import { asBuffer, type WorkerReply, type WorkerRequest } from './executor.js';

const core = new CleanerCore();
const port = parentPort!;

port.on('message', ({ id, method, arg }: WorkerRequest) => {
  let reply: WorkerReply;
  const transfer: ArrayBuffer[] = [];
  try {
    let result: unknown;
    switch (method) {
      case 'mapChunk':
        result = core.mapChunk(asBuffer(arg as Uint8Array));
        break;
      case 'filterChunk': {
        const filtered: FilterChunkResult = core.filterChunk(asBuffer(arg as Uint8Array));
        transfer.push(filtered.output.buffer as ArrayBuffer);
        result = filtered;
        break;
      }
      case 'beginMap':
        result = core.beginMap(arg as Parameters<CleanerCore['beginMap']>[0]);
        break;
      case 'mapSegmentDone':
        result = core.mapSegmentDone(arg as number);
        break;
      case 'mapSummary':
        result = core.mapSummary();
        break;
      case 'beginFilter':
        result = core.beginFilter(arg as Parameters<CleanerCore['beginFilter']>[0]);
        break;
    }
    reply = { id, result };
  } catch (err) {
    reply = { id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  port.postMessage(reply, transfer);
});
