import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecretText } from './redact.js';

describe('redactSecretText', () => {
  it('redacts a secret JSON field whatever the case and the whitespace around its colon', () => {
    expect(redactSecretText('{"API_KEY" :"abc"}')).toBe(`{"API_KEY" :"${REDACTED}"}`);
    expect(redactSecretText('{"Authorization"\t:\n "Basic x"}')).toBe(
      `{"Authorization"\t:\n "${REDACTED}"}`,
    );
    expect(redactSecretText('{"refresh_Token"\u00a0: "r"}')).toBe(
      `{"refresh_Token"\u00a0: "${REDACTED}"}`,
    );
    expect(redactSecretText('[{"passwd":"p"},{"cookie":"c","user":"u"}]')).toBe(
      `[{"passwd":"${REDACTED}"},{"cookie":"${REDACTED}","user":"u"}]`,
    );
  });

  it('keeps message JSON that only mentions secret words in its prose', () => {
    const text = JSON.stringify([
      { role: 'user', content: 'which token: the key, the secret or the cookie? password: none' },
    ]);
    expect(redactSecretText(text)).toBe(text);
  });

  it('keeps a field whose name only ends like a secret when the pattern does not name it', () => {
    const text = '{"monkey":"m","sidekey":"s"}';
    expect(redactSecretText(text)).toBe(text);
  });

  it('redacts bearer tokens and provider key shapes anywhere in the text', () => {
    const sk = `sk-${'a'.repeat(20)}`;
    const google = `AIza${'b'.repeat(32)}`;
    expect(redactSecretText(`auth Bearer abcdefgh12 then ${sk}, ${google}.`)).toBe(
      `auth ${REDACTED} then ${REDACTED}, ${REDACTED}.`,
    );
    expect(redactSecretText('ask-me-anything sk-short Bearer x')).toBe(
      'ask-me-anything sk-short Bearer x',
    );
  });

  it('gives what the full patterns give on any text, so its fast pre-checks skip no match', () => {
    // The patterns of redact.ts, run with no pre-check.
    const jsonField =
      /("(?:api[-_]?key|apikey|x-api-key|secret|client[-_]?secret|password|passwd|token|access[-_]?token|refresh[-_]?token|authorization|cookie|private[-_]?key)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
    const value =
      /\b(Bearer\s+[A-Za-z0-9._~+/-]{8,}=*|sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,})/g;
    const parts = [
      '"',
      '":',
      ':',
      ' ',
      '\u00a0',
      '\u2028',
      '\\"',
      'x',
      'Key',
      'API_KEY',
      'token',
      'Cookie',
      'passwd',
      'secret',
      'authorization',
      'Bearer ',
      'sk-',
      'AIza',
      '0123456789abcdef',
    ];
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    let changed = 0;
    for (let n = 0; n < 5000; n++) {
      let text = '';
      const length = next() % 24;
      for (let i = 0; i < length; i++) text += parts[next() % parts.length];
      const expected = text.replace(jsonField, `$1"${REDACTED}"`).replace(value, REDACTED);
      expect(redactSecretText(text), text).toBe(expected);
      if (expected !== text) changed++;
    }
    // The texts really exercise the patterns.
    expect(changed).toBeGreaterThan(500);
  });

  it('redacts every copy of a literal of 4 characters or more, never a shorter one', () => {
    expect(redactSecretText('k1234 and k1234', ['k1234'])).toBe(`${REDACTED} and ${REDACTED}`);
    expect(redactSecretText('abc and abc', ['abc'])).toBe('abc and abc');
  });
});
