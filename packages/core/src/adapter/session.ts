import {
  type Attributes,
  context as api,
  type Baggage,
  type Context,
  propagation,
} from '@opentelemetry/api';
import { GalileoAttributes as G, GenAiAttributes } from '../attributes/attribute-names.js';

const CONVERSATION_ID = GenAiAttributes.CONVERSATION_ID;

import { cleanId } from '../internal/clean-id.js';

/**
 * The session id carried in the W3C baggage of `ctx` (`galileo.session.id`, else
 * `gen_ai.conversation.id`, which Splunk AO services send, else `session.id`), if it is one that
 * may be shown: at most 256 characters, no control character or bidi mark.
 */
export function sessionFromBaggage(ctx: Context = api.active()): string | undefined {
  return sessionOf(propagation.getBaggage(ctx));
}

/** {@link sessionFromBaggage} for a baggage already read. */
export function sessionOf(baggage: Baggage | undefined): string | undefined {
  if (!baggage) return undefined;
  return (
    cleanId(baggage.getEntry(G.SESSION_ID)?.value) ??
    cleanId(baggage.getEntry(CONVERSATION_ID)?.value) ??
    cleanId(baggage.getEntry(G.OTEL_SESSION_ID)?.value)
  );
}

/**
 * The attributes that put a span in a session, for an id a framework carries itself (a Mastra
 * `threadId`, an AI SDK `runtimeContext` value): `galileo.session.id`, `session.id` and
 * `gen_ai.conversation.id`. An id that could not be shown safely gives no attributes.
 */
export function sessionAttributes(sessionId: unknown): Attributes {
  const id = cleanId(sessionId);
  return id === undefined
    ? {}
    : { [G.SESSION_ID]: id, [G.OTEL_SESSION_ID]: id, [CONVERSATION_ID]: id };
}

/** The `user.id` attribute for a user id a framework carries, if it may be shown safely. */
export function userAttributes(userId: unknown): Attributes {
  const id = cleanId(userId);
  return id === undefined ? {} : { [G.USER_ID]: id };
}
