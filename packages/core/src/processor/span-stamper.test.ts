import { propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type Span,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { GalileoAttributes as G } from '../attributes/attribute-names.js';
import { SpanStamper, type StampDefaults } from './span-stamper.js';

function stamped(
  defaults: Partial<StampDefaults>,
  start: (tracer: ReturnType<TracerProvider['getTracer']>) => void,
) {
  const stamper = new SpanStamper({
    project: 'p',
    logStream: 's',
    experimentId: undefined,
    sessionId: undefined,
    ...defaults,
  });
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
  return memory.getFinishedSpans().map((s) => s.attributes);
}

const withBaggage = (entries: Record<string, string>) =>
  propagation.setBaggage(
    ROOT_CONTEXT,
    propagation.createBaggage(
      Object.fromEntries(Object.entries(entries).map(([k, value]) => [k, { value }])),
    ),
  );

describe('SpanStamper', () => {
  it('stamps the default routing unless the span carries its own', () => {
    const [plain, own] = stamped({}, (t) => {
      t.startSpan('plain').end();
      t.startSpan('own', { attributes: { [G.PROJECT]: 'mine' } }).end();
    });
    expect(plain).toMatchObject({ [G.PROJECT]: 'p', [G.LOG_STREAM]: 's' });
    expect(own).toMatchObject({ [G.PROJECT]: 'mine', [G.LOG_STREAM]: 's' });
  });

  it('stamps an experiment instead of a log stream in experiment mode', () => {
    const [attrs] = stamped({ experimentId: 'exp-1' }, (t) => t.startSpan('x').end());
    expect(attrs?.[G.EXPERIMENT_ID]).toBe('exp-1');
    expect(attrs?.[G.LOG_STREAM]).toBeUndefined();
  });

  it('takes the session and user from baggage, then the configured session, never over the span’s own', () => {
    const [fromBaggage, fromConfig, own] = stamped({ sessionId: 'configured' }, (t) => {
      t.startSpan('a', {}, withBaggage({ [G.SESSION_ID]: 'from-bag', [G.USER_ID]: 'u1' })).end();
      t.startSpan('b').end();
      t.startSpan(
        'c',
        { attributes: { [G.SESSION_ID]: 'own' } },
        withBaggage({ [G.SESSION_ID]: 'from-bag' }),
      ).end();
    });
    expect(fromBaggage).toMatchObject({
      [G.SESSION_ID]: 'from-bag',
      [G.OTEL_SESSION_ID]: 'from-bag',
      [G.USER_ID]: 'u1',
    });
    expect(fromConfig).toMatchObject({ [G.SESSION_ID]: 'configured' });
    expect(own?.[G.SESSION_ID]).toBe('own');
  });
});
