import { GenAiAttributes } from '@galileo-otel/core/adapter';
import type { ConformanceSpan } from '../rules/finding.js';

/**
 * The spans of each trace in the order they started (by `startTimeUnixNano`; by position in
 * `spans` when any span lacks it, as hand-built spans in unit tests do).
 */
export function traceGroups(spans: readonly ConformanceSpan[]): ConformanceSpan[][] {
  const timed = spans.every((s) => typeof s.startTimeUnixNano === 'bigint');
  const byTrace = new Map<string, ConformanceSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const groups = [...byTrace.values()];
  if (!timed) return groups;
  const start = (s: ConformanceSpan) => s.startTimeUnixNano ?? 0n;
  return groups.map((group) =>
    [...group].sort((a, b) => (start(a) < start(b) ? -1 : start(a) > start(b) ? 1 : 0)),
  );
}

/** The tool a tool span ran: `gen_ai.tool.name`, else its name after `execute_tool `. */
export function toolName(span: ConformanceSpan): string {
  const name = span.attributes[GenAiAttributes.TOOL_NAME];
  return typeof name === 'string' && name !== '' ? name : span.name.replace(/^execute_tool /, '');
}
