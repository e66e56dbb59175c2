import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GalileoProcessorOptions, GalileoSpanProcessor } from './galileo-span-processor.js';

// The processor remembers per-key and per-route answers across spans; these tests check that
// what it remembers never changes what is exported, also once its bounded caches overflow.

const API_KEY = 'gal-cache-key-0123456789';
let sink: OtlpSink;

beforeEach(async () => {
  sink = await startOtlpSink();
});
afterEach(async () => {
  await sink.close();
});

function setup(options: GalileoProcessorOptions = {}) {
  const processor = new GalileoSpanProcessor({
    apiKey: API_KEY,
    endpoint: sink.url,
    project: 'proj-a',
    logStream: 'stream-a',
    logger: false,
    maxQueueSize: 10_000,
    ...options,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc-cache' }),
    spanProcessors: [processor],
  });
  return { processor, provider, tracer: provider.getTracer('test') };
}

function exported(name: string) {
  const span = sink.spans().find((s) => s.name === name);
  if (!span) throw new Error(`span ${name} was not exported`);
  return span;
}

describe('GalileoSpanProcessor caches', () => {
  it('redacts secret keys and renames API-key keys after more distinct keys than it remembers', async () => {
    const { provider, tracer } = setup();
    const secretKey = `app.${API_KEY}`;
    tracer
      .startSpan('first', {
        attributes: { 'app.note': 'kept', 'auth.token': 'tok-1', [secretKey]: 'x' },
      })
      .end();
    // 4800 distinct keys, more than the key cache holds (120 a span: the SDK keeps 128).
    for (let batch = 0; batch < 40; batch++) {
      const attributes: Attributes = {};
      for (let i = 0; i < 120; i++) attributes[`app.k${batch}.${i}`] = i;
      tracer.startSpan(`filler-${batch}`, { attributes }).end();
    }
    // Keys seen before the overflow, and keys first seen after it.
    tracer
      .startSpan('last', {
        attributes: {
          'app.note': 'kept',
          'auth.token': 'tok-2',
          [secretKey]: 'x',
          'late.password': 'pw',
          [`late.${API_KEY}`]: 'y',
          'late.note': 'kept too',
        },
      })
      .end();
    await provider.forceFlush();
    for (const name of ['first', 'last']) {
      const attributes = exported(name).attributes;
      expect(attributes['app.note']).toBe('kept');
      expect(attributes['auth.token']).toBe('[REDACTED]');
      expect(attributes[secretKey]).toBeUndefined();
      expect(attributes['app.[REDACTED]']).toBe('[REDACTED]');
    }
    const late = exported('last').attributes;
    expect(late['late.password']).toBe('[REDACTED]');
    expect(late['late.[REDACTED]']).toBe('[REDACTED]');
    expect(late['late.note']).toBe('kept too');
    expect(
      JSON.stringify(sink.spans(), (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    ).not.toContain(API_KEY);
    expect(exported('filler-39').attributes['app.k39.119']).toBe(119);
  });

  it('keeps each processor to its own redactSecrets setting for the same keys', async () => {
    const strict = setup();
    const lax = setup({ redactSecrets: false });
    for (const { tracer } of [strict, lax]) {
      tracer.startSpan('span', { attributes: { 'auth.token': 'tok-3' } }).end();
    }
    await strict.provider.forceFlush();
    await lax.provider.forceFlush();
    const values = sink.spans().map((s) => s.attributes['auth.token']);
    expect(values.sort()).toEqual(['[REDACTED]', 'tok-3']);
  });

  it('gives every span the resource of its own route and session, past the resource cache bound', async () => {
    const { provider, tracer } = setup();
    const sessions = 1_100;
    for (let i = 0; i < sessions; i++) {
      const project = i % 3 === 0 ? 'proj-b' : 'proj-a';
      tracer
        .startSpan(`s${i}`, {
          attributes: { 'galileo.project.name': project, 'galileo.session.id': `sess-${i}` },
        })
        .end();
    }
    await provider.forceFlush();
    for (const i of [0, 1, 2, 999, 1_000, 1_001, sessions - 1]) {
      const resource = exported(`s${i}`).resource;
      expect(resource['galileo.project.name']).toBe(i % 3 === 0 ? 'proj-b' : 'proj-a');
      expect(resource['galileo.session.id']).toBe(`sess-${i}`);
      expect(resource['service.name']).toBe('svc-cache');
    }
    for (const request of sink.requests) {
      const projects = new Set(request.spans.map((s) => s.resource['galileo.project.name']));
      expect([...projects]).toEqual([request.headers.project]);
    }
  });
});
