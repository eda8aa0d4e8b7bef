/**
 * The transaction state diagram in docs/08-transactions.md is drawn from VALID_PREVIOUS in
 * src/txn/state.ts: every arrow must be a transition the table allows, and every transition of the
 * table must be drawn (the table is small enough to draw whole).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VALID_PREVIOUS, type TransactionState } from '../../src/txn/state.js';
import { diagramArrows, stateArrows } from './mermaid.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHAPTER = join(ROOT, 'docs', '08-transactions.md');

const allowed = (from: string, to: string): boolean =>
  (VALID_PREVIOUS as Record<string, readonly TransactionState[]>)[to]?.includes(from as TransactionState) ?? false;

describe('the transaction state diagram in docs/08-transactions.md', () => {
  const arrows = stateArrows(diagramArrows(readFileSync(CHAPTER, 'utf8')));

  it('names only transitions that exist in VALID_PREVIOUS', () => {
    expect(arrows.length).toBeGreaterThan(0);
    expect(arrows.filter((a) => !allowed(a.from, a.to)).map((a) => `${a.from} --> ${a.to}`)).toEqual([]);
  });

  it('draws every transition of the table', () => {
    const drawn = new Set(arrows.map((a) => `${a.from} --> ${a.to}`));
    const table = Object.entries(VALID_PREVIOUS).flatMap(([to, froms]) => froms.map((from) => `${from} --> ${to}`));
    expect(table.filter((t) => !drawn.has(t))).toEqual([]);
  });
});
