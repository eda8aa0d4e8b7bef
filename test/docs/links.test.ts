/**
 * The docs check for references: every relative link in README.md and docs/ resolves to a file in
 * this repository (and, with a #fragment, to a heading of that file, slugged as GitHub does), and
 * every repository path the text names (`src/log/segment.ts`, `test/fixtures/`) exists. Files are
 * being moved as the code grows; this test is what tells a rename that a chapter still points at
 * the old place.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', ...docs].sort();
}

/** The text outside fenced code blocks and inline code, where markdown links live. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1]!.replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

interface Problem {
  readonly file: string;
  readonly ref: string;
  readonly why: string;
}

function checkLinks(file: string, text = readFileSync(join(ROOT, file), 'utf8')): Problem[] {
  const problems: Problem[] = [];
  for (const m of prose(text).matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const ref = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) continue; // https:, mailto: ...
    const [path, fragment] = ref.split('#') as [string, string | undefined];
    if (path === '') {
      if (!anchors(text).has(fragment!)) problems.push({ file, ref, why: `no heading #${fragment} in ${file}` });
      continue;
    }
    const target = resolve(ROOT, dirname(file), decodeURIComponent(path));
    const rel = relative(ROOT, target);
    if (rel.startsWith('..')) {
      problems.push({ file, ref, why: 'points outside the repository' });
    } else if (!existsSync(target)) {
      problems.push({ file, ref, why: 'no such file' });
    } else if (fragment !== undefined && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(fragment)) {
      problems.push({ file, ref, why: `no heading #${fragment} in ${rel}` });
    }
  }
  return problems;
}

/** Repository paths named anywhere in the text (code spans and blocks too), e.g. `src/log/segment.ts`. */
function namedPaths(markdown: string): string[] {
  const found = new Set<string>();
  for (const m of markdown.matchAll(/(?<![\w./-])(?:src|protocol|test|integration|docs)\/[^\s`'"()[\]|:;]*/g)) {
    const path = m[0].replace(/[.,]+$/, '');
    // Patterns, not paths: `src/handlers/19-*`, `protocol/messages/NN-name.ts`, `08,09,10..16`.
    if (/[*<>{},]|NN|\.\./.test(path)) continue;
    found.add(path);
  }
  return [...found];
}

function checkNamedPaths(file: string, text = readFileSync(join(ROOT, file), 'utf8')): Problem[] {
  const problems = namedPaths(text)
    .filter((p) => !existsSync(join(ROOT, p)) || (p.endsWith('/') && !statSync(join(ROOT, p)).isDirectory()))
    .map((ref) => ({ file, ref, why: 'no such file or directory in the repository' }));
  // A code span naming a relative path (`../src/`, `../shared/...`) must exist in the clone too.
  for (const m of text.matchAll(/`(\.\.\/[^`\s]*)`/g)) {
    const target = resolve(ROOT, dirname(file), m[1]!);
    if (relative(ROOT, target).startsWith('..')) problems.push({ file, ref: m[1]!, why: 'points outside the repository' });
    else if (!existsSync(target)) problems.push({ file, ref: m[1]!, why: 'no such file or directory in the repository' });
  }
  return problems;
}

describe('references in README.md and docs/', () => {
  const files = markdownFiles();

  it('finds the chapters', () => {
    expect(files).toContain('docs/00-kafka-in-15-minutes.md');
    expect(files).toContain('docs/troubleshooting.md');
  });

  it('every relative link resolves inside the repository, anchors included', () => {
    expect(files.flatMap((f) => checkLinks(f))).toEqual([]);
  });

  it('every repository path the text names exists', () => {
    expect(files.flatMap((f) => checkNamedPaths(f))).toEqual([]);
  });

  it('the checks see a broken link, a missing anchor and a missing path', () => {
    // Guards the guard: the extractors must find these, or the tests above would pass on nothing.
    expect(anchors('# 1.10 A producer\'s first connection\n## Two\n## Two\n')).toEqual(
      new Set(['110-a-producers-first-connection', 'two', 'two-1']),
    );
    expect(namedPaths('see `src/log/segment.ts`, src/nope.ts and `src/handlers/19-*`; dist/src/main.js')).toEqual([
      'src/log/segment.ts',
      'src/nope.ts',
    ]);
    expect(existsSync(join(ROOT, 'src/nope.ts'))).toBe(false);
    const links = '[a](../src/nope.ts) [b](01-wire-protocol.md#no-such-heading) [c](../../shared/x.md) [d](#the-end) [f](#not-here) `[e](nope.md)`\n# The end\n';
    expect(checkLinks('docs/x.md', links).map((p) => `${p.ref}: ${p.why}`)).toEqual([
      '../src/nope.ts: no such file',
      '01-wire-protocol.md#no-such-heading: no heading #no-such-heading in docs/01-wire-protocol.md',
      '../../shared/x.md: points outside the repository',
      '#not-here: no heading #not-here in docs/x.md',
    ]);
    expect(checkNamedPaths('docs/x.md', 'details in `../shared/design/x.md` and `../src/`').map((p) => p.ref)).toEqual(['../shared/design/x.md']);
  });
});
