import type { ConformanceSpan, Finding } from './finding.js';

/** Checks that one run's spans all share one trace id (the expected one, when given). */
export function checkSingleTrace(
  spans: readonly ConformanceSpan[],
  expectedTraceId?: string,
): Finding[] {
  const byTrace = new Map<string, ConformanceSpan[]>();
  for (const span of spans) {
    const list = byTrace.get(span.traceId) ?? [];
    list.push(span);
    byTrace.set(span.traceId, list);
  }
  const describe = (traceId: string, list: readonly ConformanceSpan[]) =>
    `${traceId} (${list.length} span${list.length === 1 ? '' : 's'}: ${list
      .slice(0, 4)
      .map((s) => `\`${s.name}\``)
      .join(', ')}${list.length > 4 ? ', …' : ''})`;
  if (expectedTraceId) {
    const stray = [...byTrace].filter(([id]) => id !== expectedTraceId);
    if (stray.length === 0) return [];
    return [
      {
        rule: 'single-trace',
        message: `expected every span in trace ${expectedTraceId} (the incoming \`traceparent\`); saw ${stray.map(([id, list]) => describe(id, list)).join('; ')}. Start the run's root span from the active OpenTelemetry context (\`context.active()\` at run start).`,
      },
    ];
  }
  if (byTrace.size <= 1) return [];
  return [
    {
      rule: 'single-trace',
      message: `expected one trace id for this run; saw ${byTrace.size}: ${[...byTrace].map(([id, list]) => describe(id, list)).join('; ')}. Every span of a run must be started in the context of its parent (pass the parent context, never \`root: true\`).`,
    },
  ];
}
