/**
 * The consumer-group state diagram in docs/04-consumer-groups.md is drawn from the state table in
 * src/group/group.ts. This test keeps the two in step: every arrow between two states in the
 * diagram must be a transition the table allows, and every state of the table must be drawn.
 * Renaming a state or removing a transition in the code makes it fail until the drawing follows.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VALID_PREVIOUS, type GroupState } from '../../src/group/group.js';
import { diagramArrows, stateArrows } from './mermaid.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHAPTER = join(ROOT, 'docs', '04-consumer-groups.md');

function allowed(from: string, to: string): boolean {
  return (VALID_PREVIOUS as Record<string, readonly GroupState[]>)[to]?.includes(from as GroupState) ?? false;
}

describe('the group state diagram in docs/04-consumer-groups.md', () => {
  const arrows = diagramArrows(readFileSync(CHAPTER, 'utf8'));

  it('names only transitions that exist in the state table of src/group/group.ts', () => {
    expect(stateArrows(arrows).length).toBeGreaterThan(0);
    const unknown = stateArrows(arrows).filter((a) => !allowed(a.from, a.to)).map((a) => `${a.from} --> ${a.to}`);
    expect(unknown, 'transitions drawn in the docs but absent from VALID_PREVIOUS').toEqual([]);
  });

  it('draws every state of the table', () => {
    const drawn = new Set(arrows.flatMap((a) => [a.from, a.to]));
    const missing = Object.keys(VALID_PREVIOUS).filter((s) => !drawn.has(s));
    expect(missing).toEqual([]);
  });

  it('puts the initial rebalance delay on PreparingRebalance --> CompletingRebalance, where the code spends it', () => {
    // prepareRebalance() moves an Empty group to PreparingRebalance at once and holds the join there
    // for group.initial.rebalance.delay.ms (test/group/group.test.ts checks that behaviour).
    const withDelay = arrows.filter((a) => a.label.includes('group.initial.rebalance.delay.ms'));
    expect(withDelay.map((a) => `${a.from} --> ${a.to}`)).toEqual(['PreparingRebalance --> CompletingRebalance']);
  });

  it('the parser sees a renamed state as a transition the table lacks', () => {
    // Guards the guard: were the regex to stop matching, the first test would pass on nothing.
    const renamed = diagramArrows('```mermaid\nstateDiagram-v2\n    Empty --> Rebalancing: joins\n```\n');
    expect(renamed).toEqual([{ from: 'Empty', to: 'Rebalancing', label: 'joins' }]);
    expect(allowed('Empty', 'Rebalancing')).toBe(false);
    expect(allowed('Empty', 'PreparingRebalance')).toBe(true);
  });
});
