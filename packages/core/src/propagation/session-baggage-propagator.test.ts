import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { SessionBaggagePropagator } from './session-baggage-propagator.js';

const propagator = new SessionBaggagePropagator();
const tracer = new TracerProvider().getTracer('t');

function injected(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return carrier.baggage;
}

const withBaggage = (ctx: Context, entries: Record<string, string>) =>
  propagation.setBaggage(
    ctx,
    propagation.createBaggage(
      Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, { value }])),
    ),
  );

function inSpan(attributes: Record<string, string>): Context {
  const span = tracer.startSpan('agent', { attributes });
  span.end();
  return trace.setSpan(ROOT_CONTEXT, span);
}

describe('SessionBaggagePropagator', () => {
  it('sends a session under both names whichever one it holds', () => {
    expect(injected(withBaggage(ROOT_CONTEXT, { 'gen_ai.conversation.id': 'c-1' }))).toBe(
      'gen_ai.conversation.id=c-1,galileo.session.id=c-1',
    );
    expect(injected(withBaggage(ROOT_CONTEXT, { 'galileo.session.id': 's-1' }))).toBe(
      'galileo.session.id=s-1,gen_ai.conversation.id=s-1',
    );
  });

  it("sends the active span's session when the baggage holds none, and never its user id", () => {
    const ctx = inSpan({ 'galileo.session.id': 'thread-9', 'user.id': 'u-1' });
    expect(injected(ctx)).toBe('galileo.session.id=thread-9,gen_ai.conversation.id=thread-9');
    // Other baggage members stay, and gain the session.
    expect(injected(withBaggage(ctx, { tenant: 'acme' }))).toBe(
      'tenant=acme,galileo.session.id=thread-9,gen_ai.conversation.id=thread-9',
    );
  });

  it("lets the baggage's session win over the span's", () => {
    const ctx = withBaggage(inSpan({ 'galileo.session.id': 'span-s' }), {
      'galileo.session.id': 'bag-s',
    });
    expect(injected(ctx)).toBe('galileo.session.id=bag-s,gen_ai.conversation.id=bag-s');
  });

  it('sends nothing for a span without a session, a remote span, or an unsafe id', () => {
    expect(injected(inSpan({ 'gen_ai.agent.name': 'a' }))).toBeUndefined();
    const remote = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    expect(injected(trace.setSpan(ROOT_CONTEXT, remote))).toBeUndefined();
    expect(injected(inSpan({ 'galileo.session.id': 'bad\u001b[31mid' }))).toBeUndefined();
    expect(injected(ROOT_CONTEXT)).toBeUndefined();
  });

  it('extracts what it injected', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(inSpan({ 'galileo.session.id': 'round' }), carrier, defaultTextMapSetter);
    const baggage = propagation.getBaggage(
      propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter),
    );
    expect(baggage?.getEntry('galileo.session.id')?.value).toBe('round');
    expect(baggage?.getEntry('gen_ai.conversation.id')?.value).toBe('round');
  });
});
