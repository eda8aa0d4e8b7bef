#!/usr/bin/env node
// The `tafka` command. It only loads the compiled CLI, so that a clone without `make build` gets one
// line saying what to do instead of a module-not-found stack.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(main)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`tafka: the CLI is not built yet (no dist/ in ${root}): run \`make build\` or \`npm run build\` there first\n`);
  process.exit(1);
}
await import(main.href);
