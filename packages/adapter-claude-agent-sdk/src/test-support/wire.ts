import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import { expect } from 'vitest';
import { renderTree } from './harness.js';

/** A message as the wire carries it. */
export interface WireMessage {
  role: string;
  content: string;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** The messages of `gen_ai.input.messages` / `gen_ai.output.messages` (`[]` when absent). */
export function messagesOf(span: OtlpSpan, side: 'input' | 'output'): WireMessage[] {
  const value = span.attributes[`gen_ai.${side}.messages`];
  return value === undefined ? [] : (JSON.parse(String(value)) as WireMessage[]);
}

/** The one span named `name` (fails with the tree when there is not exactly one). */
export function one(spans: readonly OtlpSpan[], name: string): OtlpSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found, `exactly one "${name}" in\n${renderTree(spans)}`).toHaveLength(1);
  return found[0] as OtlpSpan;
}

/** The children of `parent`, in start order. */
export function childrenOf(spans: readonly OtlpSpan[], parent: OtlpSpan): OtlpSpan[] {
  return spans
    .filter((s) => s.parentSpanId === parent.spanId)
    .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
}

/**
 * The one message model on every llm and agent span: `{role, content}` with text content, plus
 * `tool_calls` (JSON arguments, an id) on assistant messages and `tool_call_id` on tool ones.
 */
export function expectCanonical(spans: readonly OtlpSpan[]): void {
  for (const span of spans) {
    for (const side of ['input', 'output'] as const) {
      for (const message of messagesOf(span, side)) {
        const extra = Object.keys(message).filter(
          (k) => !['role', 'content', 'tool_calls', 'tool_call_id'].includes(k),
        );
        expect(extra, `${span.name} ${side}`).toEqual([]);
        expect(typeof message.content, `${span.name} ${side}`).toBe('string');
        if (message.tool_call_id !== undefined) expect(message.role).toBe('tool');
        for (const call of message.tool_calls ?? []) {
          expect(message.role).toBe('assistant');
          expect(call.type).toBe('function');
          expect(call.id).toMatch(/^toolu_/);
          expect(() => JSON.parse(call.function.arguments)).not.toThrow();
        }
      }
    }
  }
}

/** The one error shape: ERROR, `error.type`, one `exception` event saying the same. */
export function expectFailed(span: OtlpSpan, type: string, message?: RegExp): void {
  expect(span.status.code, span.name).toBe(2);
  expect(span.attributes['error.type'], span.name).toBe(type);
  const events = span.events.filter((e) => e.name === 'exception');
  expect(events, span.name).toHaveLength(1);
  expect(events[0]?.attributes['exception.type'], span.name).toBe(type);
  expect(events[0]?.attributes['exception.message'], span.name).toBe(span.status.message);
  if (message) expect(String(span.status.message), span.name).toMatch(message);
}
