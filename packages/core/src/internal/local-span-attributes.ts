import { type Attributes, type Context, trace } from '@opentelemetry/api';

/**
 * The attributes of the span in `ctx` when it is a span of this process (an SDK span, ended or
 * not); `undefined` for a remote parent, a non-recording span, or no span.
 */
export function localSpanAttributes(ctx: Context): Attributes | undefined {
  const span = trace.getSpan(ctx) as { attributes?: unknown } | undefined;
  const attributes = span?.attributes;
  return typeof attributes === 'object' && attributes !== null
    ? (attributes as Attributes)
    : undefined;
}
