/** Counters of what the processor did with the spans it saw, for `processor.stats()`. */
export interface ExportStats {
  /** Spans that ended and were accepted into the queue. */
  spansQueued: number;
  /** Spans the endpoint accepted. */
  spansExported: number;
  /** Spans dropped because the queue was full (by count or bytes). */
  spansDropped: number;
  /** Spans dropped by an adapter's decision (wrapper levels folded away). */
  spansFiltered: number;
  /** Spans that could not be delivered (non-retryable error, retries exhausted, timeout). */
  spansFailed: number;
  /** Spans the endpoint rejected in a `partialSuccess`. */
  spansRejected: number;
  /** Spans too large for the endpoint even alone (413). */
  spansOversized: number;
  /** Export HTTP requests made, retries included. */
  exportRequests: number;
  /** Retried requests. */
  exportRetries: number;
  /** Request body bytes the endpoint accepted. */
  bytesSent: number;
  /** Hook errors caught (adapters, redaction) that did not stop tracing. */
  hookErrors: number;
}

/** A zeroed counter set. */
export function emptyStats(): ExportStats {
  return {
    spansQueued: 0,
    spansExported: 0,
    spansDropped: 0,
    spansFiltered: 0,
    spansFailed: 0,
    spansRejected: 0,
    spansOversized: 0,
    exportRequests: 0,
    exportRetries: 0,
    bytesSent: 0,
    hookErrors: 0,
  };
}
