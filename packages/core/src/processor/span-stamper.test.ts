import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type Span,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { GenAiAttributes as A, GalileoAttributes as G } from '../attributes/attribute-names.js';
import { SpanStamper } from './span-stamper.js';

type Tracer = ReturnType<TracerProvider['getTracer']>;

function stamped(sessionId: string | undefined, start: (tracer: Tracer) => void) {
  const stamper = new SpanStamper({ sessionId });
  const memory = new InMemorySpanExporter();
  const stamp: SpanProcessor = {
    onStart: (span: Span, ctx) => stamper.stamp(span, ctx),
    onEnd: () => {},
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new TracerProvider({
    spanProcessors: [stamp, new SimpleSpanProcessor({ exporter: memory })],
  });
  start(provider.getTracer('t'));
  return Object.fromEntries(memory.getFinishedSpans().map((s) => [s.name, s.attributes]));
}

const withBaggage = (entries: Record<string, string>) =>
  propagation.setBaggage(
    ROOT_CONTEXT,
    propagation.createBaggage(
      Object.fromEntries(Object.entries(entries).map(([k, value]) => [k, { value }])),
    ),
  );

const session = (id: string) => ({
  [G.SESSION_ID]: id,
  [G.OTEL_SESSION_ID]: id,
  [A.CONVERSATION_ID]: id,
});

describe('SpanStamper', () => {
  it('takes the session from baggage under either name, then the configured one', () => {
    const spans = stamped('configured', (t) => {
      t.startSpan('ours', {}, withBaggage({ [G.SESSION_ID]: 's-1', [G.USER_ID]: 'u1' })).end();
      t.startSpan('splunk', {}, withBaggage({ [A.CONVERSATION_ID]: 'conv-9' })).end();
      t.startSpan('plain').end();
    });
    expect(spans.ours).toMatchObject({ ...session('s-1'), [G.USER_ID]: 'u1' });
    expect(spans.splunk).toMatchObject(session('conv-9'));
    expect(spans.plain).toMatchObject(session('configured'));
  });

  it('lets a session the span set itself win, under any of the three names', () => {
    const spans = stamped(undefined, (t) => {
      const bag = withBaggage({ [G.SESSION_ID]: 'from-bag' });
      t.startSpan('own', { attributes: { [A.CONVERSATION_ID]: 'mine' } }, bag).end();
    });
    expect(spans.own).toMatchObject(session('mine'));
  });

  it('marks the root span of a trace that has a session, and only that one', () => {
    const spans = stamped('s', (t) => {
      const root = t.startSpan('root');
      t.startSpan('child', {}, trace.setSpan(context.active(), root)).end();
      root.end();
      t.startSpan('no-session-root').end();
    });
    expect(spans.root?.[A.CONVERSATION_ROOT]).toBe(true);
    expect(spans.child?.[A.CONVERSATION_ROOT]).toBeUndefined();
    const none = stamped(undefined, (t) => t.startSpan('alone').end());
    expect(none.alone?.[A.CONVERSATION_ROOT]).toBeUndefined();
    expect(none.alone?.[G.PROJECT]).toBeUndefined();
  });
});
