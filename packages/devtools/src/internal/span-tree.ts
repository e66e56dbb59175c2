/** One line of a trace tree, in display order. */
export interface SpanTreeRow<S> {
  /** The span. */
  span: S;
  /** 0 for a root (or an orphan, or the first span of a parent cycle), its children 1, ... */
  depth: number;
  /** The last child of its parent (always true at depth 0). */
  last: boolean;
  /** The span's parent chain loops back to it: a parent cycle, which no real trace has. */
  cycle: boolean;
}

/**
 * Orders a trace's spans as a tree, depth first, children in input order: spans without a parent
 * or whose parent is missing (orphans) are roots. Every span appears exactly once: spans in a
 * parent cycle are not reachable from any root, so each cycle is shown from its first member in
 * input order, as one more root, with its members flagged `cycle`.
 *
 * Iterative and linear in the number of spans, so a hostile chain 10 000 deep neither overflows
 * the stack nor slows down. The viewer page embeds this function's source, so it must stay
 * self-contained: no imports, no helpers from outside its body.
 */
export function spanTree<S extends { spanId: string; parentSpanId: string | null }>(
  spans: readonly S[],
): SpanTreeRow<S>[] {
  const byId = new Map<string, S>();
  for (const span of spans) byId.set(span.spanId, span);
  const children = new Map<string, S[]>();
  const roots: S[] = [];
  for (const span of spans) {
    const parent = span.parentSpanId;
    if (parent !== null && parent !== '' && byId.has(parent)) {
      const list = children.get(parent);
      if (list) list.push(span);
      else children.set(parent, [span]);
    } else {
      roots.push(span);
    }
  }

  const rows: SpanTreeRow<S>[] = [];
  const visited = new Set<string>();
  const inCycle = new Set<string>();
  const walk = (root: S): void => {
    const stack: { span: S; depth: number; last: boolean }[] = [
      { span: root, depth: 0, last: true },
    ];
    visited.add(root.spanId);
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      rows.push({ ...top, cycle: inCycle.has(top.span.spanId) });
      const kids = children.get(top.span.spanId) ?? [];
      // Pushed in reverse so the first child is printed first; a visited child closes a cycle.
      let last = true;
      for (let i = kids.length - 1; i >= 0; i--) {
        const kid = kids[i] as S;
        if (visited.has(kid.spanId)) continue;
        visited.add(kid.spanId);
        stack.push({ span: kid, depth: top.depth + 1, last });
        last = false;
      }
    }
  };
  for (const root of roots) walk(root);
  if (visited.size === byId.size) return rows;

  // What no root reaches hangs in or below a parent cycle, and every such span has a stored
  // parent. Following parents from each marks every span once; meeting the current walk again
  // means a new cycle, which is then traced once more to flag its members.
  const seenIn = new Map<string, number>();
  let walkId = 0;
  for (const span of spans) {
    if (visited.has(span.spanId) || seenIn.has(span.spanId)) continue;
    walkId++;
    let id = span.spanId;
    while (!seenIn.has(id)) {
      seenIn.set(id, walkId);
      id = byId.get(id)?.parentSpanId ?? '';
    }
    if (seenIn.get(id) !== walkId) continue;
    const start = id;
    do {
      inCycle.add(id);
      id = byId.get(id)?.parentSpanId ?? '';
    } while (id !== start);
  }
  for (const span of spans) {
    if (inCycle.has(span.spanId) && !visited.has(span.spanId)) walk(span);
  }
  return rows;
}
