// The inspector's page (plain HTML/JS/CSS) ships next to the compiled admin server, which serves it
// from dist/src/admin/static. Run after tsc by `make build`, `npm run build` (and so `npm pack`) and the Dockerfile.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
cpSync(join(root, 'src/admin/static'), join(root, 'dist/src/admin/static'), { recursive: true });
