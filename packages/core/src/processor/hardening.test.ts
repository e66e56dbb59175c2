import { startOtlpSink } from '@galileo-otel/otlp-proto';
import {
  context,
  createTraceState,
  propagation,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GalileoAttributes as G } from '../attributes/attribute-names.js';
import { resolveGalileoConfig } from '../config/resolve-config.js';
import { resolveEndpoint } from '../endpoint/resolve-endpoint.js';
import { GalileoConfigError } from '../errors/galileo-config-error.js';
import { extractContext, withGalileoSession } from '../propagation/propagation.js';
import {
  HARNESS_API_KEY,
  startWireHarness,
  type WireHarness,
} from '../test-support/wire-harness.js';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CBaggagePropagator());
});
afterAll(() => {
  propagation.disable();
  context.disable();
});

const harnesses: WireHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});
async function harness(...args: Parameters<typeof startWireHarness>): Promise<WireHarness> {
  const h = await startWireHarness(...args);
  harnesses.push(h);
  return h;
}

describe('routing names outside Latin-1', () => {
  it('sends them percent-encoded in the headers and exactly in the Resource', async () => {
    const h = await harness({ project: 'プロジェクト', logStream: 'flux 🚀' });
    h.tracer.startSpan('configured').end();
    const [span] = await h.flushSpans();
    const request = h.sink.requests[0];
    expect(request?.headers.project).toBe(encodeURIComponent('プロジェクト'));
    expect(request?.headers.logstream).toBe(encodeURIComponent('flux 🚀'));
    expect(span?.resource[G.PROJECT]).toBe('プロジェクト');
    expect(span?.resource[G.LOG_STREAM]).toBe('flux 🚀');
    expect(h.processor.stats().spansFailed).toBe(0);
  });

  it('keeps printable Latin-1 names as they are', async () => {
    const h = await harness({ project: 'café' });
    h.tracer.startSpan('latin').end();
    await h.flushSpans();
    // Node reads header bytes as Latin-1, as it sends them.
    expect(h.sink.requests[0]?.headers.project).toBe('café');
  });

  it('delivers per-span names of every kind, each group in its own request', async () => {
    const h = await harness();
    const names = ['ascii', '项目', 'lone\uD800surrogate', 'tab\there', 'line\nbreak'];
    for (const project of names) {
      h.tracer.startSpan(`to-${project}`, { attributes: { [G.PROJECT]: project } }).end();
    }
    const spans = await h.flushSpans();
    expect(spans).toHaveLength(names.length);
    expect(h.sink.requests).toHaveLength(names.length);
    expect(h.processor.stats()).toMatchObject({ spansFailed: 0, spansExported: names.length });
    // Protobuf strings are UTF-8: the lone surrogate arrives as U+FFFD, the span is not lost.
    expect(spans.map((s) => s.name)).toContain('to-lone\uFFFDsurrogate');
  });

  it('costs a refused group its own spans only: the other groups of the export arrive', async () => {
    const h = await harness();
    // The receiver refuses one project (as Galileo answers 404 when it cannot create it).
    h.sink.respondWith((request) =>
      request.headers.project === encodeURIComponent('拒否') ? { status: 404 } : undefined,
    );
    for (const project of ['ok-a', '拒否', 'ok-b']) {
      for (let i = 0; i < 3; i++) {
        h.tracer.startSpan(`${project} ${i}`, { attributes: { [G.PROJECT]: project } }).end();
      }
    }
    const spans = await h.flushSpans();
    expect(h.sink.requests).toHaveLength(3);
    expect(
      spans
        .map((s) => s.name)
        .filter((n) => !n.startsWith('拒否'))
        .sort(),
    ).toEqual(['ok-a 0', 'ok-a 1', 'ok-a 2', 'ok-b 0', 'ok-b 1', 'ok-b 2']);
    expect(h.processor.stats()).toMatchObject({ spansExported: 6, spansFailed: 3 });
  });
});

describe('413: the size that passed is remembered', () => {
  it('sends later batches under the learned size instead of hitting 413 each time', async () => {
    const sink = await startOtlpSink();
    const limit = 20_000;
    let refused = 0;
    sink.respondWith((request) => {
      if (request.bytes > limit) {
        refused++;
        return { status: 413, body: '{"detail":"too large"}' };
      }
      return undefined;
    });
    const h = await harness({ maxExportBatchSize: 100 }, sink);
    const text = 'x'.repeat(500);
    let refusedByFirstBatch = 0;
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 100; i++) {
        h.tracer.startSpan(`b${batch}-${i}`, { attributes: { text } }).end();
      }
      await h.processor.forceFlush();
      if (batch === 0) refusedByFirstBatch = refused;
    }
    expect(sink.spans()).toHaveLength(2000);
    expect(refusedByFirstBatch).toBeGreaterThan(0);
    // Without memory, each of the 19 later batches would start with a 413 too.
    expect(refused).toBe(refusedByFirstBatch);
    expect(h.processor.stats().spansOversized).toBe(0);
  });
});

describe('requests say who sends them', () => {
  it('sends a User-Agent with the package version and Node version', async () => {
    const h = await harness();
    h.tracer.startSpan('ua').end();
    await h.flushSpans();
    expect(h.sink.requests[0]?.headers['user-agent']).toMatch(
      /^galileo-otel-core\/\d+\.\d+\.\d+\S* Node\.js\/\d+\.\d+\.\d+$/,
    );
  });
});

describe('the API key is scrubbed from scopes and trace state too', () => {
  it('removes it from the instrumentation scope and from tracestate members', async () => {
    const h = await harness();
    const tracer = h.provider.getTracer(`lib-${HARNESS_API_KEY}`, `1.0-${HARNESS_API_KEY}`);
    const parent: SpanContext = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: createTraceState(`vendor=ok,leaky=${HARNESS_API_KEY}`),
    };
    const ctx = trace.setSpanContext(ROOT_CONTEXT, parent);
    tracer.startSpan('scoped', { links: [{ context: parent }] }, ctx).end();
    const [span] = await h.flushSpans();
    const wire = JSON.stringify(h.sink.spans(), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(wire).not.toContain(HARNESS_API_KEY);
    expect(span?.scope.name).toBe('lib-[REDACTED]');
    expect(span?.traceState).toBe('vendor=ok');
    expect(span?.links[0]?.traceState).toBe('vendor=ok');
  });
});

describe('session ids that would not show as they are', () => {
  const unsafe = ['del\u007f', 'c1\u0085', 'bidi\u202Eevil', 'isolate\u2066x', 'nul\u0000'];

  it('are not stamped from baggage', async () => {
    const h = await harness();
    for (const id of unsafe) {
      const header = `galileo.session.id=${encodeURIComponent(id)}`;
      const ctx = extractContext({ baggage: header });
      context.with(ctx, () => h.tracer.startSpan(`s-${encodeURIComponent(id)}`).end());
    }
    const spans = await h.flushSpans();
    expect(spans).toHaveLength(unsafe.length);
    for (const span of spans) expect(span.attributes[G.SESSION_ID]).toBeUndefined();
  });

  it('are left out by withGalileoSession, which still runs the function', async () => {
    const h = await harness();
    withGalileoSession({ sessionId: 'clean-1' }, () => {
      expect(propagation.getBaggage(context.active())?.getEntry(G.SESSION_ID)?.value).toBe(
        'clean-1',
      );
    });
    for (const id of unsafe) {
      const ran = withGalileoSession({ sessionId: id }, () => {
        expect(propagation.getBaggage(context.active())?.getEntry(G.SESSION_ID)).toBeUndefined();
        h.tracer.startSpan('inside').end();
        return 'ran';
      });
      expect(ran).toBe('ran');
    }
    for (const span of await h.flushSpans()) {
      expect(span.attributes[G.SESSION_ID]).toBeUndefined();
    }
  });

  it('fail at start-up when configured, naming the variable', () => {
    for (const id of unsafe) {
      const error = (() => {
        try {
          resolveGalileoConfig({}, { GALILEO_API_KEY: 'k', GALILEO_SESSION_ID: id });
        } catch (e) {
          return e;
        }
      })();
      expect(GalileoConfigError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('GALILEO_SESSION_ID');
    }
  });

  it('still stamps an ordinary id, including non-Latin text', async () => {
    const h = await harness();
    const ctx = extractContext({ baggage: `galileo.session.id=${encodeURIComponent('会话-42')}` });
    context.with(ctx, () => h.tracer.startSpan('ok').end());
    const [span] = await h.flushSpans();
    expect(span?.attributes[G.SESSION_ID]).toBe('会话-42');
  });
});

describe('console URLs that are not URLs', () => {
  it.each(['ht!tp://::not a url', 'https://exa mple.com', 'https://bad_host!/x'])(
    'refuses GALILEO_CONSOLE_URL=%j at start-up, naming the variable',
    (value) => {
      expect(() => resolveEndpoint({}, { GALILEO_CONSOLE_URL: value })).toThrow(
        /GALILEO_CONSOLE_URL is not a valid URL/,
      );
    },
  );

  it('accepts IPv6, IDN and host:port forms', () => {
    expect(resolveEndpoint({}, { GALILEO_API_URL: 'http://[::1]:8088' })).toBe(
      'http://[::1]:8088/otel/traces',
    );
    expect(resolveEndpoint({}, { GALILEO_CONSOLE_URL: 'https://console.bücher.example' })).toBe(
      'https://api.xn--bcher-kva.example/otel/traces',
    );
    expect(resolveEndpoint({}, { GALILEO_API_URL: 'galileo.internal:9000' })).toBe(
      'https://galileo.internal:9000/otel/traces',
    );
  });
});
