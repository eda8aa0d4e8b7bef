import { describe, expect, it } from 'vitest';
import { FrameReader, FrameTooLargeError } from '../../src/server/frame-reader.js';

const frame = (body: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
};

describe('FrameReader', () => {
  it('returns frames inside one chunk as views, without copying', () => {
    const r = new FrameReader(1024);
    const chunk = Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two'))]);
    r.push(chunk);
    const first = r.next()!;
    expect(first.toString()).toBe('one');
    expect(first.buffer).toBe(chunk.buffer);
    expect(r.next()!.toString()).toBe('two');
    expect(r.next()).toBeUndefined();
  });

  it('joins frames split across chunks at any byte, size prefix included', () => {
    const bytes = Buffer.concat([frame(Buffer.from('hello world')), frame(Buffer.alloc(0)), frame(Buffer.from('!'))]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = new FrameReader(1024);
      const got: string[] = [];
      for (const part of [bytes.subarray(0, cut), bytes.subarray(cut)]) {
        r.push(part);
        for (let f = r.next(); f; f = r.next()) got.push(f.toString());
      }
      expect(got, `cut at ${cut}`).toEqual(['hello world', '', '!']);
    }
  });

  it('one byte at a time', () => {
    const bytes = frame(Buffer.from('slow'));
    const r = new FrameReader(1024);
    const got: string[] = [];
    for (const b of bytes) {
      r.push(Buffer.from([b]));
      const f = r.next();
      if (f) got.push(f.toString());
    }
    expect(got).toEqual(['slow']);
  });

  it('refuses sizes above socket.request.max.bytes and negative sizes before buffering them', () => {
    const big = new FrameReader(10);
    big.push(frame(Buffer.alloc(11)).subarray(0, 4));
    expect(() => big.next()).toThrow(FrameTooLargeError);
    const negative = new FrameReader(10);
    negative.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(() => negative.next()).toThrow(FrameTooLargeError);
  });
});
