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

// The shortest text SECRET_JSON_FIELD can match: `"token":""`. SECRET_VALUE needs more.
const MIN_SECRET_FIELD_LENGTH = 10;
// The shortest text SECRET_VALUE can match: `Bearer`, one space, eight token characters.
const MIN_SECRET_VALUE_LENGTH = 15;
const QUOTE = 0x22;
const CASE_BIT = 0x20;
const WHITESPACE = /\s/;

/**
 * Removes secrets from a string: JSON fields named like secrets, bearer tokens and provider
 * key shapes, and any literal the caller knows is secret.
 */
export function redactSecretText(text: string, literals: readonly string[] = []): string {
  let out = text;
  for (const literal of literals) {
    if (literal.length >= 4 && literal.length <= out.length && out.includes(literal)) {
      out = out.split(literal).join(REDACTED);
    }
  }
  // Cheap pre-checks: the full patterns only run on text that could match them. Each is a
  // condition every match satisfies, so skipping the pattern never changes the result.
  if (out.length < MIN_SECRET_FIELD_LENGTH) return out;
  if (mayHoldSecretField(out)) out = out.replace(SECRET_JSON_FIELD, `$1"${REDACTED}"`);
  if (
    out.length >= MIN_SECRET_VALUE_LENGTH &&
    (out.includes('Bearer') || out.includes('AIza') || includesSkDash(out))
  ) {
    out = out.replace(SECRET_VALUE, REDACTED);
  }
  return out;
}

// SECRET_JSON_FIELD needs `<name>"` then optional whitespace and a colon. Looking for that from
// each colon is far cheaper than the regex (or a name search: prose says "token" and "key" all
// the time), and colons are rarer than quotes in message JSON.
function mayHoldSecretField(text: string): boolean {
  let colon = text.indexOf(':', 4);
  while (colon !== -1) {
    let end = colon - 1;
    while (end > 0 && isWhitespace(text.charCodeAt(end))) end--;
    if (text.charCodeAt(end) === QUOTE && endsWithSecretName(text, end)) return true;
    colon = text.indexOf(':', colon + 1);
  }
  return false;
}

// `\s` as the regex means it: ASCII whitespace here, the rest asked of the regex itself.
function isWhitespace(code: number): boolean {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return true;
  return code >= 0xa0 && WHITESPACE.test(String.fromCharCode(code));
}

// Every field name of SECRET_JSON_FIELD ends in one of these words right before `quote`.
function endsWithSecretName(text: string, quote: number): boolean {
  switch (text.charCodeAt(quote - 1) | CASE_BIT) {
    case 0x79: // y
      return endsWith(text, quote, 'key');
    case 0x74: // t
      return endsWith(text, quote, 'secret');
    case 0x64: // d
      return endsWith(text, quote, 'password') || endsWith(text, quote, 'passwd');
    case 0x6e: // n
      return endsWith(text, quote, 'token') || endsWith(text, quote, 'authorization');
    case 0x65: // e
      return endsWith(text, quote, 'cookie');
    default:
      return false;
  }
}

// `word` is lower-case ASCII letters. The regex `i` flag without `u` folds only ASCII onto
// ASCII letters, so setting the case bit compares exactly as SECRET_JSON_FIELD does.
function endsWith(text: string, end: number, word: string): boolean {
  const start = end - word.length;
  if (start < 0) return false;
  for (let i = 0; i < word.length; i++) {
    if ((text.charCodeAt(start + i) | CASE_BIT) !== word.charCodeAt(i)) return false;
  }
  return true;
}

// `includes('sk-')` crawls prose, where `s` is everywhere; a dash is rare.
function includesSkDash(text: string): boolean {
  let dash = text.indexOf('-', 2);
  while (dash !== -1) {
    if (text.charCodeAt(dash - 1) === 0x6b && text.charCodeAt(dash - 2) === 0x73) return true;
    dash = text.indexOf('-', dash + 1);
  }
  return false;
}
