import { metrics, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GalileoAdapter } from '../adapter/galileo-adapter.js';
import { startWireHarness, type WireHarness } from '../test-support/wire-harness.js';

/** A pull reader: the test decides when metrics are collected. */
class TestReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let reader: TestReader;
let meterProvider: MeterProvider;
const open: WireHarness[] = [];

beforeEach(() => {
  // A fresh global MeterProvider per test: the processor takes its meter when constructed.
  reader = new TestReader();
  meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
  await meterProvider.shutdown();
  metrics.disable();
});

/**
 * `name{attr=value}` -> value for every data point of the Galileo processor's meter. By default
 * the per-processor labels are summed away, as a dashboard over all processors would show them;
 * `byComponent` keeps them as a leading `component=<otel.component.name>` label.
 */
async function collect({ byComponent = false } = {}): Promise<Record<string, number>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const out: Record<string, number> = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    if (scope.scope.name !== '@galileo-otel/core') continue;
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints) {
        const {
          'otel.component.name': component,
          'otel.component.type': type,
          ...rest
        } = point.attributes;
        expect(type).toBe('galileo_span_processor');
        expect(String(component)).toMatch(/^galileo_span_processor\/\d+$/);
        const labels = [
          ...(byComponent ? [`component=${String(component)}`] : []),
          ...Object.entries(rest).map(([k, v]) => `${k}=${String(v)}`),
        ].join(',');
        const key = labels ? `${metric.descriptor.name}{${labels}}` : metric.descriptor.name;
        out[key] = (out[key] ?? 0) + (point.value as number);
      }
    }
  }
  return out;
}

async function harness(options: Parameters<typeof startWireHarness>[0] = {}) {
  const started = await startWireHarness({ scheduledDelayMillis: 60_000, ...options });
  open.push(started);
  return started;
}

describe('self-metrics through the global MeterProvider', () => {
  it('counts spans by outcome, matching processor.stats()', async () => {
    const dropWrappers: GalileoAdapter = {
      name: 'drop-wrappers',
      onStart: (span) =>
        (span as unknown as ReadableSpan).name === 'wrapper' ? { drop: true } : undefined,
    };
    const { processor, provider, tracer, sink } = await harness({ adapters: [dropWrappers] });
    sink.script({ status: 200, body: JSON.stringify({ partialSuccess: { rejectedSpans: 1 } }) });
    const wrapper = tracer.startSpan('wrapper');
    for (let i = 0; i < 4; i++) {
      tracer.startSpan(`kept-${i}`, {}, trace.setSpan(ROOT_CONTEXT, wrapper)).end();
    }
    wrapper.end();
    await provider.forceFlush();

    const observed = await collect();
    expect(observed).toMatchObject({
      'galileo_otel.spans{outcome=exported}': 3,
      'galileo_otel.spans{outcome=rejected}': 1,
      'galileo_otel.spans{outcome=filtered}': 1,
      'galileo_otel.spans{outcome=dropped}': 0,
      'galileo_otel.spans{outcome=failed}': 0,
      'galileo_otel.spans{outcome=oversized}': 0,
    });
    const stats = processor.stats();
    expect(observed['galileo_otel.spans{outcome=exported}']).toBe(stats.spansExported);
    expect(observed['galileo_otel.spans{outcome=filtered}']).toBe(stats.spansFiltered);
  });

  it('counts export requests apart from their retries, and failed and dropped spans', async () => {
    // Room for one span only: the next two are dropped.
    const { provider, tracer, sink } = await harness({ maxQueueBytes: 300 });
    sink.script(
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 200 },
      { status: 401 },
    );
    for (let i = 0; i < 3; i++) tracer.startSpan(`first-${i}`).end();
    await provider.forceFlush();
    tracer.startSpan('refused').end();
    await provider.forceFlush();

    expect(await collect()).toMatchObject({
      'galileo_otel.export.requests{retry=false}': 2,
      'galileo_otel.export.requests{retry=true}': 2,
      'galileo_otel.spans{outcome=exported}': 1,
      'galileo_otel.spans{outcome=dropped}': 2,
      'galileo_otel.spans{outcome=failed}': 1,
    });
  });

  it('keeps one series per processor, and a shut-down processor stops reporting', async () => {
    const first = await harness();
    const second = await harness();
    for (let i = 0; i < 3; i++) first.tracer.startSpan(`a-${i}`).end();
    second.tracer.startSpan('b-0').end();
    await Promise.all([first.provider.forceFlush(), second.provider.forceFlush()]);

    const perProcessor = await collect({ byComponent: true });
    const exported = Object.entries(perProcessor)
      .filter(([key]) => key.startsWith('galileo_otel.spans{') && key.endsWith('outcome=exported}'))
      .map(([, value]) => value)
      .sort();
    expect(exported).toEqual([1, 3]);
    expect((await collect())['galileo_otel.spans{outcome=exported}']).toBe(4);

    // Cumulative readers repeat a series' last value forever, so whether the callback is gone
    // shows on a delta reader: a removed callback reports nothing at all.
    const delta = new TestReader({
      aggregationTemporalitySelector: () => AggregationTemporality.DELTA,
    });
    await meterProvider.shutdown();
    meterProvider = new MeterProvider({ readers: [delta] });
    metrics.disable();
    metrics.setGlobalMeterProvider(meterProvider);
    reader = delta;
    const third = await harness();
    third.tracer.startSpan('c-0').end();
    await third.provider.forceFlush();
    const components = async () => {
      const { resourceMetrics } = await delta.collect();
      const names = new Set<unknown>();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          for (const point of metric.dataPoints) names.add(point.attributes['otel.component.name']);
        }
      }
      return names;
    };
    expect((await components()).size).toBe(1);
    await third.provider.shutdown();
    expect((await components()).size).toBe(0);
  });

  it('reports how many spans wait in the queue', async () => {
    const { provider, tracer } = await harness();
    for (let i = 0; i < 5; i++) tracer.startSpan(`waiting-${i}`).end();
    expect((await collect())['galileo_otel.queue.spans']).toBe(5);
    await provider.forceFlush();
    expect((await collect())['galileo_otel.queue.spans']).toBe(0);
  });
});
