import type { AttributeValue } from '@opentelemetry/api';

/**
 * A user redaction hook, run on every exported attribute. Return the value to keep (or a
 * replacement), or `undefined` to drop the attribute.
 */
export type RedactFunction = (
  key: string,
  value: AttributeValue,
  span: { readonly name: string },
) => AttributeValue | undefined;

/** The text that replaces redacted content. */
export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /(^|[._-])(api[-_]?key|apikey|x-api-key|galileo-api-key|secret|client[-_]?secret|password|passwd|pwd|token|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|bearer|authorization|proxy-authorization|cookie|set-cookie|private[-_]?key|credentials?)$/i;
const SECRET_JSON_FIELD =
  /("(?:api[-_]?key|apikey|x-api-key|secret|client[-_]?secret|password|passwd|token|access[-_]?token|refresh[-_]?token|authorization|cookie|private[-_]?key)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const SECRET_VALUE =
  /\b(Bearer\s+[A-Za-z0-9._~+/-]{8,}=*|sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,})/g;

const secretKeyCache = new Map<string, boolean>();

/** True when an attribute key names a secret (an API key, token, password, cookie, ...). */
export function isSecretKey(key: string): boolean {
  // Attribute keys repeat endlessly; remember the answer (bounded).
  let known = secretKeyCache.get(key);
  if (known === undefined) {
    known = SECRET_KEY.test(key);
    if (secretKeyCache.size >= 4096) secretKeyCache.clear();
    secretKeyCache.set(key, known);
  }
  return known;
}

// Cheap pre-checks: the full patterns only run on text that could match them.
const MAY_HOLD_SECRET_FIELD = /key|secret|passw|token|authoriz|cookie/i;

/**
 * Removes secrets from a string: JSON fields named like secrets, bearer tokens and provider
 * key shapes, and any literal the caller knows is secret.
 */
export function redactSecretText(text: string, literals: readonly string[] = []): string {
  let out = text;
  for (const literal of literals) {
    if (literal.length >= 4 && out.includes(literal)) out = out.split(literal).join(REDACTED);
  }
  if (out.includes('"') && MAY_HOLD_SECRET_FIELD.test(out)) {
    out = out.replace(SECRET_JSON_FIELD, `$1"${REDACTED}"`);
  }
  if (out.includes('Bearer') || out.includes('sk-') || out.includes('AIza')) {
    out = out.replace(SECRET_VALUE, REDACTED);
  }
  return out;
}
