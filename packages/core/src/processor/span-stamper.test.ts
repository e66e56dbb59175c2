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

  it('passes a session set on a span of this process to its descendants', () => {
    const spans = stamped('configured', (t) => {
      const agent = t.startSpan('agent', {
        attributes: { [A.CONVERSATION_ID]: 'thread-1', [G.USER_ID]: 'u-1' },
      });
      const inAgent = trace.setSpan(ROOT_CONTEXT, agent);
      const tool = t.startSpan('tool', {}, inAgent);
      t.startSpan('grandchild', {}, trace.setSpan(ROOT_CONTEXT, tool)).end();
      tool.end();
      // A session the child set itself still wins, and the baggage of its context beats the
      // parent's: the app's explicit session (`withGalileoSession`) holds for what it wraps.
      t.startSpan('own', { attributes: { [G.SESSION_ID]: 'mine' } }, inAgent).end();
      const bagged = propagation.setBaggage(
        inAgent,
        propagation.createBaggage({ [G.SESSION_ID]: { value: 'from-bag' } }),
      );
      t.startSpan('bagged', {}, bagged).end();
      agent.end();
      // A remote parent has no attributes here: the configured session applies.
      const remote = trace.wrapSpanContext({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: 1,
        isRemote: true,
      });
      t.startSpan('remote-child', {}, trace.setSpan(ROOT_CONTEXT, remote)).end();
    });
    expect(spans.agent).toMatchObject({ ...session('thread-1'), [A.CONVERSATION_ROOT]: true });
    expect(spans.tool).toMatchObject({ ...session('thread-1'), [G.USER_ID]: 'u-1' });
    expect(spans.grandchild).toMatchObject({ ...session('thread-1'), [G.USER_ID]: 'u-1' });
    expect(spans.grandchild?.[A.CONVERSATION_ROOT]).toBeUndefined();
    expect(spans.own).toMatchObject(session('mine'));
    expect(spans.bagged).toMatchObject(session('from-bag'));
    expect(spans['remote-child']).toMatchObject(session('configured'));
    expect(spans['remote-child']?.[G.USER_ID]).toBeUndefined();
  });

  it('does not pass on a parent session that could not be shown safely', () => {
    const spans = stamped(undefined, (t) => {
      const parent = t.startSpan('parent');
      // Set after start, so the stamper never cleaned it.
      parent.setAttribute(G.SESSION_ID, 'evil\u202Eid');
      t.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, parent)).end();
      parent.end();
    });
    expect(spans.child?.[G.SESSION_ID]).toBeUndefined();
    expect(spans.child?.[A.CONVERSATION_ID]).toBeUndefined();
  });
});
