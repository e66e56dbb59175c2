import { type GalileoKind, galileoKind } from '@galileo-otel/core';
import { preview } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

const OPERATION: Readonly<Record<GalileoKind, string>> = {
  agent: '`gen_ai.operation.name` = `invoke_agent`',
  llm: '`gen_ai.operation.name` = `chat`',
  tool: '`gen_ai.operation.name` = `execute_tool`',
  retriever: '`db.operation` = `search`',
  workflow: 'no GenAI operation',
};

/**
 * Checks that the run exported at least one span of each required Galileo kind, as
 * `galileoKind()` (and so Galileo's server) decides it.
 */
export function checkKinds(
  spans: readonly ConformanceSpan[],
  required: readonly GalileoKind[] = ['agent', 'llm', 'tool'],
): Finding[] {
  const seen = new Set(spans.map((s) => galileoKind(s)));
  const findings: Finding[] = [];
  for (const kind of required) {
    if (seen.has(kind)) continue;
    const list =
      spans.length === 0
        ? 'no spans at all'
        : spans
            .map(
              (s) =>
                `\`${s.name}\` → ${galileoKind(s)} (gen_ai.operation.name=${preview(s.attributes['gen_ai.operation.name'] ?? 'unset')})`,
            )
            .join(', ');
    findings.push({
      rule: 'kinds',
      message: `expected at least one \`${kind}\` span (${OPERATION[kind]}) in this run; saw ${list}. Galileo derives the kind from the attributes only, so a span without the right \`gen_ai.operation.name\` shows up as a workflow.`,
    });
  }
  return findings;
}
