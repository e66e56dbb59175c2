import { galileoKind } from '@galileo-otel/core';
import { GenAiAttributes } from '@galileo-otel/core/adapter';
import { preview, spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

const ARGUMENTS = GenAiAttributes.TOOL_CALL_ARGUMENTS;
const RESULT = GenAiAttributes.TOOL_CALL_RESULT;

/**
 * Checks that every tool span carries `gen_ai.tool.call.arguments` (the call's arguments as JSON
 * text) and `gen_ai.tool.call.result` (what the tool returned), the result being optional only
 * on a span with status ERROR.
 */
export function checkToolIo(spans: readonly ConformanceSpan[]): Finding[] {
  const findings: Finding[] = [];
  for (const span of spans) {
    if (galileoKind(span) !== 'tool') continue;
    const missing: string[] = [];
    if (!present(span.attributes[ARGUMENTS])) {
      missing.push(`\`${ARGUMENTS}\` (the call's arguments as JSON text, \`{}\` for none)`);
    }
    if (span.status.code !== 2 && !present(span.attributes[RESULT])) {
      missing.push(`\`${RESULT}\` (the tool's return value as text)`);
    }
    if (missing.length === 0) continue;
    const saw = [ARGUMENTS, RESULT]
      .map(
        (key) =>
          `${key}=${span.attributes[key] === undefined ? 'none' : preview(span.attributes[key])}`,
      )
      .join(' and ');
    findings.push({
      rule: 'tool-io',
      spanId: span.spanId,
      message: `${spanRef(span)} should carry ${missing.join(' and ')}; saw ${saw}. Galileo shows the tool's input and output from these two; set them with \`toolAttributes({ name, arguments, result })\` from \`@galileo-otel/core/adapter\` (the result may be missing only when the tool failed and the span has status ERROR).`,
    });
  }
  return findings;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
