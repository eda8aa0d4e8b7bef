import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine } from '../../src/cli/logger.js';

function sink(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write: (c, _e, cb) => (chunks.push(c.toString()), cb()) }) as Writable & { isTTY: boolean; text: () => string };
  w.isTTY = isTTY;
  w.text = () => chunks.join('');
  return w;
}

describe('start-up logger', () => {
  it('writes JSON lines when the output is not a terminal', () => {
    const out = sink(false);
    createLogger({ level: 'info', format: 'auto', out }).info({ topics: 3 }, 'hello');
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'hello', topics: 3, name: 'tafka' });
  });

  it('writes coloured human lines on a terminal, plain ones with --log-format pretty to a pipe', () => {
    const tty = sink(true);
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    createLogger({ level: 'info', format: 'auto', out: tty }).warn({ key: 'zookeeper.connect' }, 'ignored');
    if (saved !== undefined) process.env.NO_COLOR = saved;
    const text = tty.text().replaceAll('\x1b', '<ESC>');
    expect(text).toMatch(/^<ESC>\[90m\d\d:\d\d:\d\d\.\d{3}<ESC>\[0m <ESC>\[33mWARN <ESC>\[0m ignored {2}<ESC>\[2mkey=<ESC>\[0mzookeeper.connect\n$/);
    const pipe = sink(false);
    createLogger({ level: 'debug', format: 'pretty', out: pipe }).debug({ api: 'Fetch', clientId: 'my app' }, 'request');
    expect(pipe.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} DEBUG request {2}api=Fetch clientId="my app"\n$/);
  });

  it('prints an error\'s stack under its line', () => {
    const line = prettyLine(JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n    at x' } }), false);
    expect(line).toBe('00:00:00.000 ERROR failed\n    Error: boom\n        at x\n');
  });
});
