/**
 * Reading the one Mermaid state diagram of a docs chapter, so tests can hold it against the state
 * table it was drawn from (group-diagram.test.ts, txn-diagram.test.ts).
 */

export interface Arrow {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

/** The `A --> B: label` lines of the chapter's one Mermaid state diagram. */
export function diagramArrows(markdown: string): Arrow[] {
  const blocks = [...markdown.matchAll(/```mermaid\n(stateDiagram[\s\S]*?)```/g)].map((m) => m[1]!);
  if (blocks.length !== 1) throw new Error(`expected one Mermaid state diagram, found ${blocks.length}`);
  const arrows: Arrow[] = [];
  for (const line of blocks[0]!.split('\n')) {
    const m = /^\s*(\S+)\s*-->\s*([^\s:]+)\s*(?::\s*(.*))?$/.exec(line);
    if (m) arrows.push({ from: m[1]!, to: m[2]!, label: m[3] ?? '' });
  }
  return arrows;
}

/** Arrows between two real states (Mermaid's `[*]` start/end pseudo-state is not in the table). */
export const stateArrows = (arrows: Arrow[]): Arrow[] => arrows.filter((a) => a.from !== '[*]' && a.to !== '[*]');
