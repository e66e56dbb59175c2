import { galileoKind } from '@galileo-otel/core';
import { preview, spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

const INPUT = 'gen_ai.input.messages';
const OUTPUT = 'gen_ai.output.messages';
const USAGE_PAIRS = [
  ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'],
  ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'],
] as const;

/** Options of {@link checkAttributeShapes}. */
export interface AttributeShapesOptions {
  /**
   * Require token usage on every llm span that did not fail. When `false`, an llm span may carry
   * no usage at all (streams whose provider reports none), but usage it does carry must use both
   * names.
   * @defaultValue `true`
   */
  requireUsage?: boolean | undefined;
}

/**
 * Checks that Galileo's attributes are there: agent and llm spans carry `gen_ai.input.messages`
 * and `gen_ai.output.messages` (output may be missing on a span that ended in error); llm spans
 * carry `gen_ai.request.model`, `gen_ai.provider.name` and token usage under both the current
 * and the legacy names (usage may be missing on a failed call). What the messages hold is
 * `checkMessages()`'s to check, tool arguments and results `checkToolIo()`'s.
 */
export function checkAttributeShapes(
  spans: readonly ConformanceSpan[],
  options: AttributeShapesOptions = {},
): Finding[] {
  const requireUsage = options.requireUsage ?? true;
  const findings: Finding[] = [];
  const add = (span: ConformanceSpan, message: string) =>
    findings.push({ rule: 'shapes', spanId: span.spanId, message: `${spanRef(span)} ${message}` });
  for (const span of spans) {
    const kind = galileoKind(span);
    const a = span.attributes;
    const failed = span.status.code === 2;
    if (kind !== 'agent' && kind !== 'llm') continue;
    for (const key of [INPUT, OUTPUT]) {
      if (a[key] !== undefined || (key === OUTPUT && failed)) continue;
      add(
        span,
        `should carry \`${key}\` (a JSON array of {role, content}); it is missing. Galileo shows ${kind} spans without it as empty. Use \`${kind === 'agent' ? 'agentAttributes' : 'llmAttributes'}()\` or \`ioAttributes()\` from core.`,
      );
    }
    if (kind !== 'llm') continue;
    for (const key of ['gen_ai.request.model', 'gen_ai.provider.name']) {
      if (typeof a[key] !== 'string' || a[key] === '') {
        add(
          span,
          `should carry \`${key}\`; saw ${a[key] === undefined ? 'none' : preview(a[key])}.`,
        );
      }
    }
    for (const [current, legacy] of USAGE_PAIRS) {
      const now = a[current];
      const old = a[legacy];
      if ((!requireUsage || failed) && now === undefined && old === undefined) continue;
      if (!isCount(now) || !isCount(old) || now !== old) {
        add(
          span,
          `should carry token usage under both \`${current}\` and \`${legacy}\` (Galileo reads both; \`usageAttributes()\` writes both); saw ${current}=${preview(now ?? 'none')} and ${legacy}=${preview(old ?? 'none')}.`,
        );
      }
    }
  }
  return findings;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
