import type { GalileoKind } from '@galileo-otel/core';
import type { SessionDetail, SessionSummary, StoredSpan, TraceSummary } from '../trace-store.js';
import { spanTree } from './span-tree.js';
import { terminalText as t } from './terminal-text.js';

// Every string that comes from the store goes through `t` (terminalText) before it is printed,
// so a control character in span data shows as an escape and never acts on the terminal.

/** ANSI styling on or off. */
export interface Style {
  color: boolean;
}

const CODES = {
  bold: 1,
  dim: 2,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
} as const;

type Code = keyof typeof CODES;

const KIND_COLOR: Record<GalileoKind, Code> = {
  workflow: 'gray',
  agent: 'magenta',
  llm: 'blue',
  tool: 'yellow',
  retriever: 'green',
};

function paint(style: Style, code: Code, text: string): string {
  return style.color ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text;
}

/** Milliseconds as a short human duration. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

function attr(span: StoredSpan, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = span.attributes[key];
    if (typeof value === 'string' || typeof value === 'number') return t(String(value));
  }
  return undefined;
}

function where(d: { project: string; logStream: string | null; experimentId: string | null }) {
  return t(
    d.experimentId
      ? `${d.project} / experiment ${d.experimentId}`
      : `${d.project} / ${d.logStream}`,
  );
}

function spanLine(span: StoredSpan, style: Style): string {
  const name = t(span.name) || '(unnamed)';
  const parts = [
    span.status.code === 2 ? paint(style, 'red', name) : name,
    paint(style, KIND_COLOR[span.kind] ?? 'gray', `[${t(span.kind)}]`),
  ];
  if (span.serviceName) parts.push(paint(style, 'cyan', t(span.serviceName)));
  parts.push(paint(style, 'dim', formatDuration(span.durationMs)));
  const model = attr(span, 'gen_ai.request.model', 'gen_ai.response.model');
  if (model !== undefined) parts.push(model);
  const input = attr(span, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens');
  const output = attr(span, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens');
  if (input !== undefined || output !== undefined) {
    parts.push(paint(style, 'dim', `tokens ${input ?? '?'} in / ${output ?? '?'} out`));
  }
  if (span.status.code === 2) {
    const type = attr(span, 'error.type');
    const message = [type, t(span.status.message)].filter(Boolean).join(': ');
    parts.push(paint(style, 'red', `ERROR${message ? ` ${message}` : ''}`));
  }
  if (span.orphan) {
    parts.push(
      paint(style, 'yellow', `(orphan: parent ${t(span.parentSpanId ?? '')} not received)`),
    );
  }
  return parts.join('  ');
}

// Deeper spans keep this many levels of guides, and print their depth instead of the rest, so a
// hostile chain 10 000 deep costs 10 000 short lines rather than quadratic indentation.
const MAX_INDENT = 12;

/**
 * The trace as an indented tree (roots, then children in start order), one span per line with
 * kind, service, duration, model, tokens and errors. Orphans are listed as extra roots, flagged;
 * a parent cycle is listed from its first span, every member flagged.
 */
export function formatTraceTree(traceId: string, spans: StoredSpan[], style: Style): string {
  const rows = spanTree(spans);
  const errors = spans.filter((s) => s.status.code === 2).length;
  const services = [...new Set(spans.map((s) => s.serviceName).filter((s) => s !== null))]
    .sort()
    .map(t);
  const first = rows[0]?.span;
  const contracts = [...new Set(spans.map((s) => s.contract))].sort();
  const sessions = [...new Set(spans.map((s) => s.sessionId).filter((s) => s !== null))].sort();
  const lines = [
    paint(style, 'bold', `trace ${t(traceId)}`) +
      (first ? paint(style, 'dim', `  ${where(first)}`) : ''),
    paint(
      style,
      'dim',
      `${spans.length} spans · ${services.length} services (${services.join(', ')}) · ` +
        `${errors} errors · via ${t(contracts.join(', '))}` +
        (sessions.length > 0 ? ` · session ${sessions.map(t).join(', ')}` : ''),
    ),
    '',
  ];
  // open[d]: the span last printed at depth d has siblings still to come, so draw its guide.
  const open: boolean[] = [];
  for (const { span, depth, last, cycle } of rows) {
    open[depth] = !last;
    let prefix = '';
    if (depth > 0) {
      const from = Math.max(1, depth - MAX_INDENT + 1);
      if (from > 1) prefix = `[depth ${depth}] `;
      for (let d = from; d < depth; d++) prefix += open[d] ? '│  ' : '   ';
      prefix += last ? '└─ ' : '├─ ';
    }
    const flag = cycle
      ? `  ${paint(style, 'yellow', '(cycle: its parent chain loops back to it)')}`
      : '';
    lines.push(`${paint(style, 'gray', prefix)}${spanLine(span, style)}${flag}`);
  }
  return `${lines.join('\n')}\n`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** An aligned table: a bold header, then one line per row, red where `alert` says so. */
function table(header: string[], rows: string[][], style: Style, alert: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const body = rows.map((r, i) => (alert[i] ? paint(style, 'red', line(r)) : line(r)));
  return `${[paint(style, 'bold', line(header)), ...body].join('\n')}\n`;
}

/** Recent traces as an aligned table. */
export function formatTraceList(traces: TraceSummary[], style: Style, now: number): string {
  if (traces.length === 0) return 'No traces stored yet.\n';
  const rows = traces.map((trace) => [
    t(trace.traceId),
    t(trace.rootName) || '(unnamed)',
    String(trace.spanCount),
    String(trace.errorCount),
    formatDuration(trace.durationMs),
    t(trace.services.join(',')),
    t(trace.kinds.join(',')),
    where(trace),
    t(trace.contract),
    `${Math.max(0, Math.round((now - trace.lastReceivedMs) / 1000))}s ago`,
  ]);
  const header = [
    'TRACE ID',
    'ROOT',
    'SPANS',
    'ERRORS',
    'DURATION',
    'SERVICES',
    'KINDS',
    'PROJECT / STREAM',
    'VIA',
    'RECEIVED',
  ];
  return table(
    header,
    rows,
    style,
    traces.map((trace) => trace.errorCount > 0),
  );
}

const time = (ms: number): string => new Date(ms).toISOString();

/** Sessions as an aligned table: id, traces, spans, errors, services, contracts, first and last. */
export function formatSessionList(sessions: SessionSummary[], style: Style): string {
  if (sessions.length === 0) {
    return 'No sessions stored yet (spans join one with galileo.session.id or gen_ai.conversation.id).\n';
  }
  return table(
    ['SESSION', 'TRACES', 'SPANS', 'ERRORS', 'SERVICES', 'VIA', 'FIRST', 'LAST'],
    sessions.map((s) => [
      t(s.sessionId),
      String(s.traceCount),
      String(s.spanCount),
      String(s.errorCount),
      t(s.services.join(',')),
      t(s.contracts.join(',')),
      time(s.startMs),
      time(s.endMs),
    ]),
    style,
    sessions.map((s) => s.errorCount > 0),
  );
}

/** One session: a summary line, then its traces in time order, each with its offset. */
export function formatSession(session: SessionDetail, style: Style): string {
  const services = session.services.map(t);
  const lines = [
    paint(style, 'bold', `session ${t(session.sessionId)}`),
    paint(
      style,
      'dim',
      `${session.traceCount} traces · ${services.length} services (${services.join(', ')}) · ` +
        `${session.errorCount} errors · first ${time(session.startMs)} · last ${time(session.endMs)}`,
    ),
    '',
  ];
  const traces = session.traces;
  const rows = traces.map((trace) => [
    `+${formatDuration(Math.max(trace.startMs - session.startMs, 0))}`,
    t(trace.traceId),
    t(trace.rootName) || '(unnamed)',
    t(trace.services.join(',')),
    t(trace.contract),
    String(trace.spanCount),
    String(trace.errorCount),
    formatDuration(trace.durationMs),
  ]);
  const header = ['START', 'TRACE ID', 'ROOT', 'SERVICES', 'VIA', 'SPANS', 'ERRORS', 'DURATION'];
  return `${lines.join('\n')}\n${table(
    header,
    rows,
    style,
    traces.map((trace) => trace.errorCount > 0),
  )}`;
}
