import { createServer } from 'node:net';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { toolAttributes } from '../attributes/genai-shapes.js';
import { type GalileoProcessorOptions, GalileoSpanProcessor } from './galileo-span-processor.js';

const API_KEY = 'gal-fault-key-abcdef123456';
const sinks: OtlpSink[] = [];
let warnings: string[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  warnings = [];
});

async function sink(options: { port?: number } = {}) {
  const started = await startOtlpSink(options);
  sinks.push(started);
  return started;
}

function pipeline(endpoint: string, options: GalileoProcessorOptions = {}) {
  const processor = new GalileoSpanProcessor({
    apiKey: API_KEY,
    endpoint,
    logger: { warn: (line) => warnings.push(line) },
    scheduledDelayMillis: 20,
    ...options,
  });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('fault');
  const emit = (count: number, prefix = 's') => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const span = tracer.startSpan(`${prefix}-${i}`, { attributes: { i } });
      span.end();
      ids.push(span.spanContext().spanId);
    }
    return ids;
  };
  return { processor, provider, emit };
}

/** Every expected span id arrived, and any repeat carried identical data (dedupe-safe). */
function expectExactlyOnce(received: OtlpSpan[], expected: string[]) {
  const byId = new Map<string, string>();
  for (const span of received) {
    const data = JSON.stringify({ n: span.name, a: span.attributes, p: span.parentSpanId });
    const previous = byId.get(span.spanId);
    if (previous !== undefined) expect(data).toBe(previous);
    byId.set(span.spanId, data);
  }
  expect([...byId.keys()].sort()).toEqual([...expected].sort());
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('delivery under faults', () => {
  it('rides out a burst of 503s and delivers every span once', async () => {
    const receiver = await sink();
    receiver.script(
      ...Array.from({ length: 3 }, () => ({ status: 503, headers: { 'retry-after': '0' } })),
    );
    const { processor, provider, emit } = pipeline(receiver.url);
    const ids = emit(50);
    await provider.forceFlush();
    expectExactlyOnce(receiver.spans(), ids);
    expect(processor.stats()).toMatchObject({
      spansExported: 50,
      spansFailed: 0,
      exportRetries: 3,
    });
  });

  it('waits as long as a 429 Retry-After asks before retrying', async () => {
    const receiver = await sink();
    // 3 s is well past the first backoff (1 s +/- 20 %), so only honouring the header passes.
    const arrivals: number[] = [];
    receiver.respondWith(() => {
      arrivals.push(Date.now());
      return arrivals.length === 1 ? { status: 429, headers: { 'retry-after': '3' } } : undefined;
    });
    const { provider, emit } = pipeline(receiver.url);
    const ids = emit(5);
    await provider.forceFlush();
    expect(arrivals).toHaveLength(2);
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(2900);
    expectExactlyOnce(receiver.spans(), ids);
  });

  it('retries an attempt that stalls past its time slice; repeats are identical', async () => {
    const receiver = await sink();
    receiver.script({ status: 200, delayMs: 1500 });
    const { processor, provider, emit } = pipeline(receiver.url, { exportTimeoutMillis: 3000 });
    const ids = emit(10);
    await provider.forceFlush();
    await new Promise((r) => setTimeout(r, 1600)); // let the stalled first attempt land too
    expectExactlyOnce(receiver.spans(), ids);
    expect(processor.stats().exportRetries).toBeGreaterThanOrEqual(1);
  });

  it('survives connection resets', async () => {
    const receiver = await sink();
    receiver.script({ status: 200, reset: true }, { status: 200, reset: true });
    const { processor, provider, emit } = pipeline(receiver.url);
    const ids = emit(20);
    await provider.forceFlush();
    expectExactlyOnce(receiver.spans(), ids);
    expect(processor.stats().exportRetries).toBe(2);
  });

  it('delivers once the receiver comes up, when it was down at start', async () => {
    const port = await freePort();
    const { provider, emit } = pipeline(`http://127.0.0.1:${port}/otel/traces`, {
      exportTimeoutMillis: 15_000,
    });
    const ids = emit(10);
    const flushed = provider.forceFlush();
    await new Promise((r) => setTimeout(r, 1200));
    const receiver = await sink({ port });
    await flushed;
    expectExactlyOnce(receiver.spans(), ids);
  });

  it('splits batches the receiver finds too large, losing nothing', async () => {
    const receiver = await sink();
    receiver.respondWith((request) =>
      request.spans.length > 8 ? { status: 413, body: '{"detail":"too big"}' } : undefined,
    );
    const { processor, provider, emit } = pipeline(receiver.url);
    const ids = emit(100);
    await provider.forceFlush();
    expectExactlyOnce(receiver.spans(), ids);
    expect(processor.stats()).toMatchObject({ spansExported: 100, spansOversized: 0 });
  });

  it('keeps memory bounded by the queue limits while the receiver stalls', async () => {
    const receiver = await sink();
    receiver.respondWith(() => ({ status: 200, delayMs: 2000 }));
    const { processor, provider, emit } = pipeline(receiver.url, {
      maxQueueSize: 500,
      maxQueueBytes: 200_000,
      maxExportBatchSize: 250,
      exportTimeoutMillis: 2500,
    });
    let peakQueue = 0;
    let peakBytes = 0;
    for (let round = 0; round < 20; round++) {
      emit(1000, `r${round}`);
      const stats = processor.stats();
      peakQueue = Math.max(peakQueue, stats.queueLength);
      peakBytes = Math.max(peakBytes, stats.queueBytes);
    }
    expect(peakQueue).toBeLessThanOrEqual(500);
    expect(peakBytes).toBeLessThanOrEqual(200_000);
    await provider.forceFlush();
    const stats = processor.stats();
    expect(stats.spansDropped).toBeGreaterThan(0);
    expect(stats.spansQueued + stats.spansDropped).toBe(20_000);
    expect(warnings.filter((w) => w.includes('queue full')).length).toBe(1);
  });
});

describe('payload safety', () => {
  it('exports a 10 MB tool output capped, and circular or BigInt values safely', async () => {
    const receiver = await sink();
    const { provider } = pipeline(receiver.url);
    const tracer = provider.getTracer('payload');
    const circular: Record<string, unknown> = { id: 10n, nested: { when: new Date(0) } };
    circular.self = circular;
    tracer
      .startSpan('execute_tool big', {
        attributes: toolAttributes({
          name: 'big',
          arguments: circular,
          result: 'r'.repeat(10 * 1024 * 1024),
        }),
      })
      .end();
    await provider.forceFlush();
    const [span] = receiver.spans();
    expect(JSON.parse(String(span?.attributes['gen_ai.tool.call.arguments']))).toEqual({
      id: '10',
      nested: { when: '1970-01-01T00:00:00.000Z' },
      self: '[Circular]',
    });
    const result = String(span?.attributes['gen_ai.tool.call.result']);
    expect(result.length).toBeLessThan(1024 * 1024 + 100);
    expect(result).toMatch(/truncated 9437184 chars/);
  });

  it('never writes the API key into a log line or a span', async () => {
    const receiver = await sink();
    receiver.script(
      { status: 401, body: JSON.stringify({ detail: `bad key ${API_KEY}` }) },
      {
        status: 200,
        body: JSON.stringify({ partialSuccess: { rejectedSpans: 1, errorMessage: API_KEY } }),
      },
    );
    const { provider } = pipeline(receiver.url);
    const tracer = provider.getTracer('leak');
    tracer.startSpan('one', { attributes: { note: `the key is ${API_KEY}` } }).end();
    await provider.forceFlush();
    tracer.startSpan('two', { attributes: { [`x.${API_KEY}`]: API_KEY } }).end();
    await provider.forceFlush();
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings.join('\n')).not.toContain(API_KEY);
    const wire = JSON.stringify(
      receiver.requests.map((r) => r.spans),
      (_k, v) => (typeof v === 'bigint' ? String(v) : v),
    );
    expect(wire).not.toContain(API_KEY);
  });
});
