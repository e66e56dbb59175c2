import type { Attributes, Context, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';

/** What the processor offers an adapter when it is installed. */
export interface AdapterHost {
  /** Logger for the adapter's own diagnostics (goes to the processor's logger, deduplicated). */
  readonly log: (key: string, message: string) => void;
  /** The default routing of this processor (a project or log stream may be given by id). */
  readonly routing: {
    readonly project: string;
    readonly logStream: string | undefined;
    readonly experimentId: string | undefined;
  };
  /** Where the spans go: `galileo`, `splunk-ao` or `splunk-o11y`. */
  readonly destination?: 'galileo' | 'splunk-ao' | 'splunk-o11y' | undefined;
}

/** An adapter's decision about a span, made when it starts. */
export interface AdapterStartDecision {
  /**
   * Do not export this span; its children are re-parented to its nearest exported ancestor,
   * so nothing is orphaned.
   */
  drop?: boolean;
  /** Export this span under another parent (a span id in the same trace). */
  parentSpanId?: string;
}

/** An adapter's export-time rewrite of one span. The original span is never mutated. */
export interface SpanTranslation {
  /** New span name. */
  name?: string;
  /** Attributes set over the span's own (Galileo-shaped values). */
  attributes?: Attributes;
  /** Attribute keys removed (e.g. vendor JSON once converted). */
  removeAttributes?: readonly string[];
  /** New status (e.g. ERROR for a failure the framework recorded as OK). */
  status?: SpanStatus;
  /** Drop this span at export; prefer {@link AdapterStartDecision.drop}, which re-parents. */
  drop?: boolean;
  /**
   * A failure the adapter found at export time (the framework recorded the span as OK): the span
   * is exported in the one error shape, status ERROR with the message, `error.type`, and an
   * `exception` event at the span's end.
   */
  error?: { type: string; message: string } | undefined;
}

/**
 * A framework plug-in. Two styles, both supported:
 * - **translate**: the framework emits OpenTelemetry spans itself; the adapter rewrites them into
 *   Galileo's shapes in {@link GalileoAdapter.translate} (and can drop or re-parent wrapper
 *   levels in {@link GalileoAdapter.onStart});
 * - **bridge**: the framework has its own event model; the adapter creates OpenTelemetry spans
 *   from it in {@link GalileoAdapter.install} (parented on the OTel context active when the run
 *   started), using the shape helpers of this package.
 *
 * Every hook is called inside a guard: an adapter that throws is logged once and skipped for
 * that span; it never breaks the traced program or other adapters.
 */
export interface GalileoAdapter {
  /** Stable name, e.g. `openai-agents`. */
  readonly name: string;
  /** Called once, when the processor is constructed. Bridges register their hooks here. */
  install?(host: AdapterHost): void;
  /** Called for every span as it starts. Cheap checks only: this runs on the hot path. */
  onStart?(span: Span, parentContext: Context): AdapterStartDecision | undefined;
  /** Called as a span ends, while it can still be changed (OTel SDK 2.12+ and 3.x). */
  onEnding?(span: Span): void;
  /** Export-time rewrite of a finished span. Return `undefined` to leave it as is. */
  translate?(span: ReadableSpan): SpanTranslation | undefined;
  /** Flush any spans the adapter still holds (e.g. open bridge spans of finished runs). */
  forceFlush?(): Promise<void>;
  /** Release hooks and state. */
  shutdown?(): Promise<void>;
}
