import {
  type Context,
  context,
  diag,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import { sessionAttributes } from '../adapter/session.js';
import { GalileoAttributes as G, GenAiAttributes } from '../attributes/attribute-names.js';
import { cleanId } from '../internal/clean-id.js';

/** Incoming headers in any of the shapes Node frameworks hand out. */
export type IncomingHeaders =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>;

const TRACER_NAME = '@galileo-otel/core';
const MAX_BAGGAGE_BYTES = 8192;
const MAX_BAGGAGE_MEMBERS = 180;
const MAX_BAGGAGE_MEMBER_BYTES = 4096;
// W3C baggage grammar: a key is an RFC 7230 token, a value is baggage-octets (printable ASCII
// without space, DQUOTE, comma, semicolon and backslash), percent-encoded beyond that.
const BAGGAGE_KEY = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAGGAGE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const OWS = /^[ \t]+|[ \t]+$/g;

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
 * `baggage`), on top of `base`. Baggage over the W3C limits (8192 UTF-8 bytes or 180 members)
 * is ignored whole; a member over 4096 bytes, or not in W3C syntax, is dropped on its own.
 */
export function extractContext(
  headers: IncomingHeaders,
  options: ExtractOptions = {},
  base: Context = ROOT_CONTEXT,
): Context {
  if (options.ignoreIncoming) return base;
  const extracted = propagation.extract(base, headers, headersGetter);
  const baggage = propagation.getBaggage(extracted);
  if (!baggage) return extracted;
  const raw = headersGetter.get(headers, 'baggage');
  const text = Array.isArray(raw) ? raw.join(',') : raw;
  // Baggage from some other header format is the registered propagator's business.
  if (!text) return extracted;
  // Checked here, not left to the propagator: older @opentelemetry/core releases parse any
  // size and any characters, and these values become span attributes.
  const members = validBaggageMembers(text);
  if (!members) return propagation.deleteBaggage(extracted);
  let kept = baggage;
  let removed = false;
  for (const [key, entry] of baggage.getAllEntries()) {
    if (members.get(key) !== entry.value) {
      kept = kept.removeEntry(key);
      removed = true;
    }
  }
  if (!removed) return extracted;
  return kept.getAllEntries().length > 0
    ? propagation.setBaggage(extracted, kept)
    : propagation.deleteBaggage(extracted);
}

// The members of a baggage header that are valid W3C syntax, by key (the last one wins, as in
// the OTel propagator); undefined when the header is over the limits and must go whole.
function validBaggageMembers(text: string): Map<string, string> | undefined {
  if (Buffer.byteLength(text, 'utf8') > MAX_BAGGAGE_BYTES) return undefined;
  const valid = new Map<string, string>();
  let count = 0;
  for (const member of text.split(',')) {
    // Joining repeated header lines can leave empty members; they carry nothing.
    if (member.replace(OWS, '') === '') continue;
    if (++count > MAX_BAGGAGE_MEMBERS) return undefined;
    if (Buffer.byteLength(member, 'utf8') > MAX_BAGGAGE_MEMBER_BYTES) continue;
    const parsed = parseBaggageMember(member);
    if (parsed) valid.set(parsed.key, parsed.value);
  }
  return valid;
}

function parseBaggageMember(member: string): { key: string; value: string } | undefined {
  const [pair = '', ...properties] = member.split(';');
  const split = splitPair(pair);
  if (!split || split.value === undefined) return undefined;
  for (const property of properties) {
    if (!splitPair(property)) return undefined;
  }
  try {
    // The propagator percent-decodes keys as well as values: `k%41` is the key `kA`. A key that
    // is no longer a token once decoded (`a%20b`) could not be sent on as it was received.
    const key = decodeURIComponent(split.key);
    if (!BAGGAGE_KEY.test(key)) return undefined;
    return { key, value: decodeURIComponent(split.value) };
  } catch {
    // A stray `%` or an escape that is not UTF-8.
    return undefined;
  }
}

// `key`, or `key=value`, each in W3C syntax with optional whitespace around.
function splitPair(text: string): { key: string; value: string | undefined } | undefined {
  const at = text.indexOf('=');
  const key = (at < 0 ? text : text.slice(0, at)).replace(OWS, '');
  if (!BAGGAGE_KEY.test(key)) return undefined;
  if (at < 0) return { key, value: undefined };
  const value = text.slice(at + 1).replace(OWS, '');
  return BAGGAGE_VALUE.test(value) ? { key, value } : undefined;
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
 * (in this process and in services it calls with propagated headers) carries the session
 * (`galileo.session.id`, `gen_ai.conversation.id`, `session.id`) and `user.id`. The session
 * travels as both `galileo.session.id` and `gen_ai.conversation.id`, so Splunk AO services in
 * other languages find it too. An id that could not be shown safely (empty, over 256
 * characters, holding a control character or bidi mark) is left out, with one `diag` warning:
 * `fn` still runs.
 */
export function withGalileoSession<T>(
  session: { sessionId?: string | undefined; userId?: string | undefined },
  fn: () => T,
): T {
  const sessionId = checkedId('sessionId', session.sessionId);
  const userId = checkedId('userId', session.userId);
  const active = context.active();
  let baggage = propagation.getBaggage(active) ?? propagation.createBaggage();
  if (sessionId) {
    // Both names: this project's, and the one Splunk AO services read.
    baggage = baggage
      .setEntry(G.SESSION_ID, { value: sessionId })
      .setEntry(GenAiAttributes.CONVERSATION_ID, { value: sessionId });
  }
  if (userId) baggage = baggage.setEntry(G.USER_ID, { value: userId });
  const ctx = propagation.setBaggage(active, baggage);
  const span = trace.getSpan(active);
  if (span?.isRecording()) {
    if (sessionId) span.setAttributes(sessionAttributes(sessionId));
    if (userId) span.setAttribute(G.USER_ID, userId);
  }
  return context.with(ctx, fn);
}

function checkedId(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const clean = cleanId(value);
  if (clean === undefined) {
    diag.warn(
      `[galileo-otel] withGalileoSession: the ${name} was left out: it is over 256 characters or holds a control character or bidi mark`,
    );
  }
  return clean;
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
