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
   * Require token usage on every llm span. When `false`, an llm span may carry no usage at all
   * (streams whose provider reports none), but usage it does carry must use both names.
   * @defaultValue `true`
   */
  requireUsage?: boolean | undefined;
}

/**
 * Checks Galileo's attribute shapes: agent and llm spans carry `gen_ai.input.messages` and
 * `gen_ai.output.messages` as JSON arrays of `{role, content}` (output may be missing on a span
 * that ended in error); llm spans carry `gen_ai.request.model`, `gen_ai.provider.name` and
 * token usage under both the current and the legacy names; tool spans carry
 * `gen_ai.tool.call.arguments` and (unless they failed) `gen_ai.tool.call.result`. Messages
 * are validated wherever they appear.
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
    const needsMessages = kind === 'agent' || kind === 'llm';
    for (const key of [INPUT, OUTPUT]) {
      const value = a[key];
      if (value === undefined) {
        if (needsMessages && !(key === OUTPUT && failed)) {
          add(
            span,
            `should carry \`${key}\` (a JSON array of {role, content}); it is missing. Galileo shows ${kind} spans without it as empty. Use \`${kind === 'agent' ? 'agentAttributes' : 'llmAttributes'}()\` or \`ioAttributes()\` from core.`,
          );
        }
        continue;
      }
      const problem = messagesProblem(value);
      if (problem) {
        add(
          span,
          `should carry \`${key}\` as a JSON array of {role, content}; ${problem}. Saw ${preview(value)}. Convert with \`messagesJson()\` from core.`,
        );
      }
    }
    if (kind === 'llm') {
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
        if (!requireUsage && now === undefined && old === undefined) continue;
        if (!isCount(now) || !isCount(old) || now !== old) {
          add(
            span,
            `should carry token usage under both \`${current}\` and \`${legacy}\` (Galileo reads both; \`usageAttributes()\` writes both); saw ${current}=${preview(now ?? 'none')} and ${legacy}=${preview(old ?? 'none')}.`,
          );
        }
      }
    }
    if (kind === 'tool') {
      if (!present(a['gen_ai.tool.call.arguments'])) {
        add(
          span,
          "should carry `gen_ai.tool.call.arguments` (the call's arguments as JSON text); it is missing.",
        );
      }
      if (!failed && !present(a['gen_ai.tool.call.result'])) {
        add(
          span,
          "should carry `gen_ai.tool.call.result` (the tool's return value as text); it is missing.",
        );
      }
    }
  }
  return findings;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function messagesProblem(value: unknown): string | undefined {
  if (typeof value !== 'string')
    return `it is a ${Array.isArray(value) ? 'attribute array' : typeof value}, not JSON text`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'it is not valid JSON';
  }
  if (!Array.isArray(parsed))
    return `it parses to ${parsed === null ? 'null' : typeof parsed}, not an array`;
  if (parsed.length === 0) return 'it is an empty array';
  for (const [i, item] of parsed.entries()) {
    if (!item || typeof item !== 'object') return `item ${i} is not an object`;
    const message = item as Record<string, unknown>;
    if (typeof message.role !== 'string' || message.role === '')
      return `item ${i} has no string \`role\``;
    if (!('content' in message)) {
      const keys = Object.keys(message).join(', ');
      return `item ${i} has no \`content\` (it has ${keys})`;
    }
  }
  return undefined;
}
