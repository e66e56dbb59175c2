import { type Attributes, type Context, propagation } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace';
import { sessionOf } from '../adapter/session.js';
import { GalileoAttributes as G } from '../attributes/attribute-names.js';
import { cleanId } from '../internal/clean-id.js';

/** What the stamping stage writes on spans that do not carry their own. */
export interface StampDefaults {
  project: string;
  logStream: string | undefined;
  experimentId: string | undefined;
  sessionId: string | undefined;
}

/**
 * The stamping stage, run as each span starts: routing (`galileo.project.name` and the log
 * stream or experiment) unless the span set its own, and the session and user from the W3C
 * baggage of its parent context (an explicit session on the span wins; then baggage; then the
 * configured `sessionId`).
 */
export class SpanStamper {
  readonly #defaults: StampDefaults;

  constructor(defaults: StampDefaults) {
    this.#defaults = defaults;
  }

  /** Stamps one starting span. */
  stamp(span: Span, parentContext: Context): void {
    // The SDK's Span is a ReadableSpan too: reading its attributes costs no copy.
    const attributes = (span as unknown as { attributes: Attributes }).attributes;
    const defaults = this.#defaults;
    if (attributes[G.PROJECT] === undefined) span.setAttribute(G.PROJECT, defaults.project);
    if (defaults.experimentId) {
      if (attributes[G.EXPERIMENT_ID] === undefined) {
        span.setAttribute(G.EXPERIMENT_ID, defaults.experimentId);
      }
    } else if (attributes[G.LOG_STREAM] === undefined && defaults.logStream) {
      span.setAttribute(G.LOG_STREAM, defaults.logStream);
    }
    const baggage = propagation.getBaggage(parentContext);
    if (attributes[G.SESSION_ID] === undefined) {
      const sessionId = sessionOf(baggage) ?? defaults.sessionId;
      if (sessionId) {
        span.setAttribute(G.SESSION_ID, sessionId);
        span.setAttribute(G.OTEL_SESSION_ID, sessionId);
      }
    }
    if (baggage && attributes[G.USER_ID] === undefined) {
      const userId = cleanId(baggage.getEntry(G.USER_ID)?.value);
      if (userId) span.setAttribute(G.USER_ID, userId);
    }
  }
}
