import { galileoKind } from '@galileo-otel/core';
import type { ConformanceSpan } from '../rules/finding.js';

/** `tool span \`execute_tool get_weather\` (id 1a2b…, parent 3c4d…)` */
export function spanRef(span: ConformanceSpan): string {
  const parent = span.parentSpanId ? `parent ${span.parentSpanId}` : 'root';
  return `${galileoKind(span)} span \`${span.name}\` (id ${span.spanId}, ${parent})`;
}

const STATUS = ['UNSET (0)', 'OK (1)', 'ERROR (2)'];

/** `ERROR (2)` */
export function statusText(code: number): string {
  return STATUS[code] ?? `code ${code}`;
}

/** A value shortened for a message. */
export function preview(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, bigintSafe);
  if (text === undefined) return String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** One line per span, indented under its parent: for failure reports. */
export function spanTree(spans: readonly ConformanceSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, ConformanceSpan[]>();
  for (const span of spans) {
    const key = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    const list = children.get(key) ?? [];
    list.push(span);
    children.set(key, list);
  }
  const lines: string[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      const parentNote = !span.parentSpanId
        ? 'root'
        : ids.has(span.parentSpanId)
          ? ''
          : `parent ${span.parentSpanId} (not exported)`;
      const status = span.status.code === 2 ? ' ERROR' : '';
      lines.push(
        `${'  '.repeat(depth + 1)}- ${span.name} [${galileoKind(span)}]${status} id=${span.spanId} trace=${span.traceId.slice(0, 8)}…${parentNote ? ` ${parentNote}` : ''}`,
      );
      walk(span.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
