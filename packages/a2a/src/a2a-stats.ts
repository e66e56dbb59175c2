/** What this process's A2A servers refused from their callers, since it started. */
export interface A2AStats {
  /**
   * Requests whose `traceparent` was malformed, repeated or over 512 characters. The server span
   * of such a request starts a new trace instead of joining the one the header named.
   */
  traceparentRejected: number;
  /**
   * Requests whose `baggage` was over the W3C limits (ignored whole) or held members that are not
   * W3C baggage (those members left out). No session or user id is taken from what was left out.
   */
  baggageRejected: number;
}

const counters: A2AStats = { traceparentRejected: 0, baggageRejected: 0 };

/**
 * The counters of incoming trace context that {@link traceA2AHandler} ignored, for this process.
 *
 * @example
 * app.get('/stats', (_req, res) => res.json(a2aStats()));
 */
export function a2aStats(): A2AStats {
  return { ...counters };
}

/** Counts one rejected header. */
export function countRejected(header: 'traceparent' | 'baggage'): void {
  if (header === 'traceparent') counters.traceparentRejected++;
  else counters.baggageRejected++;
}
