import { extractContext, type IncomingHeaders } from '@galileo-otel/core';
import { isRecord } from '@galileo-otel/core/adapter';
import { context as api, type Context, propagation } from '@opentelemetry/api';
import { count } from './counters.js';

/**
 * The `params._meta` keys of MCP's trace-context proposal (SEP-414), as the SDK's v2 line
 * defines them (`TRACEPARENT_META_KEY`, `TRACESTATE_META_KEY`, `BAGGAGE_META_KEY`): the W3C
 * header names.
 */
export const TRACE_META_KEYS: readonly ['traceparent', 'tracestate', 'baggage'] = [
  'traceparent',
  'tracestate',
  'baggage',
];

const MAX_TRACEPARENT = 512;
const MAX_TRACESTATE = 512;
const MAX_BAGGAGE_BYTES = 8192;
// W3C trace-context: version 00 has exactly four fields; a later version may append more.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-[\x21-\x7e]*)?$/;
const TRACESTATE = /^[\x20-\x7e]*$/;
const ZEROS = /^0+$/;

/** Carrier shape handed to the W3C propagators. */
type Carrier = Record<string, string>;

/**
 * `params` of an outgoing request with the trace context of `ctx` merged into its `_meta`
 * (whatever else `_meta` holds is kept). Returns `params` itself when there is nothing to add:
 * no propagator registered, or a context without a span or baggage.
 */
export function withTraceMeta(params: unknown, ctx: Context): unknown {
  const carrier: Carrier = {};
  propagation.inject(ctx, carrier);
  const fields: Carrier = {};
  for (const key of TRACE_META_KEYS) {
    const value = carrier[key];
    if (typeof value === 'string' && value !== '') fields[key] = value;
  }
  if (Object.keys(fields).length === 0) return params;
  const base = isRecord(params) ? params : {};
  const meta = isRecord(base._meta) ? base._meta : {};
  return { ...base, _meta: { ...meta, ...fields } };
}

/**
 * The context an incoming request's handler runs in: the caller's trace context from
 * `params._meta`, or from the HTTP request headers when `_meta` carries no `traceparent`, on top
 * of the active context. Values that are not W3C syntax, or over the size limits, are ignored
 * and counted (`mcpStats()`), never adopted; an empty or rejected set leaves the active context.
 */
export function contextFromRequest(
  params: unknown,
  headers: IncomingHeaders | undefined,
  ignoreIncoming: boolean,
): Context {
  const active = api.active();
  if (ignoreIncoming) return active;
  const meta = isRecord(params) && isRecord(params._meta) ? params._meta : undefined;
  const source =
    meta && meta.traceparent !== undefined ? fromMeta(meta) : headers ? fromHeaders(headers) : {};
  const carrier = checked(source);
  if (Object.keys(carrier).length === 0) return active;
  return extractContext(carrier, {}, active);
}

function fromMeta(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of TRACE_META_KEYS) if (meta[key] !== undefined) out[key] = meta[key];
  return out;
}

function fromHeaders(headers: IncomingHeaders): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of TRACE_META_KEYS) {
    const value =
      headers instanceof Headers ? (headers.get(key) ?? undefined) : (headers[key] ?? undefined);
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

// The fields worth handing to the propagators. A bad `traceparent` takes its `tracestate` with
// it (the state belongs to that parent); bad baggage goes alone.
function checked(source: Record<string, unknown>): Carrier {
  const carrier: Carrier = {};
  const { traceparent, tracestate, baggage } = source;
  if (traceparent !== undefined) {
    if (validTraceparent(traceparent)) {
      carrier.traceparent = traceparent;
      if (tracestate !== undefined) {
        if (
          typeof tracestate === 'string' &&
          tracestate.length <= MAX_TRACESTATE &&
          TRACESTATE.test(tracestate)
        ) {
          carrier.tracestate = tracestate;
        } else count('tracestateRejected');
      }
    } else count('traceparentRejected');
  }
  if (baggage !== undefined) {
    if (
      typeof baggage === 'string' &&
      Buffer.byteLength(baggage, 'utf8') <= MAX_BAGGAGE_BYTES &&
      hasValidMember(baggage)
    ) {
      carrier.baggage = baggage;
    } else count('baggageRejected');
  }
  return carrier;
}

function validTraceparent(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_TRACEPARENT) return false;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return false;
  const [, version, traceId = '', spanId = '', rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return false;
  return !ZEROS.test(traceId) && !ZEROS.test(spanId);
}

// Whole-header checks only; core's extractContext drops single members that are not W3C
// syntax, as it does for HTTP.
function hasValidMember(baggage: string): boolean {
  // Without a baggage propagator (tracing off) there is nothing to judge with, nor to adopt.
  if (!propagation.fields().includes('baggage')) return true;
  const probe = extractContext({ baggage }, {});
  return (propagation.getBaggage(probe)?.getAllEntries().length ?? 0) > 0;
}
