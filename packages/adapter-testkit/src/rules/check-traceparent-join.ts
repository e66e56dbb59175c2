import { galileoKind } from '@galileo-otel/core';
import { SpanIndex } from '../internal/span-index.js';
import { spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

/**
 * Checks a run made under an incoming `traceparent`: every span is in the caller's trace, the
 * run's root spans are children of the caller's span, and the agent hangs under it.
 */
export function checkTraceparentJoin(
  spans: readonly ConformanceSpan[],
  traceparent: string,
): Finding[] {
  const [, traceId, parentId] = traceparent.split('-');
  const findings: Finding[] = [];
  const index = new SpanIndex(spans);
  for (const span of spans) {
    if (span.traceId !== traceId) {
      findings.push({
        rule: 'traceparent',
        spanId: span.spanId,
        message: `${spanRef(span)} should be in the caller's trace ${traceId} (from \`traceparent\`); it is in trace ${span.traceId}. Start the run's root span from \`context.active()\` when the run starts.`,
      });
    }
  }
  const roots = spans.filter((s) => !s.parentSpanId || !index.byId.has(s.parentSpanId));
  for (const root of roots) {
    if (root.parentSpanId === parentId) continue;
    findings.push({
      rule: 'traceparent',
      spanId: root.spanId,
      message: `${spanRef(root)} is the top of this run and should be a child of the caller's span ${parentId}; its parent is ${root.parentSpanId ?? 'none (a new root)'}.`,
    });
  }
  const agents = spans.filter((s) => galileoKind(s) === 'agent');
  if (agents.length === 0) {
    findings.push({
      rule: 'traceparent',
      message: `expected an agent span under the caller's span ${parentId}; saw no agent span.`,
    });
  }
  return findings;
}
