import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import {
  type Context,
  isSpanContextValid,
  propagation,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
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

// Headers close to the 8192-byte limit, some with multi-byte characters, so that counting
// characters and counting UTF-8 bytes disagree about which side of the limit they are on.
function nearLimit(random: () => number): string {
  const members: string[] = [];
  let length = 0;
  const target = 7600 + Math.floor(random() * 1000);
  while (length < target) {
    const filler = random() < 0.3 ? '\u00e9' : 'v';
    const member = `k${members.length}=${filler.repeat(1 + Math.floor(random() * 2500))}`;
    members.push(member);
    length += member.length + 1;
  }
  return members.join(',');
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;
const trimOws = (text: string) => text.replace(/^[ \t]+|[ \t]+$/g, '');

// The W3C rules, written out independently of propagation.ts: every adopted entry must be
// spelled in W3C syntax by a member of the header that carried it, within the limits.
function expectW3cBaggage(header: string, ctx: Context): number {
  const entries = propagation.getBaggage(ctx)?.getAllEntries() ?? [];
  if (entries.length === 0) return 0;
  expect(utf8Bytes(header)).toBeLessThanOrEqual(8192);
  const members = header.split(',').filter((m) => trimOws(m) !== '');
  expect(members.length).toBeLessThanOrEqual(180);
  for (const [key, { value }] of entries) {
    expect(key).toMatch(TOKEN);
    const spelled = members.some((member) => {
      if (utf8Bytes(member) > 4096) return false;
      const pair = member.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      const raw = trimOws(pair.slice(at + 1));
      const rawKey = trimOws(pair.slice(0, at));
      if (at < 0 || !TOKEN.test(rawKey) || !OCTETS.test(raw)) return false;
      try {
        // Keys are percent-decoded like values (OTel's propagator does): `k%41` is `kA`.
        return decodeURIComponent(rawKey) === key && decodeURIComponent(raw) === value;
      } catch {
        return false;
      }
    });
    expect(spelled, `${key}=${JSON.stringify(value)} from ${JSON.stringify(header)}`).toBe(true);
  }
  return entries.length;
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
    let baggageEntries = 0;
    for (let i = 0; i < 5000; i++) {
      const traceparent = random() < 0.7 ? mutate(random, VALID) : randomText(random, 80);
      const pick = random();
      const baggage =
        pick < 0.4
          ? mutate(random, 'galileo.session.id=s-1,user.id=u%201;p=1,k-2=caf%C3%A9')
          : pick < 0.55
            ? nearLimit(random)
            : randomText(random, random() < 0.1 ? 20_000 : 200);
      const ctx = extractContext({ traceparent, baggage });
      baggageEntries += expectW3cBaggage(baggage, ctx);
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
    // Otherwise the baggage assertions above never ran.
    expect(baggageEntries).toBeGreaterThan(1000);
    await galileo.forceFlush();
    let stamped = 0;
    for (const span of sink.spans()) {
      const session = span.attributes['galileo.session.id'];
      if (session === undefined) continue;
      stamped++;
      expect(String(session).length).toBeLessThanOrEqual(256);
      expect([...String(session)].some((c) => c < ' ')).toBe(false);
    }
    expect(stamped).toBeGreaterThan(0);
  });

  it('drops baggage over the W3C size limits whole, counting UTF-8 bytes', () => {
    const bag = (header: string) => propagation.getBaggage(extractContext({ baggage: header }));
    const many = Array.from({ length: 200 }, (_, i) => `k${i}=v`).join(',');
    expect(bag(many)).toBeUndefined();
    expect(bag(`galileo.session.id=${'x'.repeat(9000)}`)).toBeUndefined();
    // About 4300 characters but 8500 bytes: over the limit, though a character count says not.
    const wide = (filler: string) =>
      ['galileo.session.id=s-1', ...[1, 2, 3].map((i) => `n${i}=${filler.repeat(1400)}`)].join(',');
    expect(bag(wide('\u00e9'))).toBeUndefined();
    expect(bag(wide('e'))?.getEntry('galileo.session.id')?.value).toBe('s-1');
  });

  it('drops members that are not W3C syntax or over 4096 bytes, keeping the rest', () => {
    const header = [
      'galileo.session.id=s-1',
      'bad key=1',
      'quote=a"b',
      'badpct=%zz',
      'raw=caf\u00e9',
      'encoded=caf%C3%A9',
      `big=${'x'.repeat(4100)}`,
      'props=1;ttl=60;bad prop',
      'enc%20key=v',
      'k%41=pct-key',
    ].join(',');
    const entries = propagation.getBaggage(extractContext({ baggage: header }))?.getAllEntries();
    expect(Object.fromEntries((entries ?? []).map(([k, e]) => [k, e.value]))).toEqual({
      'galileo.session.id': 's-1',
      encoded: 'caf\u00e9',
      kA: 'pct-key',
    });
  });

  it('enforces the limits even under a baggage propagator that checks nothing', () => {
    // Stands in for @opentelemetry/core 1.x/2.x, whose baggage extract takes any size.
    const lenient: TextMapPropagator = {
      inject() {},
      fields: () => ['baggage'],
      extract(ctx, carrier, getter) {
        const text = getter.get(carrier, 'baggage');
        if (typeof text !== 'string') return ctx;
        const entries: Record<string, { value: string }> = {};
        for (const member of text.split(',')) {
          const at = member.indexOf('=');
          if (at > 0) entries[member.slice(0, at)] = { value: member.slice(at + 1) };
        }
        return propagation.setBaggage(ctx, propagation.createBaggage(entries));
      },
    };
    propagation.disable();
    propagation.setGlobalPropagator(lenient);
    try {
      const bag = (header: string) => propagation.getBaggage(extractContext({ baggage: header }));
      expect(bag(`galileo.session.id=s-1,big=${'x'.repeat(5000)}`)?.getAllEntries()).toEqual([
        ['galileo.session.id', { value: 's-1' }],
      ]);
      expect(bag(Array.from({ length: 181 }, (_, i) => `k${i}=v`).join(','))).toBeUndefined();
    } finally {
      propagation.disable();
      propagation.setGlobalPropagator(
        new CompositePropagator({
          propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
        }),
      );
    }
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
