/**
 * A decoded wire span as the rules read it. `OtlpSpan` from `@galileo-otel/otlp-proto` (what
 * `startOtlpSink().spans()` returns) fits this shape.
 */
export interface ConformanceSpan {
  /** Trace id, lower-case hex. */
  readonly traceId: string;
  /** Span id, lower-case hex. */
  readonly spanId: string;
  /** Parent span id, or `undefined` for a root span. */
  readonly parentSpanId: string | undefined;
  /** Span name. */
  readonly name: string;
  /** Span attributes. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Status: code 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  /** Span events. */
  readonly events?: readonly { name: string; attributes: Readonly<Record<string, unknown>> }[];
  /** Span links. */
  readonly links?: readonly { attributes: Readonly<Record<string, unknown>> }[];
  /** Resource attributes. */
  readonly resource?: Readonly<Record<string, unknown>>;
  /**
   * Start in nanoseconds since the Unix epoch. The tool-call chain of {@link ConformanceRule}
   * `messages` orders model calls by it (by position in the list when a span has none).
   */
  readonly startTimeUnixNano?: bigint | undefined;
}

/** The rule a finding breaks. */
export type ConformanceRule =
  | 'kinds'
  | 'parentage'
  | 'orphans'
  | 'single-trace'
  | 'traceparent'
  | 'shapes'
  | 'messages'
  | 'tool-io'
  | 'error-shape'
  | 'tool-error'
  | 'model-error'
  | 'isolation'
  | 'redaction'
  | 'flush'
  | 'offline'
  | 'model'
  | 'driver';

/** One broken rule, worded like a review comment: what was expected, what was seen, where. */
export interface Finding {
  /** The rule broken. */
  readonly rule: ConformanceRule;
  /** Expected, seen, and which span. */
  readonly message: string;
  /** Id of the span concerned, when there is one. */
  readonly spanId?: string | undefined;
}
