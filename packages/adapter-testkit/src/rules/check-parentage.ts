import { galileoKind } from '@galileo-otel/core';
import { SpanIndex } from '../internal/span-index.js';
import { spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

/** Checks that every llm and tool span has an agent span among its exported ancestors. */
export function checkParentage(spans: readonly ConformanceSpan[]): Finding[] {
  const index = new SpanIndex(spans);
  const findings: Finding[] = [];
  for (const span of spans) {
    const kind = galileoKind(span);
    if (kind !== 'llm' && kind !== 'tool') continue;
    const chain = index.ancestors(span);
    if (chain.some((a) => galileoKind(a) === 'agent')) continue;
    const missing = index.missingAncestor(span);
    const path =
      chain.length === 0
        ? 'it has no exported ancestor'
        : `its ancestors are ${chain.map((a) => `\`${a.name}\` (${galileoKind(a)})`).join(' → ')}`;
    findings.push({
      rule: 'parentage',
      spanId: span.spanId,
      message: `${spanRef(span)} should sit under an agent span (\`invoke_agent …\`); ${path}${missing ? `, then parent ${missing}, which was not exported` : ''}. Start llm and tool spans in the context of the agent span of the same run.`,
    });
  }
  return findings;
}
