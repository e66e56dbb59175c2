import type { GalileoKind } from '@galileo-otel/core';
import { galileoKind } from '@galileo-otel/core';
import type { ConformanceRule, ConformanceSpan, Finding } from '../rules/finding.js';
import { spanRef, statusText } from './span-text.js';

/**
 * The scenario's failure must show on a span of `kind`: at least one has status ERROR (2). The
 * shape of the error on it is the `error-shape` rule's job.
 */
export function expectFailedSpan(
  spans: readonly ConformanceSpan[],
  expected: { kind: GalileoKind; rule: ConformanceRule; because: string },
): Finding[] {
  const { kind, rule, because } = expected;
  const candidates = spans.filter((s) => galileoKind(s) === kind);
  if (candidates.some((s) => s.status.code === 2)) return [];
  const fix =
    'Call `recordSpanError(span, error)` from `@galileo-otel/core/adapter` where the framework reports the failure.';
  if (candidates.length === 0) {
    return [
      {
        rule,
        message: `expected ${kind === 'agent' || kind === 'llm' ? 'an' : 'a'} ${kind} span with status ERROR (2) because ${because}; saw no ${kind} span at all (${spans.length} spans: ${spans.map((s) => `\`${s.name}\``).join(', ') || 'none'}).`,
      },
    ];
  }
  return candidates.map((s) => ({
    rule,
    spanId: s.spanId,
    message: `${spanRef(s)} should have status ERROR (2) because ${because}; saw status ${statusText(s.status.code)}. ${fix}`,
  }));
}
