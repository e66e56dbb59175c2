import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { context, propagation, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
