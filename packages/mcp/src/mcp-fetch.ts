import { injectTraceHeaders } from '@galileo-otel/core';

/** A `fetch`, possibly with extra arguments (Mastra passes a request context third). */
type FetchLike = (
  input: string | URL | Request,
  init?: RequestInit,
  ...rest: never[]
) => Promise<Response>;

/**
 * A `fetch` for Streamable HTTP MCP client transports that also sends the trace context as the
 * W3C `traceparent`, `tracestate` and `baggage` HTTP headers (the active context: the request's
 * CLIENT span when the transport is traced). No span of its own. For servers and proxies that
 * read headers rather than `params._meta`.
 *
 * @example
 * new StreamableHTTPClientTransport(new URL('http://127.0.0.1:3000/mcp'), { fetch: mcpFetch() });
 */
export function mcpFetch<F extends FetchLike>(fetchImpl?: F): F {
  const base = (fetchImpl ?? globalThis.fetch) as FetchLike;
  const traced = (input: string | URL | Request, init?: RequestInit, ...rest: never[]) => {
    let headers: Record<string, string> | undefined;
    try {
      const own = init?.headers ?? (input instanceof Request ? input.headers : undefined);
      headers = injectTraceHeaders(own ?? {});
    } catch {
      // Headers the platform refuses: the request goes as the caller built it.
    }
    return base(input, headers ? { ...init, headers } : init, ...rest);
  };
  return traced as F;
}
