import { snapshot } from './internal/counters.js';

/** What the MCP instrumentation of this process ignored or gave up on, since it started. */
export interface McpStats {
  /**
   * Incoming `traceparent` values (in `params._meta`, or the HTTP header when `_meta` has none)
   * that were ignored: not a string, not W3C syntax, all-zero ids, or over 512 characters. The
   * request's SERVER span then starts a new trace.
   */
  traceparentRejected: number;
  /** Incoming `tracestate` values ignored: not a string, non-printable, or over 512 characters. */
  tracestateRejected: number;
  /**
   * Incoming `baggage` values ignored whole: not a string, over 8192 bytes, or with no member
   * in W3C syntax (single bad members are dropped, as for HTTP).
   */
  baggageRejected: number;
  /**
   * Spans ended without an answer: over `maxOpenRuns` requests waiting on one connection, or
   * the connection closed first (those spans are also ERROR).
   */
  spansAbandoned: number;
  /** Failures inside the instrumentation that were caught; the MCP traffic went on untouched. */
  hookErrors: number;
}

/**
 * A snapshot of the counters of every traced MCP connection in this process: hostile or broken
 * trace context that was refused, and spans given up on.
 *
 * @example
 * if (mcpStats().traceparentRejected > 0) console.warn('a client sent a malformed traceparent');
 */
export function mcpStats(): McpStats {
  return snapshot();
}
