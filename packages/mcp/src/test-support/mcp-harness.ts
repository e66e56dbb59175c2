// What the process tests share: a real OTLP sink both sides export to, this process registered
// as the MCP client's service, the fixture server spawned as a real OS process, and the spans
// of one trace read back from the sink.
import { fileURLToPath } from 'node:url';
import { type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';

export const FIXTURE: string = fileURLToPath(
  new URL('../__fixtures__/research-server.mjs', import.meta.url),
);
export const SERVER = 2;
export const CLIENT = 3;

/** The sink and this process's registration (immediate export, service `mcp-client`). */
export async function startTracing(): Promise<{ sink: OtlpSink; galileo: GalileoRegistration }> {
  const sink = await startOtlpSink();
  Object.assign(process.env, {
    GALILEO_API_ENDPOINT: sink.url,
    GALILEO_API_KEY: 'local',
    GALILEO_EXPORT_MODE: 'immediate',
  });
  const galileo = registerGalileo({ serviceName: 'mcp-client', logger: false });
  return { sink, galileo };
}

/** The environment of a fixture server: exporting to the same sink, under its own name. */
export function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('VITEST') && key !== 'NODE_ENV') env[key] = value;
  }
  return { ...env, SERVICE_NAME: 'mcp-server', ...extra };
}

/**
 * The spans of `traceId` once at least `count` of them arrived (both processes export each span
 * as it ends; the wait is bounded by attempts, and the assertions are on what arrived).
 */
export async function spansOf(sink: OtlpSink, traceId: string, count: number): Promise<OtlpSpan[]> {
  let spans: OtlpSpan[] = [];
  for (let attempt = 0; attempt < 200; attempt++) {
    spans = sink.spans().filter((s) => s.traceId === traceId);
    if (spans.length >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return spans;
}

/** The one span of `spans` named `name` with OTLP kind `kind`; throws listing them if not one. */
export function only(spans: OtlpSpan[], name: string, kind?: number): OtlpSpan {
  const found = spans.filter((s) => s.name === name && (kind === undefined || s.kind === kind));
  if (found.length !== 1) {
    throw new Error(
      `expected one "${name}" span, found ${found.length} in: ${spans.map((s) => `${s.name}/${s.kind}`).join(', ')}`,
    );
  }
  return found[0] as OtlpSpan;
}

/** The service that sent a span. */
export const service = (span: OtlpSpan): unknown => span.resource['service.name'];

/** Spans whose parent is not among `spans`. */
export function orphans(spans: OtlpSpan[]): OtlpSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans.filter((s) => s.parentSpanId !== undefined && !ids.has(s.parentSpanId));
}

/** The JSON a fixture tool answered with (its first text content). */
export function answer(result: unknown): Record<string, unknown> {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return JSON.parse(content[0]?.text ?? 'null') as Record<string, unknown>;
}
