import { createTraceState } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { SpanRedactor } from './span-redactor.js';

const KEY = 'gal-redactor-key-0123456789';

function redactor(overrides: Partial<ConstructorParameters<typeof SpanRedactor>[0]> = {}) {
  const errors: unknown[] = [];
  const r = new SpanRedactor({
    apiKey: KEY,
    redactSecrets: true,
    maxAttributeLength: 20,
    redact: undefined,
    onHookError: (e) => errors.push(e),
    ...overrides,
  });
  return { r, errors };
}

describe('SpanRedactor', () => {
  it('filters secrets by key and by value, caps length, and returns the same object when clean', () => {
    const { r } = redactor();
    const clean = { a: 'short', n: 1 };
    expect(r.attributes(clean, 's')).toBe(clean);
    expect(r.attributes({ token: 'abc', msg: `k ${KEY}`, long: 'x'.repeat(30) }, 's')).toEqual({
      token: '[REDACTED]',
      msg: 'k [REDACTED]',
      long: `${'x'.repeat(20)}…[truncated 10 chars]`,
    });
  });

  it('cleans a value the same way whether it repeats, changes back and forth or is long', () => {
    const { r } = redactor({ maxAttributeLength: 1000 });
    const secret = 'Bearer abcdefghijklmnop';
    const plain = 'an ordinary value';
    const long = `${'word '.repeat(60)}${secret}`;
    const seen = [secret, plain, secret, plain, plain, long, secret, long].map(
      (v) => r.attributes({ v, w: v }, 's').v,
    );
    expect(seen).toEqual([
      '[REDACTED]',
      plain,
      '[REDACTED]',
      plain,
      plain,
      `${'word '.repeat(60)}[REDACTED]`,
      '[REDACTED]',
      `${'word '.repeat(60)}[REDACTED]`,
    ]);
  });

  it('scrubs the API key even with the secret filter off, and renames a key that holds it', () => {
    const { r } = redactor({ redactSecrets: false });
    expect(r.attributes({ token: 'abc', [`x-${KEY}`]: 'v', note: KEY }, 's')).toEqual({
      token: 'abc',
      'x-[REDACTED]': '[REDACTED]',
      note: '[REDACTED]',
    });
  });

  it('fails closed when the user hook throws, and reports it', () => {
    const { r, errors } = redactor({
      redact: () => {
        throw new Error('hook bug');
      },
    });
    expect(r.attributes({ a: 'b' }, 's')).toEqual({ a: '[REDACTED]' });
    expect(errors).toHaveLength(1);
  });

  it('cleans scopes, trace state and resources once per object', () => {
    const { r } = redactor();
    const scope = { name: `lib-${KEY}`, version: '1' };
    expect(r.scope(scope)).toBe(r.scope(scope));
    expect(r.scope(scope).name).toBe('lib-[REDACTED]');
    const context = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      traceState: createTraceState(`ok=1,bad=${KEY}`),
    };
    expect(r.context(context).traceState?.serialize()).toBe('ok=1');
    const resource = resourceFromAttributes({ 'service.name': 'svc', secret: 'x' });
    expect(r.resource(resource, true)).toBe(r.resource(resource, true));
    expect(r.resource(resource, true).attributes).toEqual({
      'service.name': 'svc',
      secret: '[REDACTED]',
    });
  });
});
