/** Longest session or user id taken from baggage or options, in characters. */
export const MAX_ID_LENGTH = 256;

// C0 and C1 controls, DEL, and the invisible marks that reorder or hide text (bidi embeddings,
// overrides and isolates, LRM/RLM/ALM): an id holding one would show differently from what it is.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/**
 * A session or user id as it may be stamped on spans: trimmed, non-empty, at most
 * {@link MAX_ID_LENGTH} characters, with no control character or bidi mark; otherwise
 * `undefined`.
 */
export function cleanId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > MAX_ID_LENGTH || UNSAFE.test(trimmed)) return undefined;
  return trimmed;
}
