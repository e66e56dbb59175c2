import { getCurrentSpan } from '@openai/agents';
import { context } from '@opentelemetry/api';
import { contextForSdkSpan } from './internal/registry.js';

/**
 * Runs `fn` with the OpenTelemetry context of the OpenAI Agents SDK span that is current (inside
 * a tool: its `execute_tool` span), so OTel spans started in `fn` nest under it. The bridge does
 * this automatically for tool bodies when `context.attach()` is available; use this helper with
 * `@opentelemetry/api` < 1.10, a context manager without `attach()`, or `toolContext: false`.
 * Outside a traced run it simply calls `fn`.
 *
 * @example
 * execute: async ({ topic }) => withToolContext(() => tracedFetch(url, { method: 'POST' })),
 */
export function withToolContext<T>(fn: () => T): T {
  let ctx: ReturnType<typeof context.active> | undefined;
  try {
    const span = getCurrentSpan();
    if (span) ctx = contextForSdkSpan(span.traceId, span.spanId);
  } catch {
    ctx = undefined;
  }
  return ctx ? context.with(ctx, fn) : fn();
}
