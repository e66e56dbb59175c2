import { type Context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The OpenTelemetry context a W3C `traceparent` header describes (a remote parent span), built
 * without needing a global propagator: run the agent inside `context.with(...)` of it.
 *
 * @example
 * await context.with(traceparentContext(run.traceparent), () => runAgent(run.input));
 */
export function traceparentContext(traceparent: string, base: Context = ROOT_CONTEXT): Context {
  const match = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!match) throw new TypeError(`not a W3C traceparent: ${JSON.stringify(traceparent)}`);
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  return trace.setSpanContext(base, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}
