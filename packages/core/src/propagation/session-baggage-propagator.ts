import {
  type Context,
  propagation,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { GenAiAttributes as A, GalileoAttributes as G } from '../attributes/attribute-names.js';

// The two baggage members a session travels in: this project's, and the one Splunk AO services
// (the Python SDK and others) read and write.
const SESSION_KEYS = [G.SESSION_ID, A.CONVERSATION_ID] as const;

/**
 * The W3C baggage propagator, with one addition: a session travels under both names,
 * `galileo.session.id` and `gen_ai.conversation.id`. A service that received only one (a Python
 * service on the Splunk AO SDK sends `gen_ai.conversation.id`) passes both on, so every service
 * after it finds the session whichever name it reads.
 */
export class SessionBaggagePropagator implements TextMapPropagator {
  readonly #inner = new W3CBaggagePropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(context);
    let out = context;
    if (baggage) {
      const [a, b] = SESSION_KEYS.map((key) => baggage.getEntry(key)?.value);
      const value = a ?? b;
      if (value !== undefined && (a === undefined || b === undefined)) {
        let both = baggage;
        for (const key of SESSION_KEYS) {
          if (baggage.getEntry(key) === undefined) both = both.setEntry(key, { value });
        }
        out = propagation.setBaggage(context, both);
      }
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
