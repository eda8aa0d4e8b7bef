/**
 * The layering rules, checked on the import statements of every file in src/ (type-only imports
 * included: a type cycle still ties the modules together for a reader and for the compiler).
 *
 * - No import cycle anywhere in src/.
 * - Handlers and the server see the broker only through the services interface (src/services.ts);
 *   none of them imports the composition root, src/broker.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of one file, as repository paths (`src/log/segment.ts`); packages are left out. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(ROOT, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
}

/** Every file of src/ and what it imports. */
function importGraph(): Map<string, string[]> {
  return new Map(sourceFiles(SRC).map((f) => [relative(ROOT, f), importsOf(f)]));
}

/** One cycle per strongly connected component with more than one file (or a file importing itself). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm; the graph is small, so recursion depth is no concern.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('architecture', () => {
  const graph = importGraph();

  it('reads the imports it checks (value, type-only and re-exports)', () => {
    // Guards the parser: if it found nothing, the rules below would pass vacuously.
    expect(graph.get('src/broker.ts')).toContain('src/handlers/index.ts');
    expect(graph.get('src/handlers/index.ts')).toContain('src/server/handler.ts'); // `import type`
    expect(graph.size).toBeGreaterThan(50);
  });

  it('finds cycles, including type-only ones, in a small graph', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a', 'x']],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c'], ['d']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('has no import cycle in src/', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('keeps src/broker.ts out of handlers and the server', () => {
    const offenders = [...graph]
      .filter(([file]) => file.startsWith('src/handlers/') || file.startsWith('src/server/'))
      .filter(([, imports]) => imports.includes('src/broker.ts'))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});
