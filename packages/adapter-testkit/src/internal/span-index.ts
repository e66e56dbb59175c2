import type { ConformanceSpan } from '../rules/finding.js';

/** Spans by id, and the chain of exported ancestors of a span (nearest first). */
export class SpanIndex {
  readonly byId: ReadonlyMap<string, ConformanceSpan>;

  constructor(spans: readonly ConformanceSpan[]) {
    this.byId = new Map(spans.map((s) => [s.spanId, s]));
  }

  ancestors(span: ConformanceSpan): ConformanceSpan[] {
    const out: ConformanceSpan[] = [];
    const seen = new Set([span.spanId]);
    let parentId = span.parentSpanId;
    while (parentId && !seen.has(parentId)) {
      seen.add(parentId);
      const parent = this.byId.get(parentId);
      if (!parent) break;
      out.push(parent);
      parentId = parent.parentSpanId;
    }
    return out;
  }

  /** The parent id the ancestor chain stops at because it was not exported, if any. */
  missingAncestor(span: ConformanceSpan): string | undefined {
    const chain = this.ancestors(span);
    const top = chain.at(-1) ?? span;
    return top.parentSpanId && !this.byId.has(top.parentSpanId) ? top.parentSpanId : undefined;
  }
}
