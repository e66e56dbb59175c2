import { type Context, context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/** Headers a Galileo exporter sends. */
export const GALILEO_HEADERS: Record<string, string> = {
  'Galileo-API-Key': 'k',
  project: 'p',
  logstream: 'l',
};

/** What {@link recordAgentTrace} produced. */
export interface RecordedTrace {
  traceId: string;
  spanCount: number;
  /** Span ids by name. */
  ids: Record<string, string>;
}

/** Makes the span processor of one service's provider (one "process"). */
export type ProcessorFactory = (service: string) => SpanProcessor;

/** The official OTLP/HTTP protobuf exporter pointed at `url` with Galileo headers. */
export function otlpExporter(
  url: string,
  headers: Record<string, string> = GALILEO_HEADERS,
  compression: 'gzip' | 'none' = 'none',
): ProcessorFactory {
  return () =>
    new SimpleSpanProcessor({
      // biome-ignore lint/suspicious/noExplicitAny: `compression` is a string enum in the exporter's types
      exporter: new OTLPTraceExporter({ url, headers, compression: compression as any }),
    });
}

function provider(service: string, processor: SpanProcessor): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [processor],
  });
}

function under(span: Span): Context {
  return trace.setSpan(context.active(), span);
}

/**
 * Records a two-service agent trace, as two processes would: `planner` runs a workflow, an agent,
 * an LLM call, a tool that returns a result and a failing tool; `researcher` continues the trace
 * from the propagated context with its own agent, a retriever and an LLM call. Eight spans, one
 * error.
 */
export async function recordAgentTrace(makeProcessor: ProcessorFactory): Promise<RecordedTrace> {
  const planner = provider('planner', makeProcessor('planner'));
  const researcher = provider('researcher', makeProcessor('researcher'));
  const t = planner.getTracer('demo', '1.0.0');
  const r = researcher.getTracer('demo', '1.0.0');
  const base = Date.now() - 2000;
  const ids: Record<string, string> = {};
  const remember = (name: string, span: Span): Span => {
    ids[name] = span.spanContext().spanId;
    return span;
  };

  const root = remember('run', t.startSpan('workflow run', { startTime: base }));
  const agent = remember(
    'agent',
    t.startSpan(
      'invoke_agent planner',
      {
        startTime: base + 20,
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': 'planner',
          'galileo.session.id': 'session-1',
        },
      },
      under(root),
    ),
  );
  const llm = remember(
    'llm',
    t.startSpan(
      'chat gpt-4o-mini',
      {
        startTime: base + 40,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.provider.name': 'openai',
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', content: 'What is the weather in Paris?' },
          ]),
          'gen_ai.output.messages': JSON.stringify([
            { role: 'assistant', content: 'Let me check the weather tool.' },
          ]),
          'gen_ai.usage.input_tokens': 42,
          'gen_ai.usage.output_tokens': 7,
        },
      },
      under(agent),
    ),
  );
  llm.end(base + 640);
  const geocode = remember(
    'geocode',
    t.startSpan(
      'execute_tool geocode',
      {
        startTime: base + 645,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'geocode',
          'gen_ai.tool.call.id': 'call_geocode_1',
          'gen_ai.tool.call.arguments': JSON.stringify({ city: 'Paris' }),
          'gen_ai.tool.call.result': JSON.stringify({ lat: 48.8566, lon: 2.3522 }),
        },
      },
      under(agent),
    ),
  );
  geocode.end(base + 655);
  const tool = remember(
    'tool',
    t.startSpan(
      'execute_tool get_weather',
      {
        startTime: base + 660,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'get_weather',
          'gen_ai.tool.call.arguments': JSON.stringify({ city: 'Paris' }),
          'error.type': 'TimeoutError',
        },
      },
      under(agent),
    ),
  );
  tool.addEvent('exception', { 'exception.message': 'weather API timed out' }, base + 900);
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'weather API timed out' });
  tool.end(base + 910);

  // The researcher "process" continues the trace from the planner agent's propagated context.
  const remote = trace.setSpanContext(context.active(), agent.spanContext());
  const helper = remember(
    'researcher',
    r.startSpan(
      'invoke_agent researcher',
      {
        startTime: base + 930,
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'researcher' },
      },
      remote,
    ),
  );
  const retrieve = remember(
    'retriever',
    r.startSpan(
      'query docs',
      {
        startTime: base + 950,
        attributes: {
          'db.operation': 'query',
          'input.value': 'paris weather history',
          'output.value': '3 documents',
        },
      },
      under(helper),
    ),
  );
  retrieve.end(base + 1200);
  const summarize = remember(
    'summarize',
    r.startSpan(
      'chat llama3',
      {
        startTime: base + 1210,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'llama3',
          'gen_ai.usage.prompt_tokens': 100,
          'gen_ai.usage.completion_tokens': 20,
        },
      },
      under(helper),
    ),
  );
  summarize.end(base + 1500);
  helper.end(base + 1510);
  agent.end(base + 1530);
  root.end(base + 1550);

  await Promise.all([planner.forceFlush(), researcher.forceFlush()]);
  await Promise.all([planner.shutdown(), researcher.shutdown()]);
  return { traceId: root.spanContext().traceId, spanCount: 8, ids };
}

/** Records spans in memory and returns them; `build` creates them with the given tracer. */
export async function recordSpans(
  build: (tracer: ReturnType<TracerProvider['getTracer']>) => void,
  resource: Record<string, string> = { 'service.name': 'svc' },
): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const p = new TracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  build(p.getTracer('test'));
  await p.forceFlush();
  return exporter.getFinishedSpans();
}

/** Serializes spans to an OTLP protobuf `ExportTraceServiceRequest`, as the exporter would. */
export function toProtobuf(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('serializer returned nothing');
  return bytes;
}

/** Replaces the first occurrence of `marker` (ASCII) in `bytes` with `replacement` (same length). */
export function patchBytes(bytes: Uint8Array, marker: string, replacement: number[]): Uint8Array {
  const buffer = Buffer.from(bytes);
  const at = buffer.indexOf(marker, 0, 'latin1');
  if (at < 0 || replacement.length !== marker.length) throw new Error(`marker ${marker} not found`);
  buffer.set(replacement, at);
  return new Uint8Array(buffer);
}

/** What {@link recordShape} produced. */
export interface RecordedShape {
  traceId: string;
  /** Span ids by index: span `i` is named `span i`. */
  spanIds: string[];
  /** The OTLP protobuf request carrying every span. */
  body: Uint8Array;
}

/**
 * Records `count` spans of one trace, named `span 0` … `span <count-1>` and starting in that
 * order, then gives span `i` the parent `parentOf(i)`: another span's index, a raw span id (one
 * that was never sent makes an orphan) or `undefined` for a root. Any shape a hostile or broken
 * exporter could send: chains thousands deep, parent cycles.
 */
export async function recordShape(
  count: number,
  parentOf: (i: number) => number | string | undefined,
): Promise<RecordedShape> {
  const base = Date.now() - 2 * count - 1000;
  const spans = await recordSpans((tracer) => {
    const first = tracer.startSpan('span 0', { startTime: base });
    const ctx = under(first);
    for (let i = 1; i < count; i++) {
      tracer.startSpan(`span ${i}`, { startTime: base + i }, ctx).end(base + 2 * count - i);
    }
    first.end(base + 2 * count);
  });
  const byIndex = new Map(spans.map((s) => [Number(s.name.slice('span '.length)), s]));
  const spanIds = Array.from(
    { length: count },
    (_, i) => byIndex.get(i)?.spanContext().spanId ?? '',
  );
  const traceId = spans[0]?.spanContext().traceId ?? '';
  for (const [i, span] of byIndex) {
    const parent = parentOf(i);
    const spanId = typeof parent === 'number' ? spanIds[parent] : parent;
    Object.defineProperty(span, 'parentSpanContext', {
      value: spanId === undefined ? undefined : { traceId, spanId, traceFlags: 1, isRemote: false },
    });
  }
  return { traceId, spanIds, body: toProtobuf(spans) };
}
