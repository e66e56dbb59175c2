import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { propagation, ROOT_CONTEXT, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { type DetectedResourceAttributes, resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GalileoAdapter } from '../adapter/galileo-adapter.js';
import { GalileoConfigError } from '../errors/galileo-config-error.js';
import { galileoKind } from '../kinds/galileo-kind.js';
import { extractContext } from '../propagation/propagation.js';
import { type GalileoProcessorOptions, GalileoSpanProcessor } from './galileo-span-processor.js';

const API_KEY = 'gal-test-key-0123456789';
let sink: OtlpSink;
let warnings: string[];

beforeEach(async () => {
  sink = await startOtlpSink();
  warnings = [];
});
afterEach(async () => {
  await sink.close();
});

function setup(
  options: GalileoProcessorOptions = {},
  resource: DetectedResourceAttributes = { 'service.name': 'svc-test' },
) {
  const processor = new GalileoSpanProcessor({
    apiKey: API_KEY,
    endpoint: sink.url,
    project: 'proj-a',
    logStream: 'stream-a',
    logger: { warn: (line) => warnings.push(line) },
    ...options,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [processor],
  });
  return { processor, provider, tracer: provider.getTracer('test') };
}

// Everything that went over the wire, so a leak anywhere (not just where a test looks) fails.
function wireText(): string {
  return JSON.stringify(
    sink.requests.map((r) => r.spans),
    (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
  );
}

const LINKED = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };

describe('GalileoSpanProcessor on the wire', () => {
  it('exports OTLP protobuf with Galileo headers and routing in the resource', async () => {
    const { provider, tracer } = setup();
    const parent = tracer.startSpan('POST /ask');
    const child = tracer.startSpan(
      'chat gpt-4.1-mini',
      { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1-mini' } },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    child.end();
    parent.end();
    await provider.forceFlush();

    expect(sink.requests).toHaveLength(1);
    const request = sink.requests[0];
    expect(request?.headers['content-type']).toBe('application/x-protobuf');
    expect(request?.headers['galileo-api-key']).toBe(API_KEY);
    expect(request?.headers.project).toBe('proj-a');
    expect(request?.headers.logstream).toBe('stream-a');
    expect(request?.headers.experimentid).toBeUndefined();
    const spans = sink.spans();
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /ask', 'chat gpt-4.1-mini']);
    const chat = spans.find((s) => s.name.startsWith('chat'));
    const root = spans.find((s) => s.name === 'POST /ask');
    expect(chat?.parentSpanId).toBe(root?.spanId);
    expect(chat && galileoKind(chat)).toBe('llm');
    expect(root && galileoKind(root)).toBe('workflow');
    expect(chat?.resource).toMatchObject({
      'service.name': 'svc-test',
      'galileo.project.name': 'proj-a',
      'galileo.logstream.name': 'stream-a',
    });
    // Routing travels on the Resource, where the ingest reads it, not on every span.
    expect(chat?.attributes['galileo.project.name']).toBeUndefined();
  });

  it('sends one request per routing group, each with its own headers', async () => {
    const { provider, tracer } = setup();
    tracer.startSpan('default-routing').end();
    tracer.startSpan('other-project', { attributes: { 'galileo.project.name': 'proj-b' } }).end();
    tracer
      .startSpan('other-stream', {
        attributes: { 'galileo.project.name': 'proj-b', 'galileo.logstream.name': 'stream-b' },
      })
      .end();
    await provider.forceFlush();

    const byGroup = sink.requests
      .map((r) => ({
        header: `${r.headers.project}/${r.headers.logstream}`,
        spans: r.spans.map((s) => s.name),
        resource: r.spans.map(
          (s) => `${s.resource['galileo.project.name']}/${s.resource['galileo.logstream.name']}`,
        ),
      }))
      .sort((a, b) => a.header.localeCompare(b.header));
    expect(byGroup).toEqual([
      { header: 'proj-a/stream-a', spans: ['default-routing'], resource: ['proj-a/stream-a'] },
      { header: 'proj-b/stream-a', spans: ['other-project'], resource: ['proj-b/stream-a'] },
      { header: 'proj-b/stream-b', spans: ['other-stream'], resource: ['proj-b/stream-b'] },
    ]);
  });

  it('routes to an experiment without ever sending a logstream header', async () => {
    const { provider, tracer } = setup({ experimentId: 'exp-42' });
    tracer.startSpan('in-experiment').end();
    await provider.forceFlush();
    const request = sink.requests[0];
    expect(request?.headers.experimentid).toBe('exp-42');
    expect(request?.headers.logstream).toBeUndefined();
    expect(request?.spans[0]?.resource['galileo.experiment.id']).toBe('exp-42');
    expect(request?.spans[0]?.resource['galileo.logstream.name']).toBeUndefined();
  });

  it('stamps a session id and user id that arrive as baggage', async () => {
    const { provider, tracer } = setup();
    const bag = propagation.createBaggage({
      'galileo.session.id': { value: 'sess-1' },
      'user.id': { value: 'user-9' },
    });
    tracer.startSpan('with-baggage', {}, propagation.setBaggage(ROOT_CONTEXT, bag)).end();
    tracer.startSpan('without-baggage').end();
    await provider.forceFlush();
    const spans = sink.spans();
    const withBag = spans.find((s) => s.name === 'with-baggage');
    expect(withBag?.attributes).toMatchObject({
      'galileo.session.id': 'sess-1',
      'session.id': 'sess-1',
      'user.id': 'user-9',
    });
    expect(withBag?.resource['galileo.session.id']).toBe('sess-1');
    expect(spans.find((s) => s.name === 'without-baggage')?.attributes['galileo.session.id']).toBe(
      undefined,
    );
  });

  it('stamps session and user from a baggage header read by extractContext, unless ignored', async () => {
    propagation.setGlobalPropagator(new W3CBaggagePropagator());
    try {
      const { provider, tracer } = setup();
      const headers = { baggage: 'galileo.session.id=s-7,user.id=u%203,bad key=x' };
      tracer.startSpan('POST /trusted', {}, extractContext(headers)).end();
      tracer.startSpan('POST /public', {}, extractContext(headers, { ignoreIncoming: true })).end();
      await provider.forceFlush();
      const trusted = sink.spans().find((s) => s.name === 'POST /trusted');
      expect(trusted?.attributes).toMatchObject({
        'galileo.session.id': 's-7',
        'session.id': 's-7',
        'user.id': 'u 3',
      });
      expect(trusted?.resource['galileo.session.id']).toBe('s-7');
      const pub = sink.spans().find((s) => s.name === 'POST /public');
      expect(pub?.attributes['galileo.session.id']).toBeUndefined();
      expect(pub?.attributes['user.id']).toBeUndefined();
    } finally {
      propagation.disable();
    }
  });

  it('surfaces a partialSuccess once, with counts and the message', async () => {
    const { provider, tracer } = setup();
    sink.script({
      status: 200,
      body: JSON.stringify({ partialSuccess: { rejectedSpans: 1, errorMessage: 'bad span id' } }),
    });
    tracer.startSpan('a').end();
    tracer.startSpan('b').end();
    await provider.forceFlush();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/accepted 1 of 2 spans and rejected 1: bad span id/);
  });

  it.each([
    [401, /rejected the API key \(401, Galileo-API-Key header\).*GALILEO_API_KEY/],
    [403, /may not write to project 'proj-a', log stream 'stream-a' \(403\)/],
    [404, /could not find or create project 'proj-a'.*\(404\)/],
    [415, /does not accept OTLP protobuf \(415\)/],
    [422, /could not process the spans .*\(422\): No spans found in request\./],
  ])('gives one clear message for %i and does not retry', async (status, message) => {
    const { processor, provider, tracer } = setup();
    sink.respondWith(() => ({
      status,
      body: JSON.stringify({ detail: 'No spans found in request.' }),
    }));
    for (let i = 0; i < 3; i++) {
      tracer.startSpan(`s${i}`).end();
      await provider.forceFlush();
    }
    expect(sink.requests).toHaveLength(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(message);
    expect(warnings.join('\n')).not.toContain(API_KEY);
    expect(processor.stats().spansFailed).toBe(3);
  });

  it('retries 503 and honours Retry-After, delivering each span once', async () => {
    const { processor, provider, tracer } = setup();
    sink.script(
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 503, headers: { 'retry-after': '0' } },
    );
    tracer.startSpan('eventually').end();
    await provider.forceFlush();
    expect(sink.requests).toHaveLength(3);
    expect(sink.spans().map((s) => s.name)).toEqual(['eventually']);
    expect(processor.stats()).toMatchObject({ exportRetries: 2, spansExported: 1, spansFailed: 0 });
  });

  it('splits a batch on 413 and isolates the oversized span', async () => {
    const { processor, provider, tracer } = setup();
    sink.respondWith((request) =>
      request.bytes > 20_000 ? { status: 413, body: '{"detail":"too large"}' } : undefined,
    );
    for (let i = 0; i < 6; i++) tracer.startSpan(`small-${i}`).end();
    tracer.startSpan('huge', { attributes: { blob: 'x'.repeat(50_000) } }).end();
    await provider.forceFlush();
    expect(
      sink
        .spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['small-0', 'small-1', 'small-2', 'small-3', 'small-4', 'small-5']);
    expect(processor.stats().spansOversized).toBe(1);
    expect(warnings.some((w) => /larger than Galileo accepts \(413\)/.test(w))).toBe(true);
  });

  it('makes forceFlush wait for an export already in flight', async () => {
    const { provider, tracer } = setup({ maxExportBatchSize: 1 });
    sink.script({ status: 200, body: '{}', delayMs: 300 });
    tracer.startSpan('slow').end(); // batch full: export starts right away
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.spans()).toHaveLength(0);
    await provider.forceFlush();
    expect(sink.spans().map((s) => s.name)).toEqual(['slow']);
  });

  it('bounds the queue and counts what it drops, warning once', async () => {
    const { processor, provider, tracer } = setup({ maxQueueSize: 5, maxExportBatchSize: 5 });
    sink.script({ status: 200, delayMs: 200 }, { status: 200, delayMs: 200 });
    for (let i = 0; i < 40; i++) tracer.startSpan(`s${i}`).end();
    const stats = processor.stats();
    expect(stats.spansDropped).toBeGreaterThan(0);
    expect(stats.queueLength).toBeLessThanOrEqual(5);
    await provider.forceFlush();
    expect(sink.spans().length + processor.stats().spansDropped).toBe(40);
    expect(warnings.filter((w) => /queue full/.test(w))).toHaveLength(1);
  });

  it.each([
    ['event attributes', (span: Span, big: string) => span.addEvent('note', { body: big })],
    ['a string array', (span: Span, big: string) => span.setAttribute('parts', [big, big])],
    ['a status message', (span: Span, big: string) => span.setStatus({ code: 2, message: big })],
  ])(
    'counts %s against maxQueueBytes and drops the spans that do not fit',
    async (_where, fill) => {
      const { processor, provider, tracer } = setup({
        maxQueueBytes: 50_000,
        maxExportBatchBytes: 1_000_000,
        scheduledDelayMillis: 60_000,
      });
      for (let i = 0; i < 10; i++) {
        const span = tracer.startSpan(`big-${i}`);
        fill(span, 'z'.repeat(20_000));
        span.end();
      }
      const stats = processor.stats();
      expect(stats.queueBytes).toBeLessThanOrEqual(50_000);
      expect(stats.queueLength).toBeLessThanOrEqual(2);
      expect(stats.spansDropped).toBeGreaterThanOrEqual(8);
      await provider.forceFlush();
      expect(sink.spans().length + processor.stats().spansDropped).toBe(10);
    },
  );

  it('counts link attributes against maxQueueBytes', async () => {
    const { processor, tracer } = setup({
      maxQueueBytes: 50_000,
      maxExportBatchBytes: 1_000_000,
      scheduledDelayMillis: 60_000,
    });
    for (let i = 0; i < 10; i++) {
      tracer
        .startSpan(`linked-${i}`, {
          links: [{ context: LINKED, attributes: { why: 'z'.repeat(20_000) } }],
        })
        .end();
    }
    expect(processor.stats().queueLength).toBeLessThanOrEqual(2);
    expect(processor.stats().spansDropped).toBeGreaterThanOrEqual(8);
    await processor.forceFlush();
    expect(sink.spans().length + processor.stats().spansDropped).toBe(10);
  });
});

describe('GalileoSpanProcessor adapters and redaction', () => {
  it('re-parents the children of a span an adapter drops, so nothing is orphaned', async () => {
    const folding: GalileoAdapter = {
      name: 'folding',
      onStart: (span) =>
        (span as unknown as { name: string }).name.startsWith('step') ? { drop: true } : undefined,
    };
    const { processor, provider, tracer } = setup({ adapters: [folding] });
    const agent = tracer.startSpan('invoke_agent a');
    const step = tracer.startSpan('step 1', {}, trace.setSpan(ROOT_CONTEXT, agent));
    const chat = tracer.startSpan('chat m', {}, trace.setSpan(ROOT_CONTEXT, step));
    chat.end();
    step.end();
    agent.end();
    await provider.forceFlush();
    const spans = sink.spans();
    expect(spans.map((s) => s.name).sort()).toEqual(['chat m', 'invoke_agent a']);
    expect(spans.find((s) => s.name === 'chat m')?.parentSpanId).toBe(agent.spanContext().spanId);
    expect(processor.stats().spansFiltered).toBe(1);
  });

  it('applies translations at export without touching the recorded span', async () => {
    const translating: GalileoAdapter = {
      name: 'translating',
      translate: (span) =>
        span.name === 'call_llm'
          ? {
              name: 'chat gemini',
              attributes: { 'gen_ai.operation.name': 'chat' },
              removeAttributes: ['vendor.blob'],
              status: { code: SpanStatusCode.ERROR, message: 'model failed' },
            }
          : undefined,
    };
    const { provider, tracer } = setup({ adapters: [translating] });
    tracer.startSpan('call_llm', { attributes: { 'vendor.blob': '{}' } }).end();
    await provider.forceFlush();
    const [span] = sink.spans();
    expect(span?.name).toBe('chat gemini');
    expect(span && galileoKind(span)).toBe('llm');
    expect(span?.attributes['vendor.blob']).toBeUndefined();
    expect(span?.status).toEqual({ code: 2, message: 'model failed' });
  });

  it('keeps tracing when an adapter throws, and says so once', async () => {
    const broken: GalileoAdapter = {
      name: 'broken',
      onStart: () => {
        throw new Error('adapter bug');
      },
      translate: () => {
        throw new Error('adapter bug');
      },
    };
    const { processor, provider, tracer } = setup({ adapters: [broken] });
    tracer.startSpan('one').end();
    tracer.startSpan('two').end();
    await provider.forceFlush();
    expect(sink.spans()).toHaveLength(2);
    expect(processor.stats().hookErrors).toBe(4);
    expect(warnings.filter((w) => w.includes('broken.onStart'))).toHaveLength(1);
  });

  it('redacts secrets in every attribute family and never exports the API key', async () => {
    const { provider, tracer } = setup();
    tracer
      .startSpan('secrets', {
        attributes: {
          'http.request.header.authorization': 'Bearer abcdefghijklmnop',
          'http.request.header.cookie': 'sid=123',
          'ai.settings.apiKey': 'sk-live-123',
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', content: `my key is ${API_KEY}`, password: 'hunter2' },
          ]),
          'input.value': '{"api_key": "plain-secret", "q": "hi"}',
          'gen_ai.usage.input_tokens': 12,
        },
      })
      .end();
    await provider.forceFlush();
    const attributes = sink.spans()[0]?.attributes ?? {};
    expect(attributes['http.request.header.authorization']).toBe('[REDACTED]');
    expect(attributes['http.request.header.cookie']).toBe('[REDACTED]');
    expect(attributes['ai.settings.apiKey']).toBe('[REDACTED]');
    expect(attributes['gen_ai.usage.input_tokens']).toBe(12);
    expect(String(attributes['input.value'])).toBe('{"api_key": "[REDACTED]", "q": "hi"}');
    const serialized = wireText();
    expect(serialized).not.toContain(API_KEY);
    expect(serialized).not.toContain('hunter2');
    expect(serialized).not.toContain('plain-secret');
  });

  it.each([
    [true, '401 for [REDACTED], sent [REDACTED]'],
    [false, '401 for [REDACTED], sent Bearer abcdefghijklmnop'],
  ])(
    'scrubs the API key from name, status, events, links and resource (redactSecrets: %s)',
    async (redactSecrets, statusMessage) => {
      const { provider, tracer } = setup(
        { redactSecrets },
        {
          'service.name': 'svc-test',
          'process.command_args': ['node', 'app.js', `--galileo-key=${API_KEY}`],
          'deployment.note': `deployed with ${API_KEY}`,
        },
      );
      const span = tracer.startSpan(`call ${API_KEY}`, {
        attributes: { 'app.note': `key ${API_KEY}`, 'app.parts': ['a', API_KEY] },
        links: [{ context: LINKED, attributes: { 'link.note': `from ${API_KEY}` } }],
      });
      span.addEvent(`retry ${API_KEY}`, { 'event.note': `with ${API_KEY}` });
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `401 for ${API_KEY}, sent Bearer abcdefghijklmnop`,
      });
      span.end();
      await provider.forceFlush();

      const [wire] = sink.spans();
      expect(wire?.name).toBe('call [REDACTED]');
      expect(wire?.status.message).toBe(statusMessage);
      expect(wire?.events[0]?.name).toBe('retry [REDACTED]');
      expect(wire?.events[0]?.attributes).toEqual({ 'event.note': 'with [REDACTED]' });
      expect(wire?.links[0]?.attributes).toEqual({ 'link.note': 'from [REDACTED]' });
      expect(wire?.attributes['app.note']).toBe('key [REDACTED]');
      expect(wire?.attributes['app.parts']).toEqual(['a', '[REDACTED]']);
      expect(wire?.resource['deployment.note']).toBe('deployed with [REDACTED]');
      expect(wire?.resource['process.command_args']).toEqual([
        'node',
        'app.js',
        '--galileo-key=[REDACTED]',
      ]);
      expect(wire?.resource['service.name']).toBe('svc-test');
      expect(wireText()).not.toContain(API_KEY);
    },
  );

  it('leaves text alone when the API key is too short to be a real one', async () => {
    const { provider, tracer } = setup({ apiKey: 'k' });
    tracer.startSpan('kick-off', { attributes: { 'gen_ai.usage.input_tokens': 12 } }).end();
    await provider.forceFlush();
    const [wire] = sink.spans();
    expect(wire?.name).toBe('kick-off');
    expect(wire?.attributes['gen_ai.usage.input_tokens']).toBe(12);
  });

  it('redacts secrets in galileo.*, event, link and resource attributes at export', async () => {
    const { provider, tracer } = setup(
      {},
      {
        'service.name': 'svc-test',
        'deployment.api_key': 'res-secret-1',
        'deployment.config': '{"token": "res-secret-2", "region": "eu"}',
      },
    );
    const span = tracer.startSpan('secrets elsewhere', {
      attributes: {
        'galileo.metadata.api_key': 'gal-secret-1',
        'galileo.metadata.context': '{"password": "gal-secret-2", "q": "hi"}',
        'galileo.session.id': 'sess-1',
      },
      links: [
        {
          context: LINKED,
          attributes: {
            'http.request.header.authorization': 'Bearer link-secret-1',
            'link.reason': 'follows sk-linksecret2abcdefghijkl',
          },
        },
      ],
    });
    span.addEvent('exception', {
      'exception.message': 'upstream said Bearer evt-secret-1abc',
      'auth.token': 'evt-secret-2',
    });
    span.end();
    await provider.forceFlush();

    const [wire] = sink.spans();
    expect(wire?.attributes).toMatchObject({
      'galileo.metadata.api_key': '[REDACTED]',
      'galileo.metadata.context': '{"password": "[REDACTED]", "q": "hi"}',
      'galileo.session.id': 'sess-1',
    });
    expect(wire?.events[0]?.attributes).toEqual({
      'exception.message': 'upstream said [REDACTED]',
      'auth.token': '[REDACTED]',
    });
    expect(wire?.links[0]?.attributes).toEqual({
      'http.request.header.authorization': '[REDACTED]',
      'link.reason': 'follows [REDACTED]',
    });
    expect(wire?.resource).toMatchObject({
      'service.name': 'svc-test',
      'deployment.api_key': '[REDACTED]',
      'deployment.config': '{"token": "[REDACTED]", "region": "eu"}',
      'galileo.project.name': 'proj-a',
    });
    expect(wireText()).not.toMatch(/(res|gal|link|evt)-secret|linksecret/);
  });

  it('waits for async resource attributes, then redacts them too', async () => {
    const { provider, tracer } = setup(
      {},
      {
        'service.name': 'svc-test',
        'deployment.token': new Promise((resolve) => setTimeout(() => resolve('res-secret-3'), 20)),
        'deployment.note': Promise.resolve(`deployed with ${API_KEY}`),
      },
    );
    tracer.startSpan('early').end();
    await provider.forceFlush();
    expect(sink.spans()[0]?.resource).toMatchObject({
      'deployment.token': '[REDACTED]',
      'deployment.note': 'deployed with [REDACTED]',
    });
    expect(wireText()).not.toContain(API_KEY);
  });

  it('exports without an async resource attribute whose detector never finishes', async () => {
    const { provider, tracer } = setup(
      { exportTimeoutMillis: 1000 },
      { 'service.name': 'svc-test', 'deployment.stuck': new Promise(() => {}) },
    );
    tracer.startSpan('first').end();
    await provider.forceFlush();
    tracer.startSpan('second').end();
    const started = Date.now();
    await provider.forceFlush();
    // Only the first batch waits: a stuck detector must not slow every export.
    expect(Date.now() - started).toBeLessThan(500);
    expect(sink.spans().map((s) => s.name)).toEqual(['first', 'second']);
    expect(sink.spans()[0]?.resource['service.name']).toBe('svc-test');
    expect(warnings.filter((w) => /resource detector has not finished/.test(w))).toHaveLength(1);
  });

  it('runs the user redact hook on event, link and resource attributes too', async () => {
    const seen: string[] = [];
    const { provider, tracer } = setup(
      {
        redact: (key, value, span) => {
          if (!key.endsWith('.email')) return value;
          seen.push(`${key} in '${span.name}'`);
          return undefined;
        },
      },
      { 'service.name': 'svc-test', 'host.email': 'ops@example.com' },
    );
    const span = tracer.startSpan('signup', {
      attributes: { 'span.email': 'a@example.com' },
      links: [{ context: LINKED, attributes: { 'link.email': 'b@example.com', kept: 'yes' } }],
    });
    span.addEvent('welcome', { 'event.email': 'c@example.com' });
    span.end();
    await provider.forceFlush();

    const [wire] = sink.spans();
    expect(wire?.attributes['span.email']).toBeUndefined();
    expect(wire?.events[0]?.attributes).toEqual({});
    expect(wire?.links[0]?.attributes).toEqual({ kept: 'yes' });
    expect(wire?.resource['host.email']).toBeUndefined();
    expect(wire?.resource['service.name']).toBe('svc-test');
    expect(wireText()).not.toContain('@example.com');
    expect(seen.sort()).toEqual([
      "event.email in 'signup'",
      "host.email in ''",
      "link.email in 'signup'",
      "span.email in 'signup'",
    ]);
  });

  it('fails closed when the user redact function throws, keeping the span', async () => {
    const { provider, tracer } = setup({
      redact: (key, value) => {
        if (key === 'gen_ai.output.messages') throw new Error('redactor bug');
        return value;
      },
    });
    tracer.startSpan('kept', { attributes: { 'gen_ai.output.messages': 'private text' } }).end();
    await provider.forceFlush();
    expect(sink.spans()[0]?.name).toBe('kept');
    expect(sink.spans()[0]?.attributes['gen_ai.output.messages']).toBe('[REDACTED]');
  });

  it('caps long attribute values and marks the cut', async () => {
    const { provider, tracer } = setup({ maxAttributeLength: 100 });
    tracer.startSpan('long', { attributes: { big: 'y'.repeat(1000) } }).end();
    await provider.forceFlush();
    const value = String(sink.spans()[0]?.attributes.big);
    expect(value.startsWith('y'.repeat(100))).toBe(true);
    expect(value).toContain('[truncated 900 chars]');
  });
});

describe('GalileoSpanProcessor configuration', () => {
  it('refuses to start without an API key, naming the variable and the option', () => {
    let error: unknown;
    const saved = process.env.GALILEO_API_KEY;
    delete process.env.GALILEO_API_KEY;
    try {
      new GalileoSpanProcessor({ endpoint: sink.url });
    } catch (caught) {
      error = caught;
    } finally {
      if (saved !== undefined) process.env.GALILEO_API_KEY = saved;
    }
    expect(GalileoConfigError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/GALILEO_API_KEY/);
    expect(String(error)).toMatch(/\{ apiKey \}/);
  });

  it('refuses to send the key over plain http to a remote host unless allowed', () => {
    expect(
      () =>
        new GalileoSpanProcessor({ apiKey: 'k', endpoint: 'http://galileo.example/otel/traces' }),
    ).toThrow(/plain http/);
    expect(
      () =>
        new GalileoSpanProcessor({
          apiKey: 'k',
          endpoint: 'http://galileo.example/otel/traces',
          allowInsecureHttp: true,
        }),
    ).not.toThrow();
  });

  it('rejects a non-numeric OTEL_BSP_* value with the variable name', () => {
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = 'lots';
    try {
      expect(() => new GalileoSpanProcessor({ apiKey: 'k', endpoint: sink.url })).toThrow(
        /OTEL_BSP_MAX_QUEUE_SIZE must be a positive integer/,
      );
    } finally {
      delete process.env.OTEL_BSP_MAX_QUEUE_SIZE;
    }
  });
});
