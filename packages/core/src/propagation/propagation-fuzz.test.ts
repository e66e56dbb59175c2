import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GalileoRegistration, registerGalileo } from '../register-galileo.js';
import { extractContext, startServerSpan } from './propagation.js';

// Deterministic pseudo-random generator (mulberry32) so a failure is reproducible.
function rng(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const ALPHABET = '0123456789abcdefABCDEF-_=,;%. \t\u0000\u00e9xyz\u{1f600}';

function mutate(random: () => number, text: string): string {
  const chars = [...text];
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (chars.length + 1));
    const pick = ALPHABET[Math.floor(random() * ALPHABET.length)] ?? 'x';
    const op = random();
    if (op < 0.33) chars.splice(at, 1);
    else if (op < 0.66) chars.splice(at, 0, pick);
    else chars[at] = pick;
  }
  return chars.join('');
}

function randomText(random: () => number, max: number): string {
  let out = '';
  const length = Math.floor(random() * max);
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return out;
}

let sink: OtlpSink;
let galileo: GalileoRegistration;
beforeAll(async () => {
  sink = await startOtlpSink();
  galileo = registerGalileo({ apiKey: 'k', endpoint: sink.url, logger: false });
});
afterAll(async () => {
  await galileo.shutdown();
  await sink.close();
});

describe('traceparent and baggage parsing under fuzzing', () => {
  it('never throws and never adopts an invalid context over 5000 malformed headers', async () => {
    const random = rng(20261125);
    let adopted = 0;
    for (let i = 0; i < 5000; i++) {
      const traceparent = random() < 0.7 ? mutate(random, VALID) : randomText(random, 80);
      const baggage =
        random() < 0.5
          ? mutate(random, 'galileo.session.id=s-1,user.id=u%201')
          : randomText(random, random() < 0.1 ? 20_000 : 200);
      const ctx = extractContext({ traceparent, baggage });
      const spanContext = trace.getSpanContext(ctx);
      if (spanContext) {
        adopted++;
        expect(isSpanContextValid(spanContext)).toBe(true);
        expect(spanContext.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(spanContext.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(spanContext.traceId).not.toBe('0'.repeat(32));
      }
      const { span } = startServerSpan({
        method: 'POST',
        path: '/x',
        headers: { traceparent, baggage },
      });
      span.end();
      propagation.getBaggage(ctx)?.getAllEntries();
      if (i % 1000 === 999) await galileo.forceFlush();
    }
    // Some mutations (e.g. of the flags byte) still yield a valid header; most must not.
    expect(adopted).toBeGreaterThan(0);
    expect(adopted).toBeLessThan(5000);
  });

  it('drops baggage over the W3C size limits whole', () => {
    const many = Array.from({ length: 200 }, (_, i) => `k${i}=v`).join(',');
    expect(propagation.getBaggage(extractContext({ baggage: many }))).toBeUndefined();
    const big = `galileo.session.id=${'x'.repeat(9000)}`;
    expect(propagation.getBaggage(extractContext({ baggage: big }))).toBeUndefined();
  });

  it('does not stamp session values that are oversized or hold control characters', async () => {
    const cases = {
      'ok-session': 'galileo.session.id=ok-session',
      long: `galileo.session.id=${'s'.repeat(300)}`,
      control: 'galileo.session.id=bad%0Avalue',
    };
    for (const [name, baggage] of Object.entries(cases)) {
      const { span } = startServerSpan({ method: 'POST', path: `/${name}`, headers: { baggage } });
      span.end();
    }
    await galileo.forceFlush();
    const session = (path: string) =>
      sink.spans().find((s) => s.name === `POST ${path}`)?.attributes['galileo.session.id'];
    expect(session('/ok-session')).toBe('ok-session');
    expect(session('/long')).toBeUndefined();
    expect(session('/control')).toBeUndefined();
  });
});
