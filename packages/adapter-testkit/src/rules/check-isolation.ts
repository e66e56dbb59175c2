import { galileoKind } from '@galileo-otel/core';
import { spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

/**
 * Checks that N concurrent runs, each about its own topic, exported N separate traces: one per
 * topic, each mentioning only its own topic (no span of one run carrying another run's words),
 * each with an agent span.
 */
export function checkIsolation(
  spans: readonly ConformanceSpan[],
  topics: readonly string[],
): Finding[] {
  const findings: Finding[] = [];
  const byTrace = new Map<string, ConformanceSpan[]>();
  for (const span of spans) {
    const list = byTrace.get(span.traceId) ?? [];
    list.push(span);
    byTrace.set(span.traceId, list);
  }
  if (byTrace.size !== topics.length) {
    findings.push({
      rule: 'isolation',
      message: `expected ${topics.length} concurrent runs to export ${topics.length} separate traces; saw ${byTrace.size}. Keep per-run state keyed by the framework's run or trace id, never in a shared "current span" variable.`,
    });
  }
  const owner = new Map<string, string[]>();
  for (const [traceId, list] of byTrace) {
    const mentions = new Map<string, number>();
    const perSpan = list.map((span) => {
      const found = topicsIn(span, topics);
      for (const topic of found) mentions.set(topic, (mentions.get(topic) ?? 0) + 1);
      return { span, found };
    });
    const agentTopics = new Set(
      perSpan.filter((p) => galileoKind(p.span) === 'agent').flatMap((p) => p.found),
    );
    const ranked = [...mentions].sort((x, y) => y[1] - x[1]);
    const topic =
      agentTopics.size === 1 ? [...agentTopics][0] : (ranked[0]?.[0] as string | undefined);
    if (!topic) {
      findings.push({
        rule: 'isolation',
        message: `trace ${traceId} (${list.length} spans: ${list.map((s) => `\`${s.name}\``).join(', ')}) mentions none of the runs' topics (${topics.join(', ')}); expected its agent input to carry one.`,
      });
      continue;
    }
    owner.set(topic, [...(owner.get(topic) ?? []), traceId]);
    for (const { span, found } of perSpan) {
      const foreign = found.filter((t) => t !== topic);
      if (foreign.length === 0) continue;
      findings.push({
        rule: 'isolation',
        spanId: span.spanId,
        message: `${spanRef(span)} in the trace of the run about "${topic}" carries ${foreign.map((t) => `"${t}"`).join(', ')} from another concurrent run: spans of different runs are mixed up.`,
      });
    }
    if (!list.some((s) => galileoKind(s) === 'agent')) {
      findings.push({
        rule: 'isolation',
        message: `the trace of the run about "${topic}" (${traceId}) has no agent span of its own.`,
      });
    }
  }
  for (const topic of topics) {
    const traces = owner.get(topic) ?? [];
    if (traces.length === 1) continue;
    findings.push({
      rule: 'isolation',
      message:
        traces.length === 0
          ? `the run about "${topic}" has no trace of its own.`
          : `the run about "${topic}" is spread over ${traces.length} traces (${traces.join(', ')}); expected one.`,
    });
  }
  return findings;
}

function topicsIn(span: ConformanceSpan, topics: readonly string[]): string[] {
  const text = Object.values(span.attributes)
    .filter((v) => typeof v === 'string' || Array.isArray(v))
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    .join('\n')
    .toLowerCase();
  return topics.filter((t) => text.includes(t.toLowerCase()));
}
