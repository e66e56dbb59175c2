import { type ExtractOptions, extractContext } from '@galileo-otel/core';
import { createAdapterLogger } from '@galileo-otel/core/adapter';
import { type Context, propagation, trace } from '@opentelemetry/api';
import { countRejected } from '../a2a-stats.js';

// A version-00 traceparent is 55 characters; later versions may append fields, so allow some
// room, but never hand the propagator an arbitrarily long value.
const MAX_TRACEPARENT = 512;

/** The logger of this package: warnings once per key, never a header value. */
export const log: ReturnType<typeof createAdapterLogger> = createAdapterLogger('a2a');

type HeaderValue = string | readonly string[] | undefined;

function header(headers: Readonly<Record<string, unknown>>, name: string): HeaderValue {
  const value = headers[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

// TODO(kit): core's extractContext drops bad baggage but neither reports nor counts it, and
// adopts a future-version traceparent of any length. Every protocol package (MCP too) needs the
// same "ignored and counted"; this check and a2aStats() belong in core's propagation helpers.

/**
 * The caller's context from the headers of an A2A request (`traceparent`, `tracestate`,
 * `baggage`), on top of `base`. A `traceparent` that is repeated, too long or not valid W3C is
 * left out, so the request starts a new trace; `baggage` over the W3C limits is left out whole
 * and members not in W3C syntax one by one (core's rules). Each is counted in `a2aStats()` and
 * warned about once, without its value.
 */
export function callerContext(
  headers: Readonly<Record<string, unknown>>,
  options: ExtractOptions,
  base: Context,
): Context {
  if (options.ignoreIncoming) return base;
  const carrier: Record<string, string> = {};
  const parent = header(headers, 'traceparent');
  let parentRejected = false;
  if (parent !== undefined) {
    const single = typeof parent === 'string' ? parent : parent.length === 1 ? parent[0] : '';
    if (!single || single.length > MAX_TRACEPARENT || single.includes(',')) parentRejected = true;
    else carrier.traceparent = single;
  }
  const state = header(headers, 'tracestate');
  if (carrier.traceparent && state !== undefined) {
    carrier.tracestate = typeof state === 'string' ? state : state.join(',');
  }
  const baggage = header(headers, 'baggage');
  if (baggage !== undefined)
    carrier.baggage = typeof baggage === 'string' ? baggage : baggage.join(',');

  const extracted = extractContext(carrier, {}, base);
  if (carrier.traceparent && !trace.getSpanContext(extracted)) parentRejected = true;
  if (parentRejected) {
    countRejected('traceparent');
    log.warnOnce(
      'traceparent',
      'an A2A request carried a traceparent that is malformed, repeated or over 512 characters: it was ignored and the request starts a new trace (counted in a2aStats().traceparentRejected)',
    );
  }
  if (carrier.baggage !== undefined) {
    const sent = carrier.baggage.split(',').filter((m) => m.trim() !== '').length;
    const kept = propagation.getBaggage(extracted)?.getAllEntries().length ?? 0;
    if (kept < sent) {
      countRejected('baggage');
      log.warnOnce(
        'baggage',
        'an A2A request carried baggage over the W3C limits or with malformed members: those were ignored (counted in a2aStats().baggageRejected)',
      );
    }
  }
  return extracted;
}
