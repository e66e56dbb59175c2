import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import { GalileoAttributes as G } from '../attributes/attribute-names.js';

/** Incoming headers in any of the shapes Node frameworks hand out. */
export type IncomingHeaders =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>;

const TRACER_NAME = '@galileo-otel/core';
const MAX_BAGGAGE_BYTES = 8192;
const MAX_BAGGAGE_MEMBERS = 180;

const headersGetter: TextMapGetter<IncomingHeaders> = {
  keys(carrier) {
    return carrier instanceof Headers ? [...carrier.keys()] : Object.keys(carrier);
  },
  get(carrier, key) {
    if (carrier instanceof Headers) return carrier.get(key) ?? undefined;
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : [...value];
  },
};

/** Options of the helpers that read incoming context. */
export interface ExtractOptions {
  /**
   * Ignore incoming `traceparent` / `baggage` (a public endpoint is a trust boundary: callers
   * should not choose your trace ids or session ids). A new trace starts instead.
   * @defaultValue `false`
   */
  ignoreIncoming?: boolean | undefined;
}

/**
 * The OTel context carried by incoming request headers (W3C `traceparent`, `tracestate`,
 * `baggage`), on top of `base`. Oversized baggage (over 8192 bytes or 180 members, the W3C
 * limits) is ignored whole.
 */
export function extractContext(
  headers: IncomingHeaders,
  options: ExtractOptions = {},
  base: Context = ROOT_CONTEXT,
): Context {
  if (options.ignoreIncoming) return base;
  const extracted = propagation.extract(base, headers, headersGetter);
  const raw = headersGetter.get(headers, 'baggage');
  const text = Array.isArray(raw) ? raw.join(',') : raw;
  if (text && (text.length > MAX_BAGGAGE_BYTES || text.split(',').length > MAX_BAGGAGE_MEMBERS)) {
    return propagation.deleteBaggage(extracted);
  }
  return extracted;
}

/**
 * Headers to send on an outgoing request so the callee joins this trace: the given headers
 * plus `traceparent`, `tracestate` and `baggage` for `ctx`.
 */
export function injectTraceHeaders(
  headers: ConstructorParameters<typeof Headers>[0] = {},
  ctx: Context = context.active(),
): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((value, key) => {
    out[key] = value;
  });
  propagation.inject(ctx, out);
  return out;
}

/**
 * Runs `fn` with a session id and/or user id in the W3C baggage, so every span started inside
 * (in this process and in services it calls with propagated headers) carries
 * `galileo.session.id` / `user.id`.
 */
export function withGalileoSession<T>(
  session: { sessionId?: string | undefined; userId?: string | undefined },
  fn: () => T,
): T {
  const active = context.active();
  let baggage = propagation.getBaggage(active) ?? propagation.createBaggage();
  if (session.sessionId) baggage = baggage.setEntry(G.SESSION_ID, { value: session.sessionId });
  if (session.userId) baggage = baggage.setEntry(G.USER_ID, { value: session.userId });
  const ctx = propagation.setBaggage(active, baggage);
  const span = trace.getSpan(active);
  if (span?.isRecording()) {
    if (session.sessionId) span.setAttribute(G.SESSION_ID, session.sessionId);
    if (session.userId) span.setAttribute(G.USER_ID, session.userId);
  }
  return context.with(ctx, fn);
}

/**
 * `fetch` that starts a CLIENT span (`POST /path`) and sends the trace context with the
 * request, for code without HTTP auto-instrumentation.
 */
export async function tracedFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(String(input));
  const method = (init.method ?? 'GET').toUpperCase();
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(
    `${method} ${url.pathname}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'url.full': `${url.origin}${url.pathname}`,
        'server.address': url.hostname,
        'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      },
    },
    async (span) => {
      try {
        const headers = injectTraceHeaders(init.headers ?? {});
        const response = await fetch(url, { ...init, headers });
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 400) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
          span.setAttribute('error.type', String(response.status));
        }
        return response;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.setAttribute('error.type', (error as Error).name ?? 'Error');
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** What a server span helper needs to know about the request. */
export interface ServerRequestInfo {
  /** HTTP method. */
  method: string;
  /** Path without the query string. */
  path: string;
  /** Request headers. */
  headers: IncomingHeaders;
}

/**
 * Starts a SERVER span for an incoming request, parented on the caller's trace context from
 * its headers, and returns it with the context to run the handler in. End it with
 * {@link endServerSpan}.
 */
export function startServerSpan(
  request: ServerRequestInfo,
  options: ExtractOptions = {},
): { span: Span; context: Context } {
  const parent = extractContext(request.headers, options);
  const method = request.method.toUpperCase();
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `${method} ${request.path}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'url.path': request.path },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a server span with the response status (5xx marks it as an error). */
export function endServerSpan(span: Span, statusCode: number): void {
  span.setAttribute('http.response.status_code', statusCode);
  if (statusCode >= 500) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
    span.setAttribute('error.type', String(statusCode));
  }
  span.end();
}
