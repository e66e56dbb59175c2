import { spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

/** Options of {@link checkNoOrphans}. */
export interface NoOrphansOptions {
  /**
   * The span id of the caller's remote parent (from an incoming `traceparent`): allowed as a
   * parent although it is not exported.
   * @defaultValue `undefined`
   */
  remoteParentSpanId?: string | undefined;
}

/** Checks that every `parentSpanId` is a span of the same export (or the allowed remote parent). */
export function checkNoOrphans(
  spans: readonly ConformanceSpan[],
  options: NoOrphansOptions = {},
): Finding[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const findings: Finding[] = [];
  for (const span of spans) {
    const parent = span.parentSpanId;
    if (!parent || ids.has(parent) || parent === options.remoteParentSpanId) continue;
    findings.push({
      rule: 'orphans',
      spanId: span.spanId,
      message: `${spanRef(span)} is an orphan: its parent ${parent} was never exported, so Galileo shows it detached from its tree. Drop wrapper levels with \`onStart\` → \`{ drop: true }\` (core then re-parents their children) rather than \`translate\` → \`{ drop: true }\`, and end every parent before \`forceFlush()\` returns.`,
    });
  }
  return findings;
}
