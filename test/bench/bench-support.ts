/**
 * What the end-to-end benchmarks share: a free port, a process's CPU time, waiting for a broker to
 * listen, and one raw Kafka connection that sends pre-built frames and hands back response frames.
 */
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const CLK_TCK = 100;

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('broker did not start');
}

/** One Kafka connection: framed requests out, responses (without size) back, in order. */
export async function kafkaConnection(port: number) {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffered: Buffer = Buffer.alloc(0);
  const waiting: ((frame: Buffer) => void)[] = [];
  socket.on('data', (d: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, d]) : d;
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const size = buffered.readInt32BE(0);
      waiting.shift()!(buffered.subarray(4, 4 + size));
      buffered = buffered.subarray(4 + size);
    }
  });
  const frame = (apiKey: number, version: number, correlationId: number, body: Buffer, flexible: boolean): Buffer => {
    const header = Buffer.alloc(10 + (flexible ? 1 : 0));
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(version, 2);
    header.writeInt32BE(correlationId, 4);
    header.writeInt16BE(-1, 8); // null client id
    const size = Buffer.alloc(4);
    size.writeInt32BE(header.length + body.length);
    return Buffer.concat([size, header, body]);
  };
  return {
    frame,
    send: (bytes: Buffer) => new Promise<Buffer>((resolve) => (waiting.push(resolve), socket.write(bytes))),
    close: () => socket.destroy(),
  };
}
