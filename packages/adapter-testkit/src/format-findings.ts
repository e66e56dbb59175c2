import { spanTree } from './internal/span-text.js';
import type { ConformanceSpan, Finding } from './rules/finding.js';

/** The failure report of one scenario: numbered findings, then the exported span tree. */
export function formatFindings(
  title: string,
  findings: readonly Finding[],
  spans: readonly ConformanceSpan[],
): string {
  const lines = [
    `${title}: ${findings.length} problem${findings.length === 1 ? '' : 's'}`,
    ...findings.map((f, i) => `  ${i + 1}. [${f.rule}] ${f.message}`),
  ];
  if (spans.length > 0) {
    lines.push(`Spans exported by this scenario (${spans.length}):`, spanTree(spans));
  }
  return lines.join('\n');
}
