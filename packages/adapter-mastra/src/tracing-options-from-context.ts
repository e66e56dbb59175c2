import { type Context, context, isSpanContextValid, trace } from '@opentelemetry/api';

/** The part of Mastra's `tracingOptions` that places a run in an existing trace. */
export interface TraceJoinOptions {
  /** Trace id of the caller's span (32 hex). */
  traceId: string;
  /** Span id of the caller's span (16 hex): the run's root becomes its child. */
  parentSpanId: string;
}

/**
 * Mastra `tracingOptions` that make a run join the OTel span active in `ctx` (for instance the
 * server span of an incoming request), or `undefined` when there is none. Needed only when the
 * exporter is registered in `exporters`; as the `bridge` it joins automatically.
 *
 * @example
 * await agent.generate(prompt, { tracingOptions: { ...tracingOptionsFromContext() } });
 */
export function tracingOptionsFromContext(
  ctx: Context = context.active(),
): TraceJoinOptions | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, parentSpanId: spanContext.spanId };
}
