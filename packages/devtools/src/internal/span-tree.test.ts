import { describe, expect, it } from 'vitest';
import { spanTree } from './span-tree.js';

const span = (spanId: string, parentSpanId: string | null = null) => ({ spanId, parentSpanId });
const shape = (spans: ReturnType<typeof span>[]) =>
  spanTree(spans).map(
    (r) => `${'.'.repeat(r.depth)}${r.span.spanId}${r.cycle ? '*' : ''}${r.last ? '' : '+'}`,
  );

describe('spanTree', () => {
  it('orders depth first, children in input order, orphans as roots', () => {
    expect(
      shape([span('a'), span('b', 'a'), span('o', 'missing'), span('c', 'a'), span('d', 'b')]),
    ).toEqual(['a', '.b+', '..d', '.c', 'o']);
  });

  it('shows every span of a trace that is only cycles, flagging the members', () => {
    // x is its own parent; p → q → r → p; s hangs below q.
    expect(
      shape([span('x', 'x'), span('p', 'r'), span('q', 'p'), span('r', 'q'), span('s', 'q')]),
    ).toEqual(['x*', 'p*', '.q*', '..r*+', '..s']);
  });

  it('walks a chain 100 000 deep without recursion', () => {
    const spans = Array.from({ length: 100_000 }, (_, i) => span(`s${i}`, i ? `s${i - 1}` : null));
    const rows = spanTree(spans);
    expect(rows.map((r) => r.depth)).toEqual(spans.map((_, i) => i));
  });
});
