import { galileoKind } from '@galileo-otel/core';
import { spanRef, statusText } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

/**
 * Checks that the run's failing tool shows as failed: at least one tool span has status ERROR
 * (2) and an `error.type`.
 */
export function checkToolError(spans: readonly ConformanceSpan[]): Finding[] {
  const tools = spans.filter((s) => galileoKind(s) === 'tool');
  const isFailed = (s: ConformanceSpan) =>
    s.status.code === 2 &&
    typeof s.attributes['error.type'] === 'string' &&
    s.attributes['error.type'] !== '';
  if (tools.some(isFailed)) return [];
  if (tools.length === 0) {
    return [
      {
        rule: 'tool-error',
        message: `expected a tool span with status ERROR (2) and \`error.type\` because the tool threw; saw no tool span at all (${spans.length} spans: ${spans.map((s) => `\`${s.name}\``).join(', ') || 'none'}).`,
      },
    ];
  }
  return tools.map((s) => {
    const type = s.attributes['error.type'];
    return {
      rule: 'tool-error',
      spanId: s.spanId,
      message: `${spanRef(s)} should have status ERROR (2) with \`error.type\` because the tool threw; saw status ${statusText(s.status.code)} and ${type === undefined ? 'no error.type' : `error.type=${String(type)}`}. Call \`recordSpanError(span, error)\` from core where the framework reports the failure.`,
    };
  });
}
