import { type Attributes, type Context, propagation, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace';
import { sessionOf } from '../adapter/session.js';
import { GenAiAttributes as A, GalileoAttributes as G } from '../attributes/attribute-names.js';
import { cleanId } from '../internal/clean-id.js';
import { localSpanAttributes } from '../internal/local-span-attributes.js';

/**
 * The stamping stage, run as each span starts: the session and the user, so that every span of
 * a conversation carries them in every process. A span's own session (any of
 * `galileo.session.id`, `gen_ai.conversation.id`, `session.id`) wins; then the W3C baggage of
 * its parent context (`galileo.session.id`, then `gen_ai.conversation.id` as Splunk AO services
 * send it, then `session.id`); then the session of its parent span in this process (so a session
 * a framework sets on its agent span reaches the model and tool calls under it); then the
 * configured `sessionId`. The span gets all three session attributes, and the root span of a
 * trace that has a session is marked `gen_ai.conversation_root = true`. The user id comes from
 * the baggage, else from the parent span. Routing is not stamped: the exporter puts it on the
 * Resource, where the ingest reads it.
 */
export class SpanStamper {
  readonly #sessionId: string | undefined;

  constructor(defaults: { sessionId: string | undefined }) {
    this.#sessionId = defaults.sessionId;
  }

  /** Stamps one starting span. */
  stamp(span: Span, parentContext: Context): void {
    // The SDK's Span is a ReadableSpan too: reading its attributes costs no copy.
    const attributes = (span as unknown as { attributes: Attributes }).attributes;
    const baggage = propagation.getBaggage(parentContext);
    const own =
      cleanId(attributes[G.SESSION_ID]) ??
      cleanId(attributes[A.CONVERSATION_ID]) ??
      cleanId(attributes[G.OTEL_SESSION_ID]);
    const parent = localSpanAttributes(parentContext);
    const sessionId =
      own ?? sessionOf(baggage) ?? cleanId(parent?.[G.SESSION_ID]) ?? this.#sessionId;
    if (sessionId) {
      if (attributes[G.SESSION_ID] !== sessionId) span.setAttribute(G.SESSION_ID, sessionId);
      if (attributes[G.OTEL_SESSION_ID] !== sessionId) {
        span.setAttribute(G.OTEL_SESSION_ID, sessionId);
      }
      if (attributes[A.CONVERSATION_ID] !== sessionId) {
        span.setAttribute(A.CONVERSATION_ID, sessionId);
      }
      if (trace.getSpanContext(parentContext) === undefined) {
        span.setAttribute(A.CONVERSATION_ROOT, true);
      }
    }
    if (attributes[G.USER_ID] === undefined && (baggage || parent)) {
      const userId = cleanId(baggage?.getEntry(G.USER_ID)?.value) ?? cleanId(parent?.[G.USER_ID]);
      if (userId) span.setAttribute(G.USER_ID, userId);
    }
  }
}
