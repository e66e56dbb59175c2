import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { context, propagation, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerGalileo } from './register-galileo.js';

let sink: OtlpSink;
beforeAll(async () => {
  sink = await startOtlpSink();
});
afterAll(async () => {
  await sink.close();
});

describe('registerGalileo', () => {
  it('registers provider, context and propagators globally, and traces through them', async () => {
    const galileo = registerGalileo({
      apiKey: 'k',
      endpoint: sink.url,
      serviceName: 'svc-registered',
      logger: false,
    });
    const tracer = trace.getTracer('app');
    await tracer.startActiveSpan('outer', async (outer) => {
      await new Promise((r) => setTimeout(r, 5));
      // The AsyncLocalStorage context manager keeps `outer` active across the await.
      const inner = tracer.startSpan('inner');
      inner.end();
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      expect(carrier.traceparent).toContain(outer.spanContext().traceId);
      outer.end();
    });
    await galileo.forceFlush();
    const spans = sink.spans();
    const outer = spans.find((s) => s.name === 'outer');
    expect(spans.find((s) => s.name === 'inner')?.parentSpanId).toBe(outer?.spanId);
    expect(outer?.resource['service.name']).toBe('svc-registered');
    await galileo.shutdown();
  });

  it('warns when another provider already owns the global slot', () => {
    const lines: string[] = [];
    // The first test registered a provider; a second registration is the "foreign provider" case.
    const foreign = new TracerProvider();
    trace.setGlobalTracerProvider(foreign);
    registerGalileo({ apiKey: 'k', endpoint: sink.url, logger: { warn: (l) => lines.push(l) } });
    expect(
      lines.some((l) => /another OpenTelemetry tracer provider is already registered/.test(l)),
    ).toBe(true);
  });
});

const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

// Stands in for another @opentelemetry/api copy having registered the globals first.
async function withApiSlot(slot: unknown, run: () => Promise<void>): Promise<void> {
  const globals = globalThis as Record<symbol, unknown>;
  const saved = globals[API_GLOBAL];
  globals[API_GLOBAL] = slot;
  try {
    await run();
  } finally {
    globals[API_GLOBAL] = saved;
  }
}

// A fresh module graph, so the once-per-process check has not run yet.
async function freshCore(): Promise<typeof import('./index.js')> {
  vi.resetModules();
  return import('./index.js');
}

const clashes = (lines: string[]) =>
  lines.filter((l) => l.includes('registered the OpenTelemetry globals'));

describe('the warning about a second @opentelemetry/api copy', () => {
  it('warns once, naming the fix, when processors join a provider an older copy owns', async () => {
    const lines: string[] = [];
    const logger = { warn: (l: string) => lines.push(l) };
    await withApiSlot({ version: '1.0.0' }, async () => {
      const { GalileoSpanProcessor } = await freshCore();
      const provider = new TracerProvider({
        spanProcessors: [
          new GalileoSpanProcessor({ apiKey: 'k', endpoint: sink.url, logger }),
          new GalileoSpanProcessor({ apiKey: 'k', endpoint: sink.url, logger }),
        ],
      });
      // At construction, before any span: the app may never get as far as exporting one.
      expect(clashes(lines)).toHaveLength(1);
      provider.getTracer('app').startSpan('traced despite the clash').end();
      await provider.shutdown();
    });
    expect(clashes(lines)).toHaveLength(1);
    expect(clashes(lines)[0]).toContain('@opentelemetry/api 1.0.0 registered');
    expect(clashes(lines)[0]).toContain(
      '"overrides": { "@opentelemetry/api": "$@opentelemetry/api" }',
    );
    expect(sink.spans().filter((s) => s.name === 'traced despite the clash')).toHaveLength(2);
  });

  it('warns once through registerGalileo too', async () => {
    const lines: string[] = [];
    await withApiSlot({ version: '1.0.0' }, async () => {
      const core = await freshCore();
      const galileo = core.registerGalileo({
        apiKey: 'k',
        endpoint: sink.url,
        logger: { warn: (l) => lines.push(l) },
      });
      await galileo.shutdown();
    });
    expect(clashes(lines)).toHaveLength(1);
    expect(clashes(lines)[0]).toContain('npx -p @galileo-otel/devtools galileo-otel doctor');
  });

  it('checks again at export when no copy had registered when the processor was made', async () => {
    const lines: string[] = [];
    await withApiSlot(undefined, async () => {
      const { GalileoSpanProcessor } = await freshCore();
      const processor = new GalileoSpanProcessor({
        apiKey: 'k',
        endpoint: sink.url,
        logger: { warn: (l) => lines.push(l) },
      });
      const provider = new TracerProvider({ spanProcessors: [processor] });
      expect(clashes(lines)).toHaveLength(0);
      (globalThis as Record<symbol, unknown>)[API_GLOBAL] = { version: '1.2.0' };
      provider.getTracer('app').startSpan('late registration').end();
      await provider.shutdown();
    });
    expect(clashes(lines)).toHaveLength(1);
    expect(clashes(lines)[0]).toContain('@opentelemetry/api 1.2.0 registered');
  });

  it('warns before any span when the provider is registered just after the processor is made', async () => {
    const lines: string[] = [];
    await withApiSlot(undefined, async () => {
      const { GalileoSpanProcessor } = await freshCore();
      // `new NodeSDK({ spanProcessors: [processor] }); sdk.start();` in one go.
      const processor = new GalileoSpanProcessor({
        apiKey: 'k',
        endpoint: sink.url,
        logger: { warn: (l) => lines.push(l) },
      });
      (globalThis as Record<symbol, unknown>)[API_GLOBAL] = { version: '1.3.0' };
      expect(clashes(lines)).toHaveLength(0);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(clashes(lines)).toHaveLength(1);
      await processor.shutdown();
    });
    expect(clashes(lines)[0]).toContain('@opentelemetry/api 1.3.0 registered');
  });

  it('warns at a flush with nothing queued when every span went to the other copy', async () => {
    const lines: string[] = [];
    await withApiSlot(undefined, async () => {
      const { GalileoSpanProcessor } = await freshCore();
      const processor = new GalileoSpanProcessor({
        apiKey: 'k',
        endpoint: sink.url,
        logger: { warn: (l) => lines.push(l) },
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      (globalThis as Record<symbol, unknown>)[API_GLOBAL] = { version: '1.4.0' };
      await processor.forceFlush();
      expect(clashes(lines)).toHaveLength(1);
      await processor.shutdown();
    });
    expect(clashes(lines)[0]).toContain('@opentelemetry/api 1.4.0 registered');
  });

  it.each([
    ['a newer minor', { version: '1.99.0' }],
    ['a version that is not a string', { version: 42 }],
    [
      'a slot whose version throws',
      {
        get version(): string {
          throw new Error('hostile global');
        },
      },
    ],
  ])('stays quiet and never throws for %s', async (_what, slot) => {
    const lines: string[] = [];
    await withApiSlot(slot, async () => {
      const { GalileoSpanProcessor } = await freshCore();
      const processor = new GalileoSpanProcessor({
        apiKey: 'k',
        endpoint: sink.url,
        logger: { warn: (l) => lines.push(l) },
      });
      await processor.shutdown();
    });
    expect(clashes(lines)).toHaveLength(0);
  });
});
