import {
  type Baggage,
  type Context,
  propagation,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { GenAiAttributes as A, GalileoAttributes as G } from '../attributes/attribute-names.js';
import { cleanId } from '../internal/clean-id.js';
import { localSpanAttributes } from '../internal/local-span-attributes.js';

// The two baggage members a session travels in: this project's, and the one Splunk AO services
// (the Python SDK and others) read and write.
const SESSION_KEYS = [G.SESSION_ID, A.CONVERSATION_ID] as const;

/**
 * The W3C baggage propagator, with two additions, so the callee finds the caller's effective
 * session:
 * - a session travels under both names, `galileo.session.id` and `gen_ai.conversation.id`. A
 *   service that received only one (a Python service on the Splunk AO SDK sends
 *   `gen_ai.conversation.id`) passes both on, so every service after it finds the session
 *   whichever name it reads;
 * - when the baggage holds no session, the active span's `galileo.session.id` is sent: a session
 *   a framework set on its agent span, or the configured `sessionId`, reaches the services that
 *   span calls. A user id is only sent when the app put it in the baggage
 *   (`withGalileoSession`), never taken from a span.
 */
export class SessionBaggagePropagator implements TextMapPropagator {
  readonly #inner = new W3CBaggagePropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(context);
    const [a, b] = SESSION_KEYS.map((key) => baggage?.getEntry(key)?.value);
    const session = a ?? b ?? cleanId(localSpanAttributes(context)?.[G.SESSION_ID]);
    let out = context;
    if (session !== undefined && (a === undefined || b === undefined)) {
      let next: Baggage = baggage ?? propagation.createBaggage();
      for (const key of SESSION_KEYS) {
        if (next.getEntry(key) === undefined) next = next.setEntry(key, { value: session });
      }
      out = propagation.setBaggage(context, next);
    }
    this.#inner.inject(out, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.#inner.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.#inner.fields();
  }
}
